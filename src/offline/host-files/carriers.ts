import { gunzipSync } from "node:zlib";
import { parseYaml } from "../../config/yaml-reader";
import { isSecretValue } from "../snapshot/secrets";
import type { ResourceState } from "../snapshot/types";
import { parseUrn } from "../snapshot/urn";
import type { Carrier } from "./types";

/** Resource types whose properties carry host texts. */
export const HOST_TYPES = { instance: "aws:ec2/instance:Instance", launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate" } as const;
export const SSM_DOCUMENT = "aws:ssm/document:Document";
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

/** A text a host runs, found in one resource property. */
export interface CarrierText {
  readonly resource: ResourceState;
  readonly property: string;
  readonly carrier: Carrier;
  /** The record path of the text itself: `user-data:<resource>`, `ssm-document:<name>#<step>`, `ssm-parameter:<name>`. */
  readonly path: string;
  /** What a host script would name it by (SSM document or parameter name); hosts have none. */
  readonly name?: string;
  readonly text: string;
}

/** A carrier whose text the snapshot does not hold readably (a secret-marked property without plaintext). */
export interface SealedCarrier {
  readonly resource: ResourceState;
  readonly property: string;
  readonly carrier: Carrier;
  readonly path: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * A property as the program sent it (inputs; a real export's outputs may be normalised or hashed by
 * the provider), then as recorded. A secret written by `pulumi stack export --show-secrets` carries
 * `plaintext` (JSON-encoded); one with only a ciphertext is sealed.
 */
export function propertyText(resource: ResourceState, key: string): string | { sealed: true } | undefined {
  for (const side of [resource.inputs, resource.outputs]) {
    const value = side?.[key];
    if (typeof value === "string") return value;
    if (isSecretValue(value)) {
      const plaintext = (value as unknown as { plaintext?: unknown }).plaintext;
      if (typeof plaintext === "string") {
        try {
          const decoded: unknown = JSON.parse(plaintext);
          if (typeof decoded === "string") return decoded;
        } catch {
          return plaintext;
        }
      }
      return { sealed: true };
    }
  }
  return undefined;
}

function decodeBase64UserData(encoded: string): string {
  const bytes = Buffer.from(encoded, "base64");
  // cloud-init accepts gzip-compressed user-data as well.
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
}

/** The user-data of an instance or launch template, decoded; undefined when it has none. */
export function userDataOf(resource: ResourceState): CarrierText | undefined {
  const name = parseUrn(resource.urn).name;
  const make = (property: string, text: string): CarrierText => ({ resource, property, carrier: "user-data", path: `user-data:${name}`, text });
  if (resource.type === HOST_TYPES.instance) {
    const plain = propertyText(resource, "userData");
    if (typeof plain === "string" && plain !== "") return make("userData", plain);
    const encoded = propertyText(resource, "userDataBase64");
    if (typeof encoded === "string" && encoded !== "") return make("userDataBase64", decodeBase64UserData(encoded));
  }
  if (resource.type === HOST_TYPES.launchTemplate) {
    const encoded = propertyText(resource, "userData");
    if (typeof encoded === "string" && encoded !== "") return make("userData", decodeBase64UserData(encoded));
  }
  return undefined;
}

function runCommandText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join("\n");
  return undefined;
}

/**
 * The shell steps of an SSM Command document (schema 2.x `mainSteps`, 1.2 `runtimeConfig`), each as
 * the script the SSM agent runs. Other documents (sessions, automation) carry no host files.
 */
export function documentSteps(resource: ResourceState): CarrierText[] {
  const content = propertyText(resource, "content");
  if (typeof content !== "string") return [];
  const name = stringProp(resource, "name") ?? parseUrn(resource.urn).name;
  let doc: unknown;
  try {
    doc = (stringProp(resource, "documentFormat") ?? "JSON").toUpperCase() === "YAML" ? parseYaml(content, name) : JSON.parse(content);
  } catch {
    return [];
  }
  if (typeof doc !== "object" || doc === null) return [];
  const steps: { name: string; action: unknown; inputs: unknown }[] = [];
  const main = (doc as { mainSteps?: unknown }).mainSteps;
  if (Array.isArray(main)) {
    main.forEach((s: { name?: unknown; action?: unknown; inputs?: unknown }, i) => steps.push({ name: typeof s.name === "string" ? s.name : `step${i}`, action: s.action, inputs: s.inputs }));
  }
  const runtime = (doc as { runtimeConfig?: Record<string, { properties?: unknown }> }).runtimeConfig;
  if (runtime !== undefined && typeof runtime === "object") {
    for (const [action, plugin] of Object.entries(runtime)) {
      const list = Array.isArray(plugin?.properties) ? plugin.properties : [plugin?.properties];
      list.forEach((p: unknown, i: number) => steps.push({ name: typeof (p as { id?: unknown })?.id === "string" ? (p as { id: string }).id : `${action}${i}`, action, inputs: p }));
    }
  }
  const out: CarrierText[] = [];
  for (const step of steps) {
    if (step.action !== "aws:runShellScript") continue;
    const text = runCommandText((step.inputs as { runCommand?: unknown } | undefined)?.runCommand);
    if (text !== undefined) out.push({ resource, property: "content", carrier: "ssm-document", path: `ssm-document:${name}#${step.name}`, name, text });
  }
  return out;
}

function stringProp(resource: ResourceState, key: string): string | undefined {
  const value = resource.inputs?.[key] ?? resource.outputs?.[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * An SSM parameter's value: `insecureValue` is stored readably; `value` is marked secret by the AWS
 * provider (additionalSecretOutputs ["value", "valueWo"] in @pulumi/aws ssm/parameter.js), so a
 * snapshot shows it only when exported with --show-secrets.
 */
export function parameterValue(resource: ResourceState): { carrier: CarrierText } | { sealed: SealedCarrier } | undefined {
  const name = stringProp(resource, "name") ?? parseUrn(resource.urn).name;
  const path = `ssm-parameter:${name}`;
  for (const property of ["insecureValue", "value"]) {
    const text = propertyText(resource, property);
    if (typeof text === "string") return { carrier: { resource, property, carrier: "ssm-parameter", path, name, text } };
    if (text !== undefined) {
      return {
        sealed: {
          resource,
          property,
          carrier: "ssm-parameter",
          path,
          name,
          reason: `its ${property} is a secret in the snapshot (the AWS provider marks an SSM parameter's value secret; plain text belongs in insecureValue)`,
        },
      };
    }
  }
  return undefined;
}

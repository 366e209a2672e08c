/**
 * Strict validation of plain Kubernetes objects, as the API server does it with server-side apply and
 * field validation Strict (unknown fields rejected).
 *
 * Built-in kinds. No npm package that installs on Node.js 20 carries the Kubernetes 1.35 schema:
 * `kubernetes-models` 5.1.0 (generated from 1.34) and `@kubernetes/client-node` 2.x (1.36, its `undici`
 * dependency) both need Node.js 22, and the `@pulumi/kubernetes` releases generated from 1.35.1
 * (4.26–4.29, pulumi/pulumi-kubernetes#4156) cannot sit beside the pinned provider: the Node.js language
 * host takes every package.json under node_modules with `pulumi.resource: true` as a required plugin,
 * devDependencies included (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
 * getPackagesFromDir), so every deploy would need a second provider plugin. So every object is checked against
 * the two schema generations that bracket 1.35, and must pass both:
 * - `kubernetes-models` 4.5.1 (Kubernetes 1.33 OpenAPI): its runtime validators (types, required fields,
 *   formats) plus its generated interfaces;
 * - the input types of `@pulumi/kubernetes` 4.34.2, the pinned provider (regenerated from Kubernetes 1.37,
 *   pulumi/pulumi-kubernetes#4570).
 * The TypeScript compiler holds every object literal to both interfaces: an unknown field at any depth
 * is an "excess property" error, a wrong type or a missing required field an assignment error. For the
 * kinds we emit, 1.34 and 1.35 only add optional fields and remove or retype none
 * (`SCHEMA_CHANGES_1_33_TO_1_35`, tested in k8s-manifests.test.ts), so an object that passes the 1.33
 * schema uses only fields 1.35 has, with the same types: the check is stricter than 1.35, never looser.
 *
 * Gateway API kinds against `@kubernetes-models/gateway-api` 0.5.1 (generated from the Gateway API CRDs;
 * the GA `v1` kinds we use are unchanged in the v1.6 CRDs Envoy Gateway v1.9 installs). Envoy Gateway's
 * and the Load Balancer Controller's CRD kinds against `k8s-crd-schemas.ts`.
 */
import * as path from "node:path";
import { Gateway, GatewayClass, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import ts from "typescript";
import { CRD_SCHEMAS, EMBEDDED_CORE_TYPES, embeddedValues } from "./k8s-crd-schemas";

type Model = new (data: never) => object;
interface Kind {
  readonly model: Model;
  /** Module and interface the compiler checks object literals against. */
  readonly module: string;
  readonly type: string;
  /** The same kind in the pinned provider's input types (`types.input.<group>.<version>.<Kind>`). */
  readonly pulumiType?: string;
}

/** kubernetes-models' module path and @pulumi/kubernetes' namespace per API group/version. */
const core = (group: string, kind: string, model: Model, pulumiGroup: string): Kind => ({
  model,
  module: `kubernetes-models/${group}/${kind}`,
  type: `I${kind}`,
  pulumiType: `${pulumiGroup}.${kind}`,
});
const gateway = (kind: string, model: Model): Kind => ({ model, module: `@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/${kind}`, type: `I${kind}` });

const KINDS: Readonly<Record<string, Kind>> = {
  "v1/Namespace": core("v1", "Namespace", Namespace, "core.v1"),
  "v1/ServiceAccount": core("v1", "ServiceAccount", ServiceAccount, "core.v1"),
  "v1/ConfigMap": core("v1", "ConfigMap", ConfigMap, "core.v1"),
  "v1/Secret": core("v1", "Secret", Secret, "core.v1"),
  "v1/Service": core("v1", "Service", Service, "core.v1"),
  "v1/ResourceQuota": core("v1", "ResourceQuota", ResourceQuota, "core.v1"),
  "v1/LimitRange": core("v1", "LimitRange", LimitRange, "core.v1"),
  "apps/v1/Deployment": core("apps/v1", "Deployment", Deployment, "apps.v1"),
  "autoscaling/v2/HorizontalPodAutoscaler": core("autoscaling/v2", "HorizontalPodAutoscaler", HorizontalPodAutoscaler, "autoscaling.v2"),
  "policy/v1/PodDisruptionBudget": core("policy/v1", "PodDisruptionBudget", PodDisruptionBudget, "policy.v1"),
  "networking.k8s.io/v1/NetworkPolicy": core("networking.k8s.io/v1", "NetworkPolicy", NetworkPolicy, "networking.v1"),
  "networking.k8s.io/v1/Ingress": core("networking.k8s.io/v1", "Ingress", Ingress, "networking.v1"),
  "gateway.networking.k8s.io/v1/GatewayClass": gateway("GatewayClass", GatewayClass),
  "gateway.networking.k8s.io/v1/Gateway": gateway("Gateway", Gateway),
  "gateway.networking.k8s.io/v1/HTTPRoute": gateway("HTTPRoute", HTTPRoute),
};

/** The two generations every built-in object must pass (see the header). */
export const OLDER_SCHEMA = "Kubernetes 1.33 schema, kubernetes-models";
export const NEWER_SCHEMA = "Kubernetes 1.37 schema, @pulumi/kubernetes";

/**
 * What Kubernetes 1.34 and 1.35 changed in the schemas of the kinds we emit, relative to 1.33: fields
 * added, none removed or retyped. Derived by comparing the input types of `@pulumi/kubernetes` 4.25.0
 * (generated from Kubernetes v1.33.0) with 4.29.0 (v1.35.1, pulumi/pulumi-kubernetes#4156) for the
 * groups core/v1, apps/v1, autoscaling/v2, policy/v1, networking.k8s.io/v1 and meta/v1; `since` is 1.34
 * where `kubernetes-models` 5.1.0 (generated from 1.34) already has the field. Status-only additions
 * (PodStatus.resources, PodStatus.extendedResourceClaimStatus, NodeStatus.declaredFeatures) are left
 * out: we never write status. `path` places the field in a Deployment, where every one of them would go.
 */
export const SCHEMA_CHANGES_1_33_TO_1_35: ReadonlyArray<{ readonly type: string; readonly field: string; readonly since: "1.34" | "1.35"; readonly path: readonly (string | number)[]; readonly value: unknown }> = [
  { type: "PodSpec", field: "hostnameOverride", since: "1.34", path: ["spec", "template", "spec"], value: "edge-0" },
  { type: "PodSpec", field: "workloadRef", since: "1.35", path: ["spec", "template", "spec"], value: { name: "w", podGroup: "g" } },
  { type: "Container", field: "restartPolicyRules", since: "1.34", path: ["spec", "template", "spec", "containers", 0], value: [{ action: "Restart", exitCodes: { operator: "In", values: [42] } }] },
  { type: "EnvVarSource", field: "fileKeyRef", since: "1.34", path: ["spec", "template", "spec", "containers", 0, "env", 0, "valueFrom"], value: { volumeName: "v", path: "p", key: "k" } },
  { type: "VolumeProjection", field: "podCertificate", since: "1.34", path: ["spec", "template", "spec", "volumes", 0, "projected", "sources", 0], value: { signerName: "example.com/s", keyType: "ED25519" } },
];

type Obj = { apiVersion?: unknown; kind?: unknown; metadata?: unknown } & Record<string, unknown>;
const keyOf = (o: Obj) => `${String(o.apiVersion)}/${String(o.kind)}`;
const nameOf = (o: Obj) => {
  const m = (o.metadata as { name?: string; namespace?: string } | undefined) ?? {};
  return `${keyOf(o)} ${m.namespace ?? ""}/${m.name ?? ""}`;
};

/** `<apiVersion>/<kind>` of every built-in kind validated here. */
export const BUILT_IN_KINDS: readonly string[] = Object.entries(KINDS)
  .filter(([, k]) => k.pulumiType !== undefined)
  .map(([key]) => key);

export const hasSchema = (apiVersion: string, kind: string) => KINDS[`${apiVersion}/${kind}`] !== undefined || CRD_SCHEMAS[`${apiVersion}/${kind}`] !== undefined;

/** Runtime schema check (types, required, formats); throws naming the object. */
export function validateObject(object: Obj): void {
  const kind = KINDS[keyOf(object)];
  const crd = CRD_SCHEMAS[keyOf(object)];
  if (kind === undefined && crd === undefined) throw new Error(`no schema for ${keyOf(object)}`);
  try {
    if (kind !== undefined) (new kind.model(object as never) as { validate(): void }).validate();
    else crd?.parse(object);
  } catch (error) {
    throw new Error(`${nameOf(object)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Unknown fields, wrong types and missing required fields at any depth, for every object at once:
 * each becomes a typed literal in one in-memory TypeScript program. Returns one line per problem.
 */
export function strictProblems(objects: readonly Obj[]): string[] {
  const problems: string[] = [];
  const lines: string[] = [];
  const imports = new Map<string, string>();
  /** Literal name -> where in its object an embedded core type sits. */
  const where = new Map<string, string>();
  objects.forEach((object, i) => {
    const typeAliasOf = (module: string, type: string) => {
      const ref = `${module}#${type}`;
      const known = [...imports.entries()].find(([, v]) => v === ref)?.[0];
      if (known !== undefined) return known;
      const alias = `T${imports.size}`;
      imports.set(alias, ref);
      return alias;
    };
    /** One literal per schema generation; both must accept it. */
    const typed = (name: string, module: string, type: string, pulumiType: string | undefined, value: unknown) => {
      const json = JSON.stringify(value, null, 1);
      lines.push(`export const ${name}: ${typeAliasOf(module, type)} = ${json};`);
      if (pulumiType !== undefined) lines.push(`export const ${name}b: k8s.types.input.${pulumiType} = ${json};`);
    };
    const kind = KINDS[keyOf(object)];
    if (kind === undefined) {
      const crd = CRD_SCHEMAS[keyOf(object)];
      if (crd === undefined) problems.push(`${nameOf(object)}: no schema`);
      else {
        const result = crd.safeParse(object);
        if (!result.success) problems.push(`${nameOf(object)}: ${result.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
        // The core types the CRD embeds, against the core schemas.
        let n = 0;
        for (const embedded of EMBEDDED_CORE_TYPES[keyOf(object)] ?? []) {
          for (const { at, value } of embeddedValues(object, embedded.path)) {
            where.set(`o${i}e${n}`, at);
            typed(`o${i}e${n++}`, embedded.module, embedded.type, embedded.pulumiType, value);
          }
        }
      }
      return;
    }
    typed(`o${i}`, kind.module, kind.type, kind.pulumiType, object);
  });
  const header = [
    `import type * as k8s from "@pulumi/kubernetes";`,
    ...[...imports.entries()].map(([alias, ref]) => {
      const [module, type] = ref.split("#");
      return `import type { ${type} as ${alias} } from "${module}";`;
    }),
  ];
  if (lines.length === 0) return problems;
  const text = [...header, ...lines].join("\n");
  const file = path.resolve(__dirname, "../../__strict_k8s_objects__.ts");
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (path.resolve(name) === file ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const textLines = text.split("\n");
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const lineNo = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    // Each object starts a line "export const oN: ..."; its JSON spans the following lines.
    let owner: Obj | undefined;
    let schema = "";
    let at = "";
    for (let l = lineNo; l >= 0 && owner === undefined; l--) {
      const m = /^export const (o(\d+)(?:e\d+)?)(b?):/.exec(textLines[l] ?? "");
      if (m) {
        owner = objects[Number(m[2])];
        schema = m[3] === "b" ? NEWER_SCHEMA : OLDER_SCHEMA;
        at = where.has(m[1] ?? "") ? ` at ${where.get(m[1] ?? "")}` : "";
      }
    }
    problems.push(`${owner === undefined ? "(program)" : `${nameOf(owner)}${at} (${schema})`}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  return problems;
}

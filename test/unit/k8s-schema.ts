/**
 * Strict validation of plain Kubernetes objects, as the API server does it with server-side apply and
 * field validation Strict (unknown fields rejected):
 * - built-in kinds against the Kubernetes OpenAPI schema as `kubernetes-models` 4.5.1 ships it: its
 *   runtime validators (types, required fields, formats) plus its generated interfaces, which the
 *   TypeScript compiler holds every object literal to — an unknown field at any depth is an "excess
 *   property" error. That package is generated from Kubernetes 1.33's OpenAPI; the cluster runs 1.35,
 *   whose GA APIs only add optional fields, so an object that passes here is valid there too (a field new
 *   in 1.34/1.35 would be rejected: stricter, never looser);
 * - Gateway API kinds against `@kubernetes-models/gateway-api` 0.5.1 (generated from the Gateway API
 *   CRDs; the GA `v1` kinds we use are unchanged in the v1.6 CRDs Envoy Gateway v1.9 installs);
 * - Envoy Gateway's and the Load Balancer Controller's CRD kinds against `k8s-crd-schemas.ts`, strict
 *   schemas written from the pinned CRDs' type definitions (no npm package ships them).
 */
import * as path from "node:path";
import { Gateway, GatewayClass, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service, ServiceAccount } from "kubernetes-models/v1";
import ts from "typescript";
import { CRD_SCHEMAS } from "./k8s-crd-schemas";

type Model = new (data: never) => object;
interface Kind {
  readonly model: Model;
  /** Module and interface the compiler checks object literals against. */
  readonly module: string;
  readonly type: string;
}

const core = (group: string, kind: string, model: Model): Kind => ({ model, module: `kubernetes-models/${group}/${kind}`, type: `I${kind}` });
const gateway = (kind: string, model: Model): Kind => ({ model, module: `@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/${kind}`, type: `I${kind}` });

const KINDS: Readonly<Record<string, Kind>> = {
  "v1/Namespace": core("v1", "Namespace", Namespace),
  "v1/ServiceAccount": core("v1", "ServiceAccount", ServiceAccount),
  "v1/ConfigMap": core("v1", "ConfigMap", ConfigMap),
  "v1/Secret": core("v1", "Secret", Secret),
  "v1/Service": core("v1", "Service", Service),
  "v1/ResourceQuota": core("v1", "ResourceQuota", ResourceQuota),
  "v1/LimitRange": core("v1", "LimitRange", LimitRange),
  "apps/v1/Deployment": core("apps/v1", "Deployment", Deployment),
  "autoscaling/v2/HorizontalPodAutoscaler": core("autoscaling/v2", "HorizontalPodAutoscaler", HorizontalPodAutoscaler),
  "policy/v1/PodDisruptionBudget": core("policy/v1", "PodDisruptionBudget", PodDisruptionBudget),
  "networking.k8s.io/v1/NetworkPolicy": core("networking.k8s.io/v1", "NetworkPolicy", NetworkPolicy),
  "networking.k8s.io/v1/Ingress": core("networking.k8s.io/v1", "Ingress", Ingress),
  "gateway.networking.k8s.io/v1/GatewayClass": gateway("GatewayClass", GatewayClass),
  "gateway.networking.k8s.io/v1/Gateway": gateway("Gateway", Gateway),
  "gateway.networking.k8s.io/v1/HTTPRoute": gateway("HTTPRoute", HTTPRoute),
};

type Obj = { apiVersion?: unknown; kind?: unknown; metadata?: unknown } & Record<string, unknown>;
const keyOf = (o: Obj) => `${String(o.apiVersion)}/${String(o.kind)}`;
const nameOf = (o: Obj) => {
  const m = (o.metadata as { name?: string; namespace?: string } | undefined) ?? {};
  return `${keyOf(o)} ${m.namespace ?? ""}/${m.name ?? ""}`;
};

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
  objects.forEach((object, i) => {
    const kind = KINDS[keyOf(object)];
    if (kind === undefined) {
      const crd = CRD_SCHEMAS[keyOf(object)];
      if (crd === undefined) problems.push(`${nameOf(object)}: no schema`);
      else {
        const result = crd.safeParse(object);
        if (!result.success) problems.push(`${nameOf(object)}: ${result.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`);
      }
      return;
    }
    const alias = `T${imports.size}`;
    if (![...imports.values()].includes(`${kind.module}#${kind.type}`)) imports.set(alias, `${kind.module}#${kind.type}`);
    const typeAlias = [...imports.entries()].find(([, v]) => v === `${kind.module}#${kind.type}`)?.[0] ?? alias;
    lines.push(`export const o${i}: ${typeAlias} = ${JSON.stringify(object, null, 1)};`);
  });
  const header = [...imports.entries()].map(([alias, ref]) => {
    const [module, type] = ref.split("#");
    return `import type { ${type} as ${alias} } from "${module}";`;
  });
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
    for (let l = lineNo; l >= 0 && owner === undefined; l--) {
      const m = /^export const o(\d+):/.exec(textLines[l] ?? "");
      if (m) owner = objects[Number(m[1])];
    }
    problems.push(`${owner === undefined ? "(program)" : nameOf(owner)}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
  }
  return problems;
}

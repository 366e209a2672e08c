/**
 * Validates plain Kubernetes objects against the OpenAPI schemas shipped by `kubernetes-models` (its
 * models validate with the upstream JSON schemas). Custom resources (TargetGroupBinding) are not in
 * that package and are checked by the caller.
 */
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service, ServiceAccount } from "kubernetes-models/v1";

/** Under this project's CommonJS resolution the models' base type is not visible to tsc; validate() is there at run time. */
type Model = new (data: never) => object;

const MODELS: Readonly<Record<string, Model>> = {
  "v1/Namespace": Namespace,
  "v1/ServiceAccount": ServiceAccount,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ResourceQuota": ResourceQuota,
  "v1/LimitRange": LimitRange,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "networking.k8s.io/v1/Ingress": Ingress,
};

export const hasSchema = (apiVersion: string, kind: string) => MODELS[`${apiVersion}/${kind}`] !== undefined;

/** Throws the schema error, prefixed with the object's kind and name. */
export function validateObject(object: { apiVersion?: unknown; kind?: unknown; metadata?: unknown } & Record<string, unknown>): void {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const model = MODELS[key];
  if (model === undefined) throw new Error(`no schema for ${key}`);
  try {
    (new model(object as never) as { validate(): void }).validate();
  } catch (error) {
    const name = (object.metadata as { name?: string; namespace?: string } | undefined) ?? {};
    throw new Error(`${key} ${name.namespace ?? ""}/${name.name ?? ""}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Turns a plan's plain object into the typed @pulumi/kubernetes resource of its kind, so that what is
 * registered is exactly what the plan (and the manifests) say. Unknown kinds fail loudly.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { type KubeObject, objectKey } from "./objects";

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const KINDS: Readonly<Record<string, Ctor>> = {
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/Service": k8s.core.v1.Service,
  "v1/ResourceQuota": k8s.core.v1.ResourceQuota,
  "v1/LimitRange": k8s.core.v1.LimitRange,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "networking.k8s.io/v1/Ingress": k8s.networking.v1.Ingress,
};

/** Logical resource name: `<prefix>-<kind>-<namespace>-<name>`, stable across runs. */
export const resourceName = (prefix: string, o: KubeObject) => `${prefix}-${objectKey(o).replace(/\//g, "-")}`;

export function registerObject(prefix: string, object: KubeObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const ctor = KINDS[`${object.apiVersion}/${object.kind}`];
  const name = resourceName(prefix, object);
  if (ctor === undefined) {
    // CRD instances (TargetGroupBinding) go through the generic custom resource.
    return new k8s.apiextensions.CustomResource(name, object as unknown as k8s.apiextensions.CustomResourceArgs, opts);
  }
  return new ctor(name, object as never, opts);
}

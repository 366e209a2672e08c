import type { PlatformPolicy } from "../framework/metadata";
import { eksCluster } from "./eks-01-cluster";
import { eksNetworkPolicyEngine } from "./eks-02-network-policy-engine";
import { k8sPodSecurity } from "./k8s-01-pod-security";
import { k8sResourcesProbes } from "./k8s-02-resources-probes";
import { k8sImages } from "./k8s-03-images";
import { k8sExposure } from "./k8s-04-exposure";
import { k8sNetworkPolicies } from "./k8s-05-network-policies";
import { k8sIdentityHygiene } from "./k8s-06-identity-hygiene";
import { k8sRbac } from "./k8s-07-rbac";
import { k8sSecretsByValue } from "./k8s-08-secrets-by-value";
import { k8sApiReachability } from "./k8s-09-api-reachability";
import { k8sHpaReplicas } from "./k8s-10-hpa-replicas";
import { k8sEdgeSecrets } from "./k8s-11-edge-secrets";

export const kubernetesPolicies: readonly PlatformPolicy[] = [
  eksCluster,
  k8sPodSecurity,
  k8sResourcesProbes,
  k8sImages,
  k8sExposure,
  k8sNetworkPolicies,
  k8sIdentityHygiene,
  k8sRbac,
  k8sSecretsByValue,
  k8sApiReachability,
  k8sHpaReplicas,
  k8sEdgeSecrets,
  eksNetworkPolicyEngine,
];

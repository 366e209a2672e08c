/**
 * Node autoscaling (D1), pure: the Cluster Autoscaler for EKS managed node groups. It discovers the node
 * groups' Auto Scaling groups by the tags EKS puts on them (`k8s.io/cluster-autoscaler/enabled`,
 * `k8s.io/cluster-autoscaler/<cluster>`), and scales each between its min and max. It calls the
 * Auto Scaling, EC2 and EKS APIs (DescribeNodegroup for scale-from-zero templates) and STS, all through
 * the interface endpoints the network already has (no NAT, no internet), with its own pod identity.
 * One node group per availability zone plus `balance-similar-node-groups` keeps zones even, so losing
 * one still leaves room (capacity-plan.ts checks the maxima).
 */
import type { MirroredImageRef } from "./images";
import { allowDns, apiServerRule, type ClusterAddresses, defaultDeny, egressPolicy, endpointsRule, podIdentityRule } from "./network-policies";
import { type KubeObject, limitRangeObject, namespaceObject, PART_OF_LABEL, resourceQuotaObject } from "./objects";

export const AUTOSCALER_NAMESPACE = "cluster-autoscaler";
export const AUTOSCALER_APP = "cluster-autoscaler";
export const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
export const AUTOSCALER_MIRROR = "cluster-autoscaler";
export const AUTOSCALER_CHART = { name: "cluster-autoscaler", upstream: "https://kubernetes.github.io/autoscaler" } as const;
const UID = 65534;

export function planAutoscalerNamespace(project: string, addresses: ClusterAddresses): KubeObject[] {
  const ns = AUTOSCALER_NAMESPACE;
  return [
    namespaceObject(ns, { [PART_OF_LABEL]: project }),
    defaultDeny(ns),
    allowDns(ns),
    egressPolicy(ns, AUTOSCALER_APP, "autoscaler-egress", [apiServerRule(addresses), endpointsRule(addresses), podIdentityRule()]),
    resourceQuotaObject(ns, { pods: "2", "requests.cpu": "500m", "requests.memory": "1Gi", "limits.cpu": "1", "limits.memory": "2Gi", "services.loadbalancers": "0", "services.nodeports": "0" }),
    limitRangeObject(ns, { default: { cpu: "200m", memory: "512Mi" }, defaultRequest: { cpu: "100m", memory: "300Mi" }, max: { cpu: "1", memory: "1Gi" } }),
  ];
}

/** Values for the `cluster-autoscaler` chart (Deployment, ServiceAccount, RBAC). */
export function autoscalerValues(args: { image: MirroredImageRef; clusterName: string; region: string }): Record<string, unknown> {
  return {
    cloudProvider: "aws",
    awsRegion: args.region,
    autoDiscovery: { clusterName: args.clusterName },
    image: { repository: args.image.repository, tag: `${args.image.tag}@${args.image.digest}`, pullPolicy: "IfNotPresent" },
    replicaCount: 1,
    rbac: { create: true, serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT, automountServiceAccountToken: true } },
    podLabels: { "app.kubernetes.io/name": AUTOSCALER_APP },
    extraArgs: {
      "balance-similar-node-groups": true,
      "skip-nodes-with-system-pods": false,
      expander: "least-waste",
      "scale-down-unneeded-time": "10m",
    },
    securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID, seccompProfile: { type: "RuntimeDefault" } },
    containerSecurityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { cpu: "500m", memory: "600Mi" } },
  };
}

/** What the autoscaler may do in AWS (IAM-01: writes only on this cluster's tagged groups). */
export function autoscalerPermissions(clusterName: string) {
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Sid: "ReadScalingState",
        Effect: "Allow" as const,
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
          "eks:DescribeNodegroup",
        ],
        Resource: "*",
      },
      {
        Sid: "ScaleThisClustersGroups",
        Effect: "Allow" as const,
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
    ],
  };
}

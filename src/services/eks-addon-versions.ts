/**
 * The EKS add-on builds this program may pin, per Kubernetes version, as EKS's own documentation lists
 * them (the "latest version of the Amazon EKS add-on type for each Kubernetes version" tables). A pin
 * that is not listed here for the cluster's version is refused: moving to a newer build means reading
 * the table again and recording it here with its source (docs/runbooks/kubernetes-upgrade.md).
 *
 * Two add-ons have no version table in the EKS user guide (eks-pod-identity-agent, the metrics-server
 * community add-on): EKS answers for them only through `DescribeAddonVersions`
 * (`addonVersions[].compatibilities[].clusterVersion`), which the offline program cannot call. Their
 * pins are marked unconfirmed, and the upgrade runbook has the deployer confirm them before `pulumi up`.
 */
import type { ClusterConfig } from "../config/sections/cluster";

export type AddonKey = keyof ClusterConfig["addons"];

export interface DocumentedAddonBuild {
  readonly version: string;
  /** Where EKS lists this build for the Kubernetes version, and when it was read. */
  readonly source: string;
}

/** Add-on name as EKS knows it, per config key. */
export const EKS_ADDON_NAMES: Readonly<Record<AddonKey, string>> = {
  vpcCni: "vpc-cni",
  coreDns: "coredns",
  kubeProxy: "kube-proxy",
  podIdentityAgent: "eks-pod-identity-agent",
  metricsServer: "metrics-server",
};

/** Add-ons without a version table in the EKS user guide: confirmed with DescribeAddonVersions only. */
export const ADDONS_WITHOUT_PUBLISHED_TABLE: readonly AddonKey[] = ["podIdentityAgent", "metricsServer"];

const READ = "read 2026-12-03";

export const DOCUMENTED_ADDON_BUILDS: Readonly<Record<string, Partial<Record<AddonKey, readonly DocumentedAddonBuild[]>>>> = {
  "1.35": {
    vpcCni: [{ version: "v1.21.1-eksbuild.7", source: `EKS user guide, "Amazon VPC CNI versions" (managing-vpc-cni), row 1.35, ${READ}` }],
    coreDns: [{ version: "v1.13.2-eksbuild.4", source: `EKS user guide, "CoreDNS versions" (managing-coredns), row 1.35, ${READ}` }],
    kubeProxy: [{ version: "v1.35.3-eksbuild.2", source: `EKS user guide, "kube-proxy versions" (managing-kube-proxy), row 1.35, ${READ}` }],
  },
};

/** One line per add-on pin that EKS's tables do not list for the cluster's version. */
export function undocumentedAddonPins(cluster: ClusterConfig): string[] {
  const listed = DOCUMENTED_ADDON_BUILDS[cluster.kubernetesVersion] ?? {};
  const problems: string[] = [];
  for (const key of Object.keys(EKS_ADDON_NAMES) as AddonKey[]) {
    if (ADDONS_WITHOUT_PUBLISHED_TABLE.includes(key)) continue;
    const builds = listed[key] ?? [];
    const pinned = cluster.addons[key];
    if (!builds.some((b) => b.version === pinned)) {
      const allowed = builds.length === 0 ? `no ${EKS_ADDON_NAMES[key]} build is recorded for Kubernetes ${cluster.kubernetesVersion}` : builds.map((b) => b.version).join(", ");
      problems.push(`fitness-platform:cluster.addons.${key} = ${pinned}: allowed: the ${EKS_ADDON_NAMES[key]} build EKS lists for Kubernetes ${cluster.kubernetesVersion} (${allowed})`);
    }
  }
  return problems;
}

/**
 * The cluster's Kubernetes version is in standard support (extended support is paid, and unsupported
 * versions cannot be created), and every pinned add-on version is published for it.
 * API shapes: EKS API reference, DescribeClusterVersions (`clusterVersions[].versionStatus`:
 * UNSUPPORTED | STANDARD_SUPPORT | EXTENDED_SUPPORT; `status` is deprecated) and DescribeAddonVersions
 * (`addons[].addonVersions[].compatibilities[].clusterVersion`).
 */
import { type AddonVersionInfo, type ClusterVersionInformation, DescribeAddonVersionsCommand, DescribeClusterVersionsCommand } from "@aws-sdk/client-eks";
import { ask } from "../ask";
import type { Check, Finding } from "../types";

export interface EksEvidence {
  readonly clusterVersion: Pick<ClusterVersionInformation, "clusterVersion" | "versionStatus" | "endOfStandardSupportDate"> | null;
  /** Add-on name → the versions published for the cluster's Kubernetes version. */
  readonly addonVersions: Readonly<Record<string, ReadonlyArray<Pick<AddonVersionInfo, "addonVersion" | "compatibilities">>>>;
}

const NAME = "eks";
const SUPPORT_NOTICE_DAYS = 60;

export const eksCheck: Check<EksEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const versions = new DescribeClusterVersionsCommand({ clusterVersions: [facts.kubernetesVersion], includeAll: true });
    const out = await ask(clients.eks, versions, () => clients.eks.send(versions));
    const clusterVersion = out.clusterVersions?.find((v) => v.clusterVersion === facts.kubernetesVersion) ?? null;
    const addonVersions: Record<string, AddonVersionInfo[]> = {};
    for (const addon of facts.addons) {
      const collected: AddonVersionInfo[] = [];
      let token: string | undefined;
      do {
        const command = new DescribeAddonVersionsCommand({ addonName: addon.name, kubernetesVersion: facts.kubernetesVersion, nextToken: token });
        const page = await ask(clients.eks, command, () => clients.eks.send(command));
        for (const a of page.addons ?? []) if (a.addonName === addon.name) collected.push(...(a.addonVersions ?? []));
        token = page.nextToken;
      } while (token !== undefined);
      addonVersions[addon.name] = collected;
    }
    return { clusterVersion, addonVersions };
  },
  evaluate(facts, evidence, { now }) {
    const findings: Finding[] = [];
    const key = `${facts.project}:cluster.kubernetesVersion`;
    const v = evidence.clusterVersion;
    if (v === null) {
      findings.push({ check: NAME, severity: "error", problem: `EKS does not offer Kubernetes ${facts.kubernetesVersion} in ${facts.region}`, action: `set ${key} to a version in standard support` });
    } else if (v.versionStatus !== "STANDARD_SUPPORT") {
      findings.push({ check: NAME, severity: "error", problem: `Kubernetes ${facts.kubernetesVersion} is ${v.versionStatus === "EXTENDED_SUPPORT" ? "in extended support (billed per cluster hour)" : `${v.versionStatus ?? "of unknown status"}`}, not in standard support${v.endOfStandardSupportDate === undefined ? "" : ` (ended ${new Date(v.endOfStandardSupportDate).toISOString().slice(0, 10)})`}`, action: `upgrade ${key} to a version in standard support` });
    } else if (v.endOfStandardSupportDate !== undefined) {
      const end = new Date(v.endOfStandardSupportDate);
      if ((end.getTime() - now.getTime()) / 86_400_000 <= SUPPORT_NOTICE_DAYS) {
        findings.push({ check: NAME, severity: "warning", problem: `standard support for Kubernetes ${facts.kubernetesVersion} ends on ${end.toISOString().slice(0, 10)}`, action: `plan the upgrade of ${key}` });
      }
    }
    for (const addon of facts.addons) {
      const published = evidence.addonVersions[addon.name] ?? [];
      const match = published.find((p) => p.addonVersion === addon.version);
      const compatible = match?.compatibilities?.some((c) => c.clusterVersion === facts.kubernetesVersion) ?? false;
      if (match === undefined || !compatible) {
        const suggested = published.find((p) => p.compatibilities?.some((c) => c.clusterVersion === facts.kubernetesVersion && c.defaultVersion === true))?.addonVersion ?? published[0]?.addonVersion;
        findings.push({ check: NAME, severity: "error", problem: `add-on ${addon.name} ${addon.version} is not published for Kubernetes ${facts.kubernetesVersion}`, action: suggested === undefined ? `choose a version of ${addon.name} for Kubernetes ${facts.kubernetesVersion}` : `pin a published version, e.g. ${suggested} (the default for ${facts.kubernetesVersion})` });
      }
    }
    return findings;
  },
};

import type { StackExport } from "../snapshot/types";
import { parseUrn } from "../snapshot/urn";
import { nameOf, propsOf, SnapshotIndex, tagsOf } from "../diff/resource-facts";
import { deriveFlows } from "./flows";
import { findLandmarks } from "./landmarks";
import { ZONES, type ArchitectureModel, type ArchNode, type ZoneInfo } from "./model";

/**
 * The architecture model of a snapshot: zones with their subnets, the landmarks, the flows. Pure and
 * deterministic; robust to a snapshot in which parts of the platform do not exist yet (they are
 * simply not drawn, and an empty zone says so).
 */
export function architectureModel(snapshot: StackExport): ArchitectureModel {
  const index = new SnapshotIndex(snapshot);
  const project = projectOf(snapshot) ?? "project";
  const landmarks = findLandmarks(index, `${project}-${index.stack}-`);
  const internet: ArchNode = { id: "internet", kind: "internet", label: "Internet", placement: "internet", urns: [] };
  const nodes: ArchNode[] = [internet, ...landmarks.map(({ id, kind, label, placement, urns }) => ({ id, kind, label, placement, urns }))];
  const edges = deriveFlows(index, landmarks);

  const subnets = index.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet");
  const zones: ZoneInfo[] = ZONES.map((zone) => ({
    zone,
    cidrs: subnets
      .filter((s) => tagsOf(s).zone === zone)
      .map((s) => propsOf(s).cidrBlock)
      .filter((c): c is string => typeof c === "string")
      .sort(byAddress),
  }));
  const vpc = index.resources.find((r) => r.type === "aws:ec2/vpc:Vpc");
  const vpcCidr = vpc === undefined ? undefined : propsOf(vpc).cidrBlock;
  const cluster = index.resources.find((r) => r.type === "aws:eks/cluster:Cluster");
  return {
    project,
    stack: index.stack,
    ...(typeof vpcCidr === "string" ? { vpcCidr } : {}),
    ...(cluster === undefined ? {} : { cluster: { urn: cluster.urn, label: clusterLabel(index, cluster.urn) } }),
    zones,
    nodes: nodes.sort((a, b) => a.placement.localeCompare(b.placement) || a.kind.localeCompare(b.kind) || a.label.localeCompare(b.label) || a.id.localeCompare(b.id)),
    edges,
  };
}

function projectOf(snapshot: StackExport): string | undefined {
  for (const r of snapshot.deployment.resources) {
    try {
      return parseUrn(r.urn).project;
    } catch {
      // a malformed URN: try the next resource
    }
  }
  return undefined;
}

function clusterLabel(index: SnapshotIndex, urn: string): string {
  const cluster = index.byUrn.get(urn);
  const props = cluster === undefined ? {} : propsOf(cluster);
  const nodeGroups = index.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").length;
  const version = typeof props.version === "string" ? `, Kubernetes ${props.version}` : "";
  const groups = nodeGroups === 0 ? "" : `, ${nodeGroups} node group${nodeGroups === 1 ? "" : "s"}`;
  return `EKS ${String(props.name ?? nameOf(urn))}${version}${groups}`;
}

/** IPv4 CIDRs in numeric order (10.20.2.0/24 before 10.20.10.0/24). */
function byAddress(a: string, b: string): number {
  const key = (cidr: string): number[] => cidr.split(/[./]/).map(Number);
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < Math.max(ka.length, kb.length); i += 1) {
    const d = (ka[i] ?? 0) - (kb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

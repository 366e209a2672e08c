/**
 * The architecture picture as data, before any drawing: the parts of the platform a reader needs
 * (edge, proxy, cluster, services, DB hosts, storage, messaging) placed in their zones, and the flows
 * between them. Derived from a snapshot by landmarks.ts and flows.ts; drawn by dot.ts.
 */
export type Zone = "dmz" | "app" | "data";
export const ZONES: readonly Zone[] = ["dmz", "app", "data"];

/** Where a node is drawn: outside everything, in a zone, inside the cluster (app zone), in the VPC, or among the regional services. */
export type Placement = "internet" | Zone | "cluster" | "vpc" | "regional";

export type NodeKind =
  | "internet"
  | "load-balancer"
  | "waf"
  | "proxy"
  | "gateway"
  | "service"
  | "log-shipper"
  | "db-host"
  | "bucket"
  | "topic"
  | "queue"
  | "vault"
  | "trail"
  | "flow-logs";

export interface ArchNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly placement: Placement;
  /** The snapshot resources this node stands for (the first is its main resource). */
  readonly urns: readonly string[];
}

export type FlowKind =
  | "request"
  | "sql"
  | "publish"
  | "deliver"
  | "consume"
  | "dead-letter"
  /** Publisher → consumer through topics and queues, in a folded picture (fold.ts). */
  | "events"
  | "egress"
  | "logs"
  | "backup"
  | "protects";

export interface ArchEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: FlowKind;
  readonly label: string;
}

export interface ZoneInfo {
  readonly zone: Zone;
  /** Subnet CIDRs tagged with the zone, in address order. */
  readonly cidrs: readonly string[];
}

export interface ArchitectureModel {
  readonly project: string;
  readonly stack: string;
  readonly vpcCidr?: string;
  readonly cluster?: { readonly label: string; readonly urn: string };
  readonly zones: readonly ZoneInfo[];
  readonly nodes: readonly ArchNode[];
  readonly edges: readonly ArchEdge[];
  /** Set when the model was folded to the service level (fold.ts): what was folded and why. */
  readonly folded?: string;
}

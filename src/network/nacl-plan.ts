/**
 * The network ACL of each zone, derived from the list of flows the design needs (D3, D6). NACLs are
 * stateless, so every flow becomes four rules: the forward rule on both sides and the return rule
 * (to the initiator's ephemeral ports) on both sides. Peers are whole zone regions, so the rules do
 * not change when an AZ is added, and rule numbers come from the flow, so they never shift.
 */
import { type SubnetPlan, zoneCidr } from "./subnet-plan";

export const ANYWHERE = "0.0.0.0/0";
export const HTTPS_PORT = 443;
export const HTTP_PORT = 80;
export const PROXY_PORT = 3128;
export const POSTGRES_PORT = 5432;
/** Patroni's REST API and etcd's client port (src/databases/host-layout.ts). */
export const PATRONI_API_PORT = 8008;
export const ETCD_CLIENT_PORT = 2379;
/** Source ports of load balancer nodes and of internet clients: anything from 1024. */
export const EPHEMERAL: PortRange = { from: 1024, to: 65535 };
/**
 * Source ports of the platform's Linux hosts, nodes and pods (ip_local_port_range starts at 32768).
 * Pods keep their own source port towards S3 because the VPC CNI runs with external SNAT
 * (AWS_VPC_K8S_CNI_EXTERNALSNAT=true, src/services/cluster-plan.ts); with the CNI's own SNAT the node
 * would rewrite it to a random port from 1024 up (--random-fully) and half the replies would fall
 * outside this range. Returns to them admit only these, which keeps every admin port (22, 3389) closed to 0.0.0.0/0
 * (CIS 5.1) and keeps 5432 closed to everything but the app zone.
 */
export const LINUX_EPHEMERAL: PortRange = { from: 32768, to: 65535 };

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** A zone of the subnet plan, the internet, or S3 through the gateway endpoint. */
export type Peer = { readonly zone: string } | "internet" | "s3";

export interface Flow {
  /** Fixed rule number of the forward rules (return rules: id + 50). Never reuse or renumber. */
  readonly id: number;
  readonly name: string;
  readonly from: Peer;
  readonly to: Peer;
  /** `all`: every protocol and port, only ever within one zone. */
  readonly protocol: "tcp" | "all";
  readonly ports: PortRange;
  /** Who opens the connection, which fixes the ports its return traffic goes to. */
  readonly initiator: "host" | "load-balancer" | "client";
  readonly why: string;
}

export interface NaclRule {
  readonly zone: string;
  readonly egress: boolean;
  readonly ruleNumber: number;
  /** "6" (tcp) or "-1" (all): the NACL API's protocol numbers. */
  readonly protocol: "6" | "-1";
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrBlock: string;
  readonly action: "allow";
  /** Flows this rule serves (several when two flows need the very same rule). */
  readonly flows: readonly string[];
}

export interface NaclPlan {
  readonly flows: readonly Flow[];
  readonly rules: Readonly<Record<string, readonly NaclRule[]>>;
}

export interface NaclPlanInput {
  /** The port of the in-cluster ingress gateway, the ALB's only target. */
  readonly ingressGatewayPort: number;
}

const single = (port: number): PortRange => ({ from: port, to: port });
const zone = (name: string): Peer => ({ zone: name });

/** Every flow the design needs, and nothing else. */
export function designFlows(input: NaclPlanInput): Flow[] {
  const gateway = input.ingressGatewayPort;
  return [
    { id: 100, name: "edge-https", from: "internet", to: zone("dmz"), protocol: "tcp", ports: single(HTTPS_PORT), initiator: "client", why: "clients to the edge ALB" },
    { id: 200, name: "edge-http", from: "internet", to: zone("dmz"), protocol: "tcp", ports: single(HTTP_PORT), initiator: "client", why: "clients to the edge ALB, redirected to HTTPS" },
    { id: 300, name: "proxy-upstream", from: zone("dmz"), to: "internet", protocol: "tcp", ports: single(HTTPS_PORT), initiator: "host", why: "the egress proxy to allowlisted names (CONNECT 443 only)" },
    { id: 400, name: "edge-to-gateway", from: zone("dmz"), to: zone("app"), protocol: "tcp", ports: single(gateway), initiator: "load-balancer", why: "the edge ALB to the in-cluster ingress gateway" },
    { id: 500, name: "app-to-proxy", from: zone("app"), to: zone("dmz"), protocol: "tcp", ports: single(PROXY_PORT), initiator: "host", why: "app workloads to the egress proxy (live exceptions only)" },
    { id: 600, name: "data-to-proxy", from: zone("data"), to: zone("dmz"), protocol: "tcp", ports: single(PROXY_PORT), initiator: "host", why: "database hosts to the egress proxy (live exceptions only)" },
    { id: 700, name: "proxy-lb-to-proxy", from: zone("dmz"), to: zone("dmz"), protocol: "tcp", ports: single(PROXY_PORT), initiator: "load-balancer", why: "the proxy NLB's health checks and cross-AZ forwarding" },
    { id: 800, name: "dmz-to-endpoints", from: zone("dmz"), to: zone("app"), protocol: "tcp", ports: single(HTTPS_PORT), initiator: "host", why: "DMZ hosts to the interface endpoints (SSM, logs)" },
    { id: 900, name: "app-internal", from: zone("app"), to: zone("app"), protocol: "all", ports: { from: 0, to: 0 }, initiator: "host", why: "nodes, pods, EKS control-plane ENIs and endpoints across AZs (SGs and network policies filter)" },
    { id: 1000, name: "data-to-endpoints", from: zone("data"), to: zone("app"), protocol: "tcp", ports: single(HTTPS_PORT), initiator: "host", why: "database hosts to the interface endpoints (SSM, Secrets Manager, KMS, logs)" },
    { id: 1100, name: "app-to-databases", from: zone("app"), to: zone("data"), protocol: "tcp", ports: single(POSTGRES_PORT), initiator: "host", why: "services to their PostgreSQL hosts" },
    { id: 1200, name: "app-to-s3", from: zone("app"), to: "s3", protocol: "tcp", ports: single(HTTPS_PORT), initiator: "host", why: "the S3 gateway endpoint (image layers, logs)" },
    { id: 1300, name: "data-to-s3", from: zone("data"), to: "s3", protocol: "tcp", ports: single(HTTPS_PORT), initiator: "host", why: "the S3 gateway endpoint (pgBackRest archive, logs)" },
    // Patroni clusters span the data subnets of several AZs (docs/decisions.md, "Highly available PostgreSQL").
    { id: 1400, name: "data-replication", from: zone("data"), to: zone("data"), protocol: "tcp", ports: single(POSTGRES_PORT), initiator: "host", why: "streaming replication and pg_rewind between PostgreSQL members" },
    { id: 1500, name: "data-patroni-api", from: zone("data"), to: zone("data"), protocol: "tcp", ports: single(PATRONI_API_PORT), initiator: "host", why: "Patroni members asking each other's REST API during leader elections" },
    { id: 1600, name: "data-consensus", from: zone("data"), to: zone("data"), protocol: "tcp", ports: { from: ETCD_CLIENT_PORT, to: ETCD_CLIENT_PORT + 1 }, initiator: "host", why: "Patroni to etcd (2379) and etcd peers (2380)" },
  ];
}

function peerZone(peer: Peer): string | undefined {
  return typeof peer === "object" ? peer.zone : undefined;
}

/**
 * S3's addresses are AWS's public ranges and change over time; a NACL cannot name the prefix list, so
 * S3 is 0.0.0.0/0 here. The route tables (no internet route) and the SGs (egress to the S3 prefix
 * list only) keep that traffic on the gateway endpoint.
 */
function peerCidr(plan: SubnetPlan, peer: Peer): string {
  const name = peerZone(peer);
  return name === undefined ? ANYWHERE : zoneCidr(plan, name);
}

/** Derives each zone's rules from the flows; identical rules needed by two flows are kept once. */
export function planNetworkAcls(plan: SubnetPlan, input: NaclPlanInput, flows: readonly Flow[] = designFlows(input)): NaclPlan {
  const rules = new Map<string, NaclRule[]>(Object.keys(plan.zoneCidrs).map((z) => [z, []]));
  const add = (zoneName: string | undefined, rule: Omit<NaclRule, "zone" | "action" | "flows">, flow: string) => {
    if (zoneName === undefined) return;
    const list = rules.get(zoneName);
    if (list === undefined) throw new Error(`flow "${flow}": zone "${zoneName}" is not in the subnet plan`);
    const same = list.find(
      (r) => r.egress === rule.egress && r.protocol === rule.protocol && r.fromPort === rule.fromPort && r.toPort === rule.toPort && r.cidrBlock === rule.cidrBlock,
    );
    if (same) {
      list[list.indexOf(same)] = { ...same, flows: [...same.flows, flow] };
      return;
    }
    if (list.some((r) => r.egress === rule.egress && r.ruleNumber === rule.ruleNumber)) {
      throw new Error(`flow "${flow}": rule number ${rule.ruleNumber} is taken in zone "${zoneName}"`);
    }
    list.push({ zone: zoneName, action: "allow", flows: [flow], ...rule });
  };

  const ids = new Set<number>();
  for (const flow of flows) {
    if (ids.has(flow.id) || flow.id % 100 !== 0 || flow.id < 100 || flow.id > 32700) {
      throw new Error(`flow "${flow.name}": id ${flow.id}; allowed: a unique multiple of 100 between 100 and 32700`);
    }
    ids.add(flow.id);
    const fromZone = peerZone(flow.from);
    const toZone = peerZone(flow.to);
    if (fromZone === undefined && toZone === undefined) throw new Error(`flow "${flow.name}": at least one side must be a zone`);
    const fromCidr = peerCidr(plan, flow.from);
    const toCidr = peerCidr(plan, flow.to);

    if (flow.protocol === "all") {
      if (fromZone === undefined || fromZone !== toZone) throw new Error(`flow "${flow.name}": protocol "all" is allowed only within one zone`);
      add(fromZone, { egress: true, ruleNumber: flow.id, protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: toCidr }, flow.name);
      add(toZone, { egress: false, ruleNumber: flow.id, protocol: "-1", fromPort: 0, toPort: 0, cidrBlock: fromCidr }, flow.name);
      continue;
    }
    const forward = { protocol: "6" as const, fromPort: flow.ports.from, toPort: flow.ports.to };
    if (toZone === undefined && flow.initiator !== "host") throw new Error(`flow "${flow.name}": only hosts open connections to the internet or S3`);
    const returns = flow.initiator === "host" ? LINUX_EPHEMERAL : EPHEMERAL;
    const back = { protocol: "6" as const, fromPort: returns.from, toPort: returns.to };
    add(fromZone, { egress: true, ruleNumber: flow.id, cidrBlock: toCidr, ...forward }, flow.name);
    add(toZone, { egress: false, ruleNumber: flow.id, cidrBlock: fromCidr, ...forward }, flow.name);
    add(toZone, { egress: true, ruleNumber: flow.id + 50, cidrBlock: fromCidr, ...back }, flow.name);
    add(fromZone, { egress: false, ruleNumber: flow.id + 50, cidrBlock: toCidr, ...back }, flow.name);
  }

  const sorted: Record<string, NaclRule[]> = {};
  for (const [z, list] of rules) {
    sorted[z] = [...list].sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber);
  }
  return { flows: [...flows], rules: sorted };
}

/** Whether a rule's protocol and port range admit tcp traffic to `port`. */
export function ruleCoversPort(rule: Pick<NaclRule, "protocol" | "fromPort" | "toPort">, port: number): boolean {
  return rule.protocol === "-1" || (rule.fromPort <= port && port <= rule.toPort);
}

import { contains, isDefaultRoute, overlaps, parseRange, reachesInternet, type AddressRange } from "./addresses";
import { EPHEMERAL, FlowSet } from "./flows";
import type { Endpoint, Group, Nacl, NetworkModel, Subnet } from "./model";
import type { RouteTargetKind } from "./types";

/**
 * Who can open connections to whom: security groups (stateful, both ends must agree), network ACLs
 * (stateless: the request and the return traffic must both pass, checked only between subnets) and
 * routes (inside a VPC always local; to the internet only through a gateway the subnet routes to).
 * Matches are over-approximated (a block that overlaps a subnet counts for the whole subnet), which
 * is the safe side for proving that a path does not exist.
 */
export const INTERNET = "internet";

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly flows: FlowSet;
  /** How traffic leaves for the internet, on edges to INTERNET. */
  readonly via?: string;
}

export interface Reachability {
  readonly nodes: ReadonlyMap<string, Endpoint>;
  readonly edges: readonly Edge[];
  /** zone -> zone -> flows, with "internet" as a zone. */
  readonly matrix: ReadonlyMap<string, ReadonlyMap<string, FlowSet>>;
  readonly zones: readonly string[];
}

type Peer = { readonly kind: "internet" } | { readonly kind: "endpoint"; readonly endpoint: Endpoint };

function peerMatchesBlock(peer: Peer, block: string, vpcRanges: readonly AddressRange[]): boolean {
  const range = parseRange(block);
  if (range === undefined) return false;
  if (peer.kind === "internet") return reachesInternet(range, vpcRanges);
  return peer.endpoint.subnet.ranges.some((r) => overlaps(range, r));
}

/** Flows that `groups` admit in `direction` to/from `peer`. */
function groupFlows(groups: readonly Group[], direction: "ingress" | "egress", peer: Peer, vpcRanges: readonly AddressRange[]): FlowSet {
  let flows = FlowSet.empty();
  let peerKeys: Set<string> | undefined;
  for (const group of groups) {
    for (const rule of group.rules) {
      if (rule.direction !== direction) continue;
      let matches = rule.cidrs.some((c) => peerMatchesBlock(peer, c, vpcRanges));
      if (!matches && peer.kind === "endpoint") {
        peerKeys ??= new Set(peer.endpoint.groups.map((g) => g.key));
        const keys = peerKeys;
        matches = rule.refs.some((k) => keys.has(k)) || (rule.self && keys.has(group.key));
      }
      if (matches) flows = flows.union(rule.flows);
    }
  }
  return flows;
}

/** Flows a network ACL lets through in one direction for a peer (rules in order, first match wins). */
export function naclFlows(nacl: Nacl, egress: boolean, peer: Peer, vpcRanges: readonly AddressRange[]): FlowSet {
  if (nacl.allowsAll) return FlowSet.all();
  let remaining = FlowSet.all();
  let allowed = FlowSet.empty();
  for (const rule of nacl.rules) {
    if (rule.egress !== egress) continue;
    const range = rule.range;
    if (range === undefined) continue;
    const peerRanges = peer.kind === "endpoint" ? peer.endpoint.subnet.ranges : [];
    const touches = peer.kind === "internet" ? reachesInternet(range, vpcRanges) : peerRanges.some((r) => overlaps(range, r));
    const covers = peer.kind === "internet" ? isDefaultRoute(range) : peerRanges.length > 0 && peerRanges.every((r) => contains(range, r));
    if (rule.allow && touches) allowed = allowed.union(remaining.intersect(rule.flows));
    else if (!rule.allow && covers) remaining = remaining.subtract(rule.flows);
  }
  return allowed;
}

/** Request flows through both NACLs, minus TCP/UDP when the return traffic cannot come back. */
function throughNacls(flows: FlowSet, outNacl: Nacl, toPeer: Peer, inNacl: Nacl, fromPeer: Peer, vpcRanges: readonly AddressRange[]): FlowSet {
  let result = flows.intersect(naclFlows(outNacl, true, toPeer, vpcRanges)).intersect(naclFlows(inNacl, false, fromPeer, vpcRanges));
  const returnOut = naclFlows(inNacl, true, fromPeer, vpcRanges).intersect(EPHEMERAL);
  const returnIn = naclFlows(outNacl, false, toPeer, vpcRanges).intersect(EPHEMERAL);
  const returned = returnOut.intersect(returnIn);
  for (const p of ["tcp", "udp"] as const) {
    if (returned.intersect(FlowSet.of(p, 0, 65535)).isEmpty()) result = result.subtract(FlowSet.of(p, 0, 65535));
  }
  return result;
}

/**
 * What the NACLs between two subnets let through, per pair of subnets: for endpoint peers naclFlows reads
 * only the peer's subnet (its ranges) and the subnet's NACL, so every endpoint pair of the same two
 * subnets gets the same filter. Flow sets are canonical (flows.ts), so `flows ∩ filter` equals what
 * throughNacls(flows, ...) gives: the intersections are associative and dropping TCP or UDP whole
 * commutes with them.
 */
class SubnetFilters {
  private readonly filters = new Map<Subnet, Map<Subnet, FlowSet>>();

  constructor(private readonly vpcRanges: readonly AddressRange[]) {}

  between(src: Endpoint, dst: Endpoint): FlowSet {
    let row = this.filters.get(src.subnet);
    if (row === undefined) this.filters.set(src.subnet, (row = new Map()));
    let filter = row.get(dst.subnet);
    if (filter === undefined) {
      filter = throughNacls(FlowSet.all(), src.subnet.nacl, { kind: "endpoint", endpoint: dst }, dst.subnet.nacl, { kind: "endpoint", endpoint: src }, this.vpcRanges);
      row.set(dst.subnet, filter);
    }
    return filter;
  }
}

/**
 * The flows from one endpoint to another inside a VPC depend only on the two endpoints' groups and
 * subnets: groupFlows reads the side's groups and, of the peer, its subnet's ranges and its group keys;
 * the NACL filter reads the two subnets. Endpoints with the same groups in the same subnet (replicas,
 * nodes of a group) therefore get the same flows, computed once per such pair of classes.
 */
class PairFlows {
  private readonly classes = new Map<Endpoint, string>();
  private readonly subnetIds = new Map<Subnet, number>();
  private readonly known = new Map<string, FlowSet>();
  private readonly filters: SubnetFilters;

  constructor(private readonly vpcRanges: readonly AddressRange[]) {
    this.filters = new SubnetFilters(vpcRanges);
  }

  between(src: Endpoint, dst: Endpoint): FlowSet {
    const key = `${this.classOf(src)}\u0001${this.classOf(dst)}`;
    let flows = this.known.get(key);
    if (flows === undefined) {
      flows = this.compute(src, dst);
      this.known.set(key, flows);
    }
    return flows;
  }

  private compute(src: Endpoint, dst: Endpoint): FlowSet {
    const out = groupFlows(src.groups, "egress", { kind: "endpoint", endpoint: dst }, this.vpcRanges);
    if (out.isEmpty()) return out;
    const flows = out.intersect(groupFlows(dst.groups, "ingress", { kind: "endpoint", endpoint: src }, this.vpcRanges));
    if (flows.isEmpty() || src.subnet === dst.subnet) return flows;
    return flows.intersect(this.filters.between(src, dst));
  }

  /** The subnet and the group keys, in order (a finer class than the set of keys, so never too coarse). */
  private classOf(e: Endpoint): string {
    let name = this.classes.get(e);
    if (name === undefined) {
      let subnet = this.subnetIds.get(e.subnet);
      if (subnet === undefined) this.subnetIds.set(e.subnet, (subnet = this.subnetIds.size));
      name = `${subnet}\u0000${e.groups.map((g) => g.key).join("\u0000")}`;
      this.classes.set(e, name);
    }
    return name;
  }
}

const NO_NACL: Nacl = { label: "the internet side", allowsAll: true, rules: [] };

/** Whether a subnet sends internet-bound traffic somewhere that reaches the internet, and how. */
function internetRoute(subnet: Subnet, family: 4 | 6, publicAddress: boolean): string | undefined {
  const leaving: ReadonlyArray<RouteTargetKind> =
    family === 4
      ? ["NAT gateway", "VPC peering connection", "transit gateway", "carrier gateway", "core network", "unidentified gateway", "network interface"]
      : ["egress-only internet gateway", "VPC peering connection", "transit gateway", "core network", "unidentified gateway", "network interface"];
  for (const route of subnet.routeTable.routes) {
    const dest = route.destination === undefined ? undefined : parseRange(route.destination);
    const toInternet = route.destination === undefined || (dest !== undefined && dest.family === family && reachesInternet(dest));
    if (!toInternet) continue;
    const target = route.target === undefined ? route.kind : `${route.kind} "${route.target.name}"`;
    if (route.kind === "internet gateway" && publicAddress) return `${subnet.routeTable.label} → ${target}`;
    if (leaving.includes(route.kind)) return `${subnet.routeTable.label} → ${target}`;
  }
  return undefined;
}

/**
 * The endpoints an endpoint's egress rules can reach at all: those in a subnet one of its blocks overlaps,
 * those holding a group it references, and its own group's members for a `self` rule. Any other endpoint
 * gets no flow from groupFlows(src, "egress", dst), so the pairwise check skips it: the analysis grows with
 * the pairs the rules allow, not with the square of the endpoints (hundreds of hosts, each allowed to
 * reach a few groups). In endpoint order, so the work is done in the same order as over all pairs.
 */
class EgressCandidates {
  private readonly order = new Map<Endpoint, number>();
  private readonly byGroup = new Map<string, Endpoint[]>();
  private readonly bySubnet = new Map<Subnet, Endpoint[]>();
  private readonly byBlock = new Map<string, readonly Endpoint[]>();

  constructor(endpoints: readonly Endpoint[]) {
    const append = <K>(map: Map<K, Endpoint[]>, key: K, e: Endpoint): void => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [e]);
      else list.push(e);
    };
    endpoints.forEach((e, i) => {
      this.order.set(e, i);
      for (const g of e.groups) append(this.byGroup, g.key, e);
      append(this.bySubnet, e.subnet, e);
    });
  }

  of(src: Endpoint): Endpoint[] {
    const found = new Set<Endpoint>();
    const add = (list: readonly Endpoint[] | undefined): void => list?.forEach((e) => found.add(e));
    for (const group of src.groups) {
      for (const rule of group.rules) {
        if (rule.direction !== "egress") continue;
        for (const block of rule.cidrs) add(this.inBlock(block));
        for (const key of rule.refs) add(this.byGroup.get(key));
        if (rule.self) add(this.byGroup.get(group.key));
      }
    }
    return [...found].sort((a, b) => (this.order.get(a) as number) - (this.order.get(b) as number));
  }

  /** Endpoints in subnets the block overlaps (peerMatchesBlock's test for an endpoint peer). */
  private inBlock(block: string): readonly Endpoint[] {
    let list = this.byBlock.get(block);
    if (list === undefined) {
      const range = parseRange(block);
      list = range === undefined ? [] : [...this.bySubnet].flatMap(([subnet, members]) => (subnet.ranges.some((r) => overlaps(range, r)) ? members : []));
      this.byBlock.set(block, list);
    }
    return list;
  }
}

export function analyse(model: NetworkModel): Reachability {
  const nodes = new Map(model.endpoints.map((e) => [e.key, e] as const));
  const { vpcRanges } = model;
  const edges: Edge[] = [];
  const internet: Peer = { kind: "internet" };
  const candidates = new EgressCandidates(model.endpoints);
  const pairFlows = new PairFlows(vpcRanges);
  for (const dst of model.endpoints) {
    // Internet → dst: a public address, a route back to the internet gateway, groups and NACL admitting it.
    for (const family of [4, 6] as const) {
      const publicAddress = family === 4 ? dst.publicIpv4 : dst.publicIpv6;
      if (!publicAddress) continue;
      const back = dst.subnet.routeTable.routes.some((r) => r.kind === "internet gateway" && (r.destination === undefined || parseRange(r.destination)?.family === family));
      if (!back) continue;
      const admitted = groupFlows(dst.groups, "ingress", internet, vpcRanges);
      const flows = throughNacls(admitted, NO_NACL, internet, dst.subnet.nacl, internet, vpcRanges);
      if (!flows.isEmpty()) {
        edges.push({ from: INTERNET, to: dst.key, flows });
        break;
      }
    }
  }
  for (const src of model.endpoints) {
    if (!src.originates) continue;
    // src → internet.
    if (src.forwardsToInternet) {
      const via = internetRoute(src.subnet, 4, src.publicIpv4) ?? internetRoute(src.subnet, 6, src.publicIpv6);
      if (via !== undefined) {
        const allowed = groupFlows(src.groups, "egress", internet, vpcRanges);
        const flows = throughNacls(allowed, src.subnet.nacl, internet, NO_NACL, internet, vpcRanges);
        if (!flows.isEmpty()) edges.push({ from: src.key, to: INTERNET, flows, via });
      }
    }
    // src → dst inside the VPC: only the endpoints src's egress rules can name at all (see egressCandidates).
    for (const dst of candidates.of(src)) {
      if (dst === src || dst.resource === src.resource) continue;
      if (src.subnet.vpc !== undefined && dst.subnet.vpc !== undefined && src.subnet.vpc !== dst.subnet.vpc) continue;
      const flows = pairFlows.between(src, dst);
      if (!flows.isEmpty()) edges.push({ from: src.key, to: dst.key, flows });
    }
  }
  sortByText(edges, (e) => `${e.from}\0${e.to}`);

  const zoneOf = (key: string): string => (key === INTERNET ? INTERNET : (nodes.get(key)?.subnet.zone ?? "untagged"));
  const matrix = new Map<string, Map<string, FlowSet>>();
  for (const edge of edges) {
    const row = matrix.get(zoneOf(edge.from)) ?? new Map<string, FlowSet>();
    row.set(zoneOf(edge.to), (row.get(zoneOf(edge.to)) ?? FlowSet.empty()).union(edge.flows));
    matrix.set(zoneOf(edge.from), row);
  }
  const order = [INTERNET, "dmz", "app", "data", "global"];
  const seen = new Set([...model.subnets.map((s) => s.zone), INTERNET, "dmz", "app", "data"]);
  const zones = [...seen].sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  return { nodes, edges, matrix, zones };
}

/**
 * Sorts in place by each item's text, in `localeCompare` order: ECMA-402 defines `a.localeCompare(b)` as a
 * comparison by a collator made as `new Intl.Collator()` (no locales, no options), so one such collator and
 * each text made once give the same order without building two texts per comparison.
 */
function sortByText<T>(items: T[], textOf: (item: T) => string): void {
  const collator = new Intl.Collator();
  const texts = new Map(items.map((item) => [item, textOf(item)] as const));
  items.sort((a, b) => collator.compare(texts.get(a) as string, texts.get(b) as string));
}

function rank(order: readonly string[], zone: string): number {
  const i = order.indexOf(zone);
  return i < 0 ? order.length : i;
}

export interface PathFinding {
  /** The app/data endpoint at the inside end of the path. */
  readonly endpoint: Endpoint;
  /** Node keys from the start to the end, INTERNET included. */
  readonly path: readonly string[];
}

const PROTECTED_ZONES = new Set(["app", "data"]);

function adjacency(edges: readonly Edge[], reverse: boolean): Map<string, Edge[]> {
  const map = new Map<string, Edge[]>();
  for (const e of edges) {
    const key = reverse ? e.to : e.from;
    const list = map.get(key) ?? [];
    list.push(e);
    map.set(key, list);
  }
  return map;
}

/** Paths from the internet into app/data that do not pass through the edge load balancer. */
export function inboundBypasses(r: Reachability): PathFinding[] {
  const next = adjacency(r.edges, false);
  const parent = new Map<string, string>([[INTERNET, ""]]);
  const queue = [INTERNET];
  for (let head = 0; head < queue.length; head++) {
    const key = queue[head] as string;
    if (key !== INTERNET && r.nodes.get(key)?.role === "edge load balancer") continue;
    for (const e of next.get(key) ?? []) {
      if (parent.has(e.to)) continue;
      parent.set(e.to, key);
      queue.push(e.to);
    }
  }
  return findings(r, parent, false);
}

/** Paths from app/data to the internet that do not pass through the egress proxy. */
export function outboundBypasses(r: Reachability): PathFinding[] {
  const prev = adjacency(r.edges, true);
  const child = new Map<string, string>([[INTERNET, ""]]);
  const queue = [INTERNET];
  for (let head = 0; head < queue.length; head++) {
    const key = queue[head] as string;
    if (key !== INTERNET && r.nodes.get(key)?.role === "egress proxy") continue;
    for (const e of prev.get(key) ?? []) {
      if (child.has(e.from)) continue;
      child.set(e.from, key);
      queue.push(e.from);
    }
  }
  return findings(r, child, true);
}

function findings(r: Reachability, links: Map<string, string>, outbound: boolean): PathFinding[] {
  const result: PathFinding[] = [];
  for (const [key, endpoint] of r.nodes) {
    // Interface endpoints are AWS's entry points to its APIs, not workloads of ours: reaching one is not a path into app/data.
    if (!PROTECTED_ZONES.has(endpoint.subnet.zone) || endpoint.kind === "interface endpoint" || !links.has(key)) continue;
    const path: string[] = [key];
    let cursor = links.get(key) as string;
    while (cursor !== "") {
      path.push(cursor);
      cursor = links.get(cursor) ?? "";
    }
    result.push({ endpoint, path: outbound ? path : path.reverse() });
  }
  return result.sort((a, b) => a.endpoint.key.localeCompare(b.endpoint.key));
}

const edgeIndexes = new WeakMap<Reachability, Map<string, Edge>>();

/** The edge from one node to another (each pair has at most one). */
function edgeBetween(r: Reachability, from: string, to: string): Edge | undefined {
  let index = edgeIndexes.get(r);
  if (index === undefined) {
    index = new Map(r.edges.map((e) => [`${e.from}\0${e.to}`, e] as const));
    edgeIndexes.set(r, index);
  }
  return index.get(`${from}\0${to}`);
}

/** "internet → load balancer "alb" (dmz) [tcp/443] → instance "api" (app) [tcp/8080]". */
export function describePath(r: Reachability, path: readonly string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const label = key === INTERNET ? INTERNET : (r.nodes.get(key)?.label ?? key);
    if (i === 0) {
      parts.push(label);
      continue;
    }
    const edge = edgeBetween(r, path[i - 1] as string, key);
    const how = edge === undefined ? "" : ` [${edge.flows.toString()}${edge.via === undefined ? "" : ` via ${edge.via}`}]`;
    parts.push(`${label}${how}`);
  }
  return parts.join(" → ");
}

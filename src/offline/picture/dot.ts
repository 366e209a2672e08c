import { foldModel, shouldFold } from "./fold";
import type { ArchEdge, ArchitectureModel, ArchNode, FlowKind, NodeKind, Zone } from "./model";

/**
 * The model as Graphviz DOT: the VPC holding one cluster per zone (the EKS cluster inside the app
 * zone), the regional services beside it, the internet outside, and the flows styled by kind.
 * Same model, same text: every list is already sorted, and nothing here depends on time or order of
 * discovery.
 */
const ZONE_STYLE: Record<Zone, { fill: string; title: string }> = {
  dmz: { fill: "#fdebd0", title: "dmz zone (public subnets)" },
  app: { fill: "#d6eaf8", title: "app zone (private subnets)" },
  data: { fill: "#d5f5e3", title: "data zone (isolated subnets)" },
};

const NODE_STYLE: Record<NodeKind, string> = {
  internet: 'shape=ellipse, style="filled", fillcolor="#ffffff", penwidth=2',
  "load-balancer": 'shape=box, style="rounded,filled", fillcolor="#ffffff", penwidth=2',
  waf: 'shape=octagon, style="filled", fillcolor="#ffffff"',
  proxy: 'shape=box, style="rounded,filled,dashed", fillcolor="#ffffff"',
  gateway: 'shape=component, style="filled", fillcolor="#ffffff"',
  service: 'shape=box, style="rounded,filled", fillcolor="#ffffff"',
  "log-shipper": 'shape=box, style="rounded,filled", fillcolor="#eeeeee"',
  "db-host": 'shape=cylinder, style="filled", fillcolor="#ffffff", penwidth=2',
  bucket: 'shape=folder, style="filled", fillcolor="#ffffff"',
  topic: 'shape=cds, style="filled", fillcolor="#ffffff"',
  queue: 'shape=box3d, style="filled", fillcolor="#ffffff"',
  vault: 'shape=cylinder, style="filled", fillcolor="#fef9e7"',
  trail: 'shape=note, style="filled", fillcolor="#ffffff"',
  "flow-logs": 'shape=note, style="filled", fillcolor="#ffffff"',
};

/** What each flow kind means, for the legend (only the kinds the picture draws are listed). */
const FLOW_MEANING: Record<FlowKind, string> = {
  request: "synchronous request (HTTPS at the edge, REST between services: D3)",
  sql: "SQL over TLS to a service's own database",
  publish: "publish to an SNS topic (D2)",
  deliver: "topic → queue subscription",
  consume: "queue consumed by a service",
  "dead-letter": "failed messages to the dead-letter queue",
  events: "events from publisher to consumer (topics and queues folded)",
  egress: "egress through the proxy (allowlisted hosts only: D6)",
  logs: "logs and audit trails to the archive",
  backup: "backups: pgBackRest PITR and AWS Backup snapshots (D7)",
  protects: "WAF filters the load balancer",
};

/** How each flow kind is drawn in the legend's sample line: colour and dash pattern as the edge has them. */
const FLOW_SAMPLE: Record<FlowKind, { color: string; line: string }> = {
  request: { color: "#1b2631", line: "━━━▶" },
  sql: { color: "#1f618d", line: "━━━▶" },
  publish: { color: "#ca6f1e", line: "───▶" },
  deliver: { color: "#ca6f1e", line: "───▶" },
  consume: { color: "#ca6f1e", line: "───▶" },
  "dead-letter": { color: "#ca6f1e", line: "- - ▶" },
  events: { color: "#ca6f1e", line: "───▶" },
  egress: { color: "#c0392b", line: "- - ▶" },
  logs: { color: "#7f8c8d", line: "····▶" },
  backup: { color: "#1e8449", line: "━━━▶" },
  protects: { color: "#7f8c8d", line: "- - -" },
};

const NODE_MEANING: Record<NodeKind, string> = {
  internet: "ellipse: the internet",
  "load-balancer": "bold box: internet-facing load balancer",
  waf: "octagon: web application firewall",
  proxy: "dashed box: egress proxy",
  gateway: "component: in-cluster ingress gateway",
  service: "rounded box: a catalog service (D1)",
  "log-shipper": "grey box: log shipper",
  "db-host": "bold cylinder: PostgreSQL host (critical data: D5)",
  bucket: "folder: S3 bucket",
  topic: "tab: SNS topic",
  queue: "3D box: SQS queue",
  vault: "yellow cylinder: AWS Backup vault",
  trail: "note: CloudTrail",
  "flow-logs": "note: VPC flow logs",
};

/** Zones left to right, then the regional services: the order never depends on the input's. */
const ZONE_ORDER = ["dmz", "app", "data"] as const;

const EDGE_STYLE: Record<FlowKind, string> = {
  request: 'color="#1b2631", penwidth=1.6',
  sql: 'color="#1f618d", penwidth=1.4',
  publish: 'color="#ca6f1e"',
  deliver: 'color="#ca6f1e"',
  consume: 'color="#ca6f1e"',
  "dead-letter": 'color="#ca6f1e", style=dashed',
  events: 'color="#ca6f1e"',
  egress: 'color="#c0392b", style=dashed',
  logs: 'color="#7f8c8d", style=dotted',
  backup: 'color="#1e8449", penwidth=1.4',
  protects: 'color="#7f8c8d", style=dashed, arrowhead=none',
};

export interface DotOptions {
  /**
   * Draw the model at the service level (fold.ts). By default only models with more than
   * FOLD_ABOVE_SERVICES services are folded; `false` draws every topic and queue however large.
   */
  readonly fold?: boolean;
}

export function toDot(whole: ArchitectureModel, options: DotOptions = {}): string {
  const model = whole.folded === undefined && (options.fold ?? shouldFold(whole)) ? foldModel(whole) : whole;
  const title = `${model.project} / ${model.stack}: architecture drawn from the stack snapshot`;
  const out: string[] = [];
  const write = (depth: number, line: string): void => {
    out.push(`${"  ".repeat(depth)}${line}`);
  };
  const nodeLine = (depth: number, node: ArchNode): void => write(depth, `${quote(node.id)} [label=${quote(node.label)}, ${NODE_STYLE[node.kind]}];`);
  const placed = (placement: ArchNode["placement"]): ArchNode[] => model.nodes.filter((n) => n.placement === placement);

  write(0, `digraph ${quote(`${model.project}-${model.stack}`)} {`);
  write(
    1,
    `graph [rankdir=LR, compound=true, newrank=true, nodesep=0.35, ranksep=0.9, fontname="Helvetica", fontsize=16, labelloc=t, label=${quote(
      model.folded === undefined ? title : `${title}\n${model.folded}`,
    )}];`,
  );
  // Folded pictures are large: straight edges, since spline routing drops some flat edges (between
  // services of one rank) there with "triangulation failed".
  if (model.folded !== undefined) write(1, "splines=line;");
  // Sizes chosen to stay legible when the picture is shown scaled to a page (README, PR artifact).
  write(1, 'node [fontname="Helvetica", fontsize=14, margin="0.2,0.06"];');
  write(1, 'edge [fontname="Helvetica", fontsize=12];');
  for (const node of placed("internet")) nodeLine(1, node);
  // The internet sits at the left edge; flows back to it (egress) do not pull it into the VPC.
  if (placed("internet").length > 0) write(1, `{ rank=min; ${placed("internet").map((n) => quote(n.id)).join("; ")}; }`);

  write(1, `subgraph ${quote("cluster_vpc")} {`);
  write(2, `label=${quote(model.vpcCidr === undefined ? "VPC" : `VPC ${model.vpcCidr}`)}; style="rounded"; color="#5d6d7e";`);
  const zones = ZONE_ORDER.map((name) => model.zones.find((z) => z.zone === name) ?? { zone: name, cidrs: [] });
  for (const zone of zones) {
    write(2, `subgraph ${quote(`cluster_zone_${zone.zone}`)} {`);
    // An invisible anchor per zone, chained below in ZONE_ORDER, fixes the zones' order left to right.
    write(3, `${quote(`anchor_${zone.zone}`)} [label="", shape=point, style=invis, width=0, height=0];`);
    const cidrs = zone.cidrs.length === 0 ? "" : `\n${zone.cidrs.join(", ")}`;
    write(3, `label=${quote(`${ZONE_STYLE[zone.zone].title}${cidrs}`)}; style="rounded,filled"; fillcolor="${ZONE_STYLE[zone.zone].fill}"; color="#5d6d7e";`);
    const inZone = placed(zone.zone);
    const inCluster = zone.zone === "app" ? placed("cluster") : [];
    for (const node of inZone) nodeLine(3, node);
    if (inCluster.length > 0 || (zone.zone === "app" && model.cluster !== undefined)) {
      write(3, `subgraph ${quote("cluster_eks")} {`);
      write(4, `label=${quote(model.cluster?.label ?? "Kubernetes")}; style="rounded,filled"; fillcolor="#ebf5fb"; color="#2e86c1";`);
      for (const node of inCluster) nodeLine(4, node);
      if (inCluster.length === 0) write(4, `${quote("eks_empty")} [label="(no workloads)", shape=plaintext];`);
      write(3, "}");
    }
    if (inZone.length === 0 && inCluster.length === 0 && !(zone.zone === "app" && model.cluster !== undefined)) {
      write(3, `${quote(`zone_${zone.zone}_empty`)} [label="(nothing deployed in this zone)", shape=plaintext];`);
    }
    write(2, "}");
  }
  for (const node of placed("vpc")) nodeLine(2, node);
  write(1, "}");

  const regional = placed("regional");
  const anchors = ZONE_ORDER.map((z) => `anchor_${z}`);
  if (regional.length > 0) {
    write(1, `subgraph ${quote("cluster_regional")} {`);
    write(2, `label=${quote("AWS regional services (outside the VPC, reached through VPC endpoints)")}; style="rounded,filled"; fillcolor="#f4f6f7"; color="#5d6d7e";`);
    write(2, `${quote("anchor_regional")} [label="", shape=point, style=invis, width=0, height=0];`);
    for (const node of regional) nodeLine(2, node);
    write(1, "}");
    anchors.push("anchor_regional");
  }
  // Each zone's nodes sit at or after its anchor and before the next zone's anchor: the zones take
  // disjoint rank ranges, left to right in ZONE_ORDER, then the regional services.
  write(1, `${anchors.map(quote).join(" -> ")} [style=invis];`);
  const bandOf = new Map<string, number>();
  for (const node of model.nodes) {
    const band = BAND[node.placement];
    if (band === undefined) continue;
    bandOf.set(node.id, band);
    write(1, `${quote(anchors[band] as string)} -> ${quote(node.id)} [style=invis, minlen=0];`);
    const next = anchors[band + 1];
    if (next !== undefined) write(1, `${quote(node.id)} -> ${quote(next)} [style=invis];`);
  }
  const against = (edge: ArchEdge): boolean => (bandOf.get(edge.from) ?? -1) > (bandOf.get(edge.to) ?? Number.MAX_SAFE_INTEGER);
  for (const edge of model.edges) write(1, edgeLine(edge, against(edge)));
  legend(model, write);
  write(0, "}");
  return `${out.join("\n")}\n`;
}

/** One HTML-label node explaining every node shape and flow style the picture uses. */
function legend(model: ArchitectureModel, write: (depth: number, line: string) => void): void {
  const kinds = new Set(model.edges.map((e) => e.kind));
  const nodeKinds = new Set(model.nodes.map((n) => n.kind));
  const rows: string[] = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>'];
  for (const kind of Object.keys(FLOW_MEANING) as FlowKind[]) {
    if (!kinds.has(kind)) continue;
    const sample = FLOW_SAMPLE[kind];
    rows.push(`<TR><TD ALIGN="LEFT"><FONT COLOR="${sample.color}">${html(sample.line)}</FONT></TD><TD ALIGN="LEFT">${html(FLOW_MEANING[kind])}</TD></TR>`);
  }
  for (const kind of Object.keys(NODE_MEANING) as NodeKind[]) {
    if (nodeKinds.has(kind)) rows.push(`<TR><TD COLSPAN="2" ALIGN="LEFT">${html(NODE_MEANING[kind])}</TD></TR>`);
  }
  write(1, `${quote("legend")} [shape=plaintext, fontsize=13, label=<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3" COLOR="#5d6d7e">${rows.join("")}</TABLE>>];`);
  // Beside the internet, at the left edge, clear of the zones.
  write(1, `{ rank=min; ${quote("legend")}; }`);
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The band (index into the anchors) of each placement; the internet and the VPC-wide nodes float. */
const BAND: Partial<Record<ArchNode["placement"], number>> = { dmz: 0, app: 1, cluster: 1, data: 2, regional: 3 };

function edgeLine(edge: ArchEdge, againstZoneOrder: boolean): string {
  // Event flows between services do not rank them: a ring of subscriptions would otherwise stretch
  // the cluster into one rank per service, which `dot` lays out in minutes.
  // Service-to-service calls likewise: a chain of calls must not stretch the cluster into a rank per service.
  const sideways = edge.kind === "request" && edge.from.startsWith("svc:") && edge.to.startsWith("svc:");
  // A flow back towards an earlier zone (a service's egress to the DMZ proxy) does not rank either.
  const back = edge.to === "internet" || edge.kind === "events" || sideways || againstZoneOrder ? ", constraint=false" : "";
  return `${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.label)}, ${EDGE_STYLE[edge.kind]}${back}];`;
}

/** A DOT quoted string; line breaks become centred `\n` line breaks. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

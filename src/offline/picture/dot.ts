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
    `graph [rankdir=LR, compound=true, newrank=true, nodesep=0.3, ranksep=0.8, fontname="Helvetica", fontsize=12, labelloc=t, label=${quote(
      model.folded === undefined ? title : `${title}\n${model.folded}`,
    )}];`,
  );
  // Folded pictures are large: straight edges, since spline routing drops some flat edges (between
  // services of one rank) there with "triangulation failed".
  if (model.folded !== undefined) write(1, "splines=line;");
  write(1, 'node [fontname="Helvetica", fontsize=10, margin="0.2,0.06"];');
  write(1, 'edge [fontname="Helvetica", fontsize=9];');
  for (const node of placed("internet")) nodeLine(1, node);
  // The internet sits at the left edge; flows back to it (egress) do not pull it into the VPC.
  if (placed("internet").length > 0) write(1, `{ rank=min; ${placed("internet").map((n) => quote(n.id)).join("; ")}; }`);

  write(1, `subgraph ${quote("cluster_vpc")} {`);
  write(2, `label=${quote(model.vpcCidr === undefined ? "VPC" : `VPC ${model.vpcCidr}`)}; style="rounded"; color="#5d6d7e";`);
  for (const zone of model.zones) {
    write(2, `subgraph ${quote(`cluster_zone_${zone.zone}`)} {`);
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
  if (regional.length > 0) {
    write(1, `subgraph ${quote("cluster_regional")} {`);
    write(2, `label=${quote("AWS regional services (outside the VPC, reached through VPC endpoints)")}; style="rounded,filled"; fillcolor="#f4f6f7"; color="#5d6d7e";`);
    for (const node of regional) nodeLine(2, node);
    write(1, "}");
  }
  for (const edge of model.edges) write(1, edgeLine(edge));
  write(0, "}");
  return `${out.join("\n")}\n`;
}

function edgeLine(edge: ArchEdge): string {
  // Event flows between services do not rank them: a ring of subscriptions would otherwise stretch
  // the cluster into one rank per service, which `dot` lays out in minutes.
  const back = edge.to === "internet" || edge.kind === "events" ? ", constraint=false" : "";
  return `${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.label)}, ${EDGE_STYLE[edge.kind]}${back}];`;
}

/** A DOT quoted string; line breaks become centred `\n` line breaks. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

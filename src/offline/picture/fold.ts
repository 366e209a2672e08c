import type { ArchEdge, ArchitectureModel, ArchNode, NodeKind } from "./model";

/**
 * Above this many services the picture is drawn folded. Graphviz `dot`'s ranking and crossing
 * minimisation inside the nested zone clusters grows much faster than the graph: every service adds a
 * topic, a queue, a dead-letter queue and their flows, and 100 services did not lay out in 20 minutes.
 * The platform's own catalog (5 services) stays well below and is drawn in full.
 */
export const FOLD_ABOVE_SERVICES = 12;

/** How many event names an aggregated flow's label spells out before it says `(+n)`. */
const NAMED_EVENTS = 2;

const MESSAGING: ReadonlySet<NodeKind> = new Set(["topic", "queue"]);

/** Whether the picture of this model is drawn folded. */
export function shouldFold(model: ArchitectureModel): boolean {
  return model.nodes.filter((n) => n.kind === "service").length > FOLD_ABOVE_SERVICES;
}

/**
 * The model at the service level: topics and queues (dead-letter queues included) are not drawn;
 * each chain publisher → topic → queue → consumer becomes one `events` flow per (publisher,
 * consumer) pair naming the events it carries, and the remaining flows are merged per (from, to)
 * pair. Every other node (zones, services, DB hosts, edge, proxy, buckets, ...) stays. `folded`
 * says what was folded, for the picture's note.
 */
export function foldModel(model: ArchitectureModel): ArchitectureModel {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const isMessaging = (id: string): boolean => MESSAGING.has(byId.get(id)?.kind ?? "internet");
  const outgoing = new Map<string, ArchEdge[]>();
  for (const edge of model.edges) {
    const list = outgoing.get(edge.from);
    if (list === undefined) outgoing.set(edge.from, [edge]);
    else list.push(edge);
  }

  // Publisher → consumer through topics and queues; the event is the first topic on the way (a
  // queue written to directly carries the queue's own name). Collected as node ids, named below.
  const events = new Map<string, Set<string>>();
  const reached = new Set<string>();
  for (const edge of model.edges) {
    if (isMessaging(edge.from) || !isMessaging(edge.to)) continue;
    const seen = new Set<string>();
    const walk = (id: string, event: string | undefined): void => {
      const node = byId.get(id) as ArchNode;
      const carried = event ?? (node.kind === "topic" ? id : undefined);
      if (seen.has(`${id}\0${carried ?? ""}`)) return;
      seen.add(`${id}\0${carried ?? ""}`);
      reached.add(id);
      for (const next of outgoing.get(id) ?? []) {
        // Dead letters go nowhere further; the queue is folded with the flow it backs.
        if (next.kind === "dead-letter") reached.add(next.to);
        else if (isMessaging(next.to)) walk(next.to, carried);
        else pairSet(events, edge.from, next.to).add(carried ?? edge.to);
      }
    };
    walk(edge.to, undefined);
  }

  const merged = new Map<string, ArchEdge[]>();
  for (const edge of model.edges) {
    if (isMessaging(edge.from) || isMessaging(edge.to)) continue;
    const key = `${edge.from}\0${edge.to}`;
    const group = merged.get(key);
    if (group === undefined) merged.set(key, [edge]);
    else group.push(edge);
  }
  const edges: ArchEdge[] = [...merged.values()].map((group) => {
    const first = [...group].sort((a, b) => a.kind.localeCompare(b.kind))[0] as ArchEdge;
    return group.length === 1 ? first : { ...first, label: [...new Set(group.map((e) => e.label))].sort().join(" + ") };
  });
  const carriers = [...new Set([...events.values()].flatMap((ids) => [...ids]))].map((id) => byId.get(id) as ArchNode);
  const eventName = eventNamer(carriers);
  for (const [key, ids] of events) {
    const [from, to] = key.split("\0") as [string, string];
    const sorted = [...new Set([...ids].map((id) => eventName(byId.get(id) as ArchNode)))].sort();
    const shown = sorted.slice(0, NAMED_EVENTS).join(", ");
    const more = sorted.length > NAMED_EVENTS ? ` (+${sorted.length - NAMED_EVENTS})` : "";
    edges.push({ from, to, kind: "events", label: `events: ${shown}${more}` });
  }

  const messaging = model.nodes.filter((n) => MESSAGING.has(n.kind));
  const topics = messaging.filter((n) => n.kind === "topic").length;
  const unreached = messaging.filter((n) => !reached.has(n.id)).length;
  const services = model.nodes.filter((n) => n.kind === "service").length;
  const note = [
    `folded view: ${services} services (more than ${FOLD_ABOVE_SERVICES}) would not lay out in reasonable time in full;`,
    `${topics} topics and ${messaging.length - topics} queues (dead-letter queues included) are drawn as event flows per publisher → consumer pair`,
    ...(unreached > 0 ? [`(${unreached} with no publishing part in the snapshot not drawn)`] : []),
  ].join(" ");
  return {
    ...model,
    nodes: model.nodes.filter((n) => !MESSAGING.has(n.kind)),
    edges: edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind)),
    folded: note,
  };
}

function pairSet(map: Map<string, Set<string>>, from: string, to: string): Set<string> {
  const key = `${from}\0${to}`;
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  return set;
}

/**
 * A short event name from a topic or queue label: without the `SNS `/`SQS ` kind and without the
 * name prefix all drawn events share (`messaging-`), so `SNS messaging-order-placed` reads `order-placed`.
 */
function eventNamer(carriers: readonly ArchNode[]): (node: ArchNode) => string {
  const bare = (label: string): string => label.replace(/^(SNS|SQS) /, "");
  const names = carriers.map((t) => bare(t.label)).sort();
  let prefix = "";
  const first = names[0];
  if (first !== undefined && names.length > 1) {
    const segments = first.split("-");
    for (let i = 1; i < segments.length; i += 1) {
      const candidate = `${segments.slice(0, i).join("-")}-`;
      if (!names.every((n) => n.startsWith(candidate) && n.length > candidate.length)) break;
      prefix = candidate;
    }
  }
  return (node) => {
    const name = bare(node.label);
    return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
  };
}

import type { MessagingPlan } from "./topology";

/**
 * The events table of docs/messaging.md, rendered from the plan so the document cannot drift from the
 * catalog (test/unit/messaging-docs.test.ts compares them).
 */
export const EVENT_TABLE_BEGIN = "<!-- events-table:begin (generated from src/config/catalog.yaml) -->";
export const EVENT_TABLE_END = "<!-- events-table:end -->";

export function renderEventTable(plan: MessagingPlan): string {
  const rows = plan.topics.map((t) => {
    const queues = t.subscribers.map((s) => {
      const queue = plan.queues.find((q) => q.service === s && q.events.includes(t.event));
      return queue === undefined ? s : `${s} (${queue.kind === "fifo" ? "FIFO queue" : "queue"})`;
    });
    return `| \`${t.event}\` | ${t.fifo ? "yes" : "no"} | ${t.publishers.join(", ")} | ${queues.join(", ") || "none"} | ${t.description} |`;
  });
  return [
    EVENT_TABLE_BEGIN,
    "| event | FIFO | published by | subscribed by | meaning |",
    "|---|---|---|---|---|",
    ...rows,
    EVENT_TABLE_END,
  ].join("\n");
}

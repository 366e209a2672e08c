import { defineStackPolicy } from "../framework/define";
import { StackIndex } from "../framework/stack-index";
import { waiverLedger } from "../framework/waivers";
import { egressHostProblem } from "../../src/config/egress-host";
import type { ExceptionRecord } from "../../src/dmz/egress-register";
import { hostExceptions, proxyCompute, registers, resourceLabel } from "./egress-facts";

/** The design's hard ceiling on an exception's lifetime; a stack may set a lower maximum, never a higher one. */
export const HARD_MAX_LIFETIME_DAYS = 90;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const days = (from: string, to: string): number => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const validDate = (value: string): boolean => DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));

/** Everything wrong with one exception, judged on `today` against `max` days. */
export function exceptionProblems(e: ExceptionRecord, today: string, max: number): string[] {
  const problems: string[] = [];
  // The same Public Suffix List judgement as config validation: never a public suffix, never AWS itself.
  const hostProblem = egressHostProblem(e.host);
  if (hostProblem !== undefined) problems.push(`host "${e.host}" is refused: ${hostProblem}`);
  if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(e.owner)) problems.push(e.owner === "" ? "has no owner" : `owner "${e.owner}" is not an e-mail address`);
  if (!/^[A-Z][A-Z0-9]+-\d+$/.test(e.ticket)) problems.push(e.ticket === "" ? "has no ticket" : `ticket "${e.ticket}" is not a ticket id`);
  if (e.reason.trim().length < 10) problems.push(e.reason.trim() === "" ? "has no reason" : "gives no real reason (under 10 characters)");
  if (!validDate(e.expires)) {
    problems.push(e.expires === "" ? "has no expiry date" : `expiry "${e.expires}" is not a date`);
    return problems;
  }
  if (e.expires < today) problems.push(`expired on ${e.expires}`);
  if (days(today, e.expires) > max) problems.push(`expires ${e.expires}, more than ${max} days from today (${today})`);
  if (!validDate(e.granted)) problems.push(e.granted === "" ? "has no grant date" : `grant date "${e.granted}" is not a date`);
  else if (e.granted > e.expires) problems.push(`is granted (${e.granted}) after it expires (${e.expires})`);
  else if (days(e.granted, e.expires) > max) problems.push(`lasts ${days(e.granted, e.expires)} days (${e.granted}..${e.expires}); at most ${max}`);
  return problems;
}

export const egr01EgressExceptions = defineStackPolicy({
  meta: {
    id: "EGR-01",
    title: "Every egress exception has owner, ticket, reason and a near, future expiry",
    severity: "high",
    decisions: ["D6"],
    controls: { other: ["tfsec/Trivy exp: ignores"] },
    description:
      "The egress proxy's exceptions, read from the register the stack deploys (SSM parameter <project>/<stack>/egress/exceptions) " +
      "and from the dated exceptions file in the proxy hosts' user-data: each names an owner (e-mail), a ticket, a reason and an " +
      "expiry that is not past and lies within the stack's maximum lifetime (never above 90 days), counted from its grant date and " +
      "from today. An expired exception fails, as does a name the hosts allow that the register does not list.",
    remediation:
      "Follow docs/runbooks/egress-exception.md: give the exception owner, ticket, reason and an expiry within the maximum, or remove " +
      "it from Pulumi.<stack>.yaml (egress.exceptions) and deploy. Expired entries are dropped by the hosts themselves, but stay in " +
      "the deployed register until the next deploy.",
    enforcementLevel: "mandatory",
  },
  config: {
    maxLifetimeDays: { type: "integer", minimum: 1, maximum: HARD_MAX_LIFETIME_DAYS, default: HARD_MAX_LIFETIME_DAYS },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const found = registers(index);
    const hosts = proxyCompute(index);
    if (found.length === 0 && hosts.length === 0) args.notApplicable("the stack has no egress proxy and no exceptions register");
    const today = waiverLedger.today();
    const ceiling = args.getConfig<{ maxLifetimeDays?: number }>().maxLifetimeDays ?? HARD_MAX_LIFETIME_DAYS;

    if (found.length === 0) {
      for (const host of hosts) {
        reportViolation(`${resourceLabel(host)} is an egress proxy, but the stack has no exceptions register (SSM parameter .../egress/exceptions).`, host.urn);
      }
    }
    const registered = new Set<string>();
    for (const { resource, document } of found) {
      if ("error" in document) {
        reportViolation(`Exceptions register "${resource.name}" ${document.error}.`, resource.urn);
        continue;
      }
      let max = ceiling;
      if (!Number.isFinite(document.maxLifetimeDays)) {
        reportViolation(`Exceptions register "${resource.name}" states no maximum lifetime; judged against ${ceiling} days.`, resource.urn);
      } else if (document.maxLifetimeDays > ceiling) {
        reportViolation(`Exceptions register "${resource.name}" allows ${document.maxLifetimeDays} days; at most ${ceiling}.`, resource.urn);
      } else max = document.maxLifetimeDays;
      for (const e of document.exceptions) {
        registered.add(`${e.host}\0${e.expires}`);
        for (const problem of exceptionProblems(e, today, max)) {
          reportViolation(`Egress exception "${e.host}" (${e.ticket || "no ticket"}) ${problem}.`, resource.urn);
        }
      }
    }
    // The hosts enforce their own copy: every name they allow must be in the register, with the same expiry.
    if (found.length > 0) {
      for (const host of hosts) {
        for (const entry of hostExceptions(host) ?? []) {
          if (!registered.has(`${entry.host}\0${entry.expires}`)) {
            reportViolation(`${resourceLabel(host)} allows "${entry.host}" until ${entry.expires}, which the exceptions register does not list.`, host.urn);
          }
        }
      }
    }
  },
});

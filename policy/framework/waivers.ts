import type { PolicyMetadata } from "./metadata";
import { normaliseKey } from "./findings";
import { isRecord, text } from "./props";

/**
 * Waivers are policy configuration: each policy's entry in the per-stack config file
 * (`policy/config/<stack>.json`, the file given to `--policy-pack-config`) may list waivers for its
 * own violations. Keeping them under the waived policy is what lets the Pulumi engine deliver them to
 * that policy (a policy only ever sees its own config), so the CLI and the offline auditor honour
 * exactly the same waivers.
 *
 * A waiver accepts one finding: the policy, the resource and the finding's own key (see
 * framework/findings.ts), e.g. `tcp/3389 from 203.0.113.0/24` or `action s3:PutObject on *`. A change to
 * the finding (a wider port range, another action) changes its key, so the waiver no longer covers it.
 */
export interface Waiver {
  /** The waived policy; implied by where the waiver is listed, optional in the file. */
  readonly policy?: string;
  /** URN or logical name of the waived resource; "stack" for a violation that names no resource. */
  readonly resource: string;
  /** The key of the accepted finding, exactly as the violation shows it (`[finding <key>]`). */
  readonly finding?: string;
  readonly reason?: string;
  readonly approver?: string;
  /** Last day (YYYY-MM-DD, UTC) on which the waiver holds. */
  readonly expiry?: string;
  readonly ticket?: string;
}

export interface RecordedWaivers {
  readonly meta: PolicyMetadata;
  readonly waivers: readonly Waiver[];
}

export interface AppliedWaiver {
  readonly policy: string;
  readonly waiver: Waiver;
  readonly urn?: string;
  /** The violation the waiver suppressed, and its finding key. */
  readonly message: string;
  readonly finding: string;
}

export function parseWaivers(config: unknown): Waiver[] {
  if (!isRecord(config) || !Array.isArray(config["waivers"])) return [];
  const waivers: Waiver[] = [];
  for (const raw of config["waivers"]) {
    if (!isRecord(raw)) continue;
    const resource = text(raw["resource"]);
    if (resource === undefined || resource === "") continue;
    waivers.push({
      resource,
      ...optional("policy", text(raw["policy"])),
      ...optional("finding", text(raw["finding"])),
      ...optional("reason", text(raw["reason"])),
      ...optional("approver", text(raw["approver"])),
      ...optional("expiry", text(raw["expiry"])),
      ...optional("ticket", text(raw["ticket"])),
    });
  }
  return waivers;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (m === null) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}

/**
 * Why a waiver cannot be honoured (GOV-01), empty when it can: reason and approver are required, an
 * expiry is required on critical and high rules, and an expired waiver no longer holds.
 */
export function waiverProblems(waiver: Waiver, meta: PolicyMetadata, today: string): string[] {
  const problems: string[] = [];
  if (waiver.policy !== undefined && waiver.policy !== meta.id) {
    problems.push(`it names policy ${waiver.policy} but is listed under ${meta.id}`);
  }
  if (waiver.finding === undefined || waiver.finding.trim() === "") {
    problems.push("it names no finding (the key a violation shows as [finding <key>]); a waiver accepts one finding, not a whole resource");
  }
  if (waiver.reason === undefined || waiver.reason.trim() === "") problems.push("it has no reason");
  if (waiver.approver === undefined || waiver.approver.trim() === "") problems.push("it has no approver");
  if (waiver.expiry === undefined) {
    if (meta.severity === "critical" || meta.severity === "high") {
      problems.push(`it has no expiry, which a ${meta.severity} rule requires`);
    }
  } else if (!isCalendarDate(waiver.expiry)) {
    problems.push(`its expiry "${waiver.expiry}" is not a date YYYY-MM-DD`);
  } else if (waiver.expiry < today) {
    problems.push(`it expired on ${waiver.expiry}`);
  }
  return problems;
}

/** The resource name at the end of a URN (`...::name`). */
export function urnName(urn: string): string {
  const parts = urn.split("::");
  return parts.length >= 4 ? parts.slice(3).join("::") : urn;
}

/** Whether a waiver names this resource and this finding (keys compared after normalising spaces). */
export function waiverMatches(waiver: Waiver, urn: string | undefined, findingKey: string): boolean {
  const resourceMatches = urn === undefined || urn === "" ? waiver.resource === "stack" : waiver.resource === urn || waiver.resource === urnName(urn);
  return resourceMatches && waiver.finding !== undefined && normaliseKey(waiver.finding) === normaliseKey(findingKey);
}

/**
 * What the pack learnt about waivers during one evaluation: every policy records its waivers when it
 * runs, and GOV-01 (a stack policy, evaluated after all resource policies and last among the stack
 * policies) checks them all. Under the Pulumi engine one policy-pack process serves one update, and
 * the engine analyses resources before the stack, so the ledger holds every enabled policy's waivers
 * by the time GOV-01 runs; the offline auditor resets it before each run and evaluates in the same order.
 */
export class WaiverLedger {
  private readonly recorded = new Map<string, RecordedWaivers>();
  private readonly appliedWaivers: AppliedWaiver[] = [];
  private day: () => string = () => new Date().toISOString().slice(0, 10);

  reset(now?: Date): void {
    this.recorded.clear();
    this.appliedWaivers.length = 0;
    // Asked once per resource and policy: a fixed day is formatted once.
    const fixed = now?.toISOString().slice(0, 10);
    this.day = fixed === undefined ? () => new Date().toISOString().slice(0, 10) : () => fixed;
  }

  /** Today as YYYY-MM-DD (UTC), the day waivers are judged against. */
  today(): string {
    return this.day();
  }

  record(meta: PolicyMetadata, waivers: readonly Waiver[]): void {
    if (waivers.length === 0 && !this.recorded.has(meta.id)) return;
    this.recorded.set(meta.id, { meta, waivers });
  }

  markApplied(applied: AppliedWaiver): void {
    const duplicate = this.appliedWaivers.some(
      (a) => a.policy === applied.policy && a.urn === applied.urn && a.message === applied.message && a.finding === applied.finding,
    );
    if (!duplicate) this.appliedWaivers.push(applied);
  }

  entries(): RecordedWaivers[] {
    return [...this.recorded.values()].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  }

  applied(): AppliedWaiver[] {
    return [...this.appliedWaivers];
  }
}

export const waiverLedger = new WaiverLedger();

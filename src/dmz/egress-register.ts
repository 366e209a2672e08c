import type { EgressException } from "../config/sections/egress";
import { egressHostProblem } from "../config/egress-host";

/**
 * The register of egress exceptions a deploy carries (D6): a JSON document in an SSM parameter next to
 * the proxy. Reviewers read it (`aws ssm get-parameter`), and EGR-01/EGR-02 read it from the stack
 * snapshot, so the exceptions are auditable without decoding the proxy's user-data. Light on purpose:
 * the policy pack imports this module.
 */
export const PROXY_COMPONENT = "egress-proxy";
/** The parameter's name is `/<project>/<stack>` followed by this. */
export const EXCEPTIONS_PARAMETER_SUFFIX = "/egress/exceptions";

export interface ExceptionRecord {
  readonly host: string;
  readonly zones: readonly string[];
  readonly services: readonly string[];
  readonly reason: string;
  readonly ticket: string;
  readonly owner: string;
  readonly granted: string;
  readonly expires: string;
}

export interface ExceptionsDocument {
  readonly version: 1;
  readonly maxLifetimeDays: number;
  readonly exceptions: readonly ExceptionRecord[];
}

export function renderExceptionsDocument(maxLifetimeDays: number, live: readonly EgressException[]): string {
  const exceptions: ExceptionRecord[] = [...live]
    .sort((a, b) => a.host.localeCompare(b.host) || a.expires.localeCompare(b.expires) || a.ticket.localeCompare(b.ticket))
    .map((e) => ({
      host: e.host,
      zones: [...e.zones].sort(),
      services: [...e.services].sort(),
      reason: e.reason,
      ticket: e.ticket,
      owner: e.owner,
      granted: e.granted,
      expires: e.expires,
    }));
  const doc: ExceptionsDocument = { version: 1, maxLifetimeDays, exceptions };
  return JSON.stringify(doc, null, 2);
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const strs = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** Reads a register back; fields that are missing come back empty, for the policies to report. */
export function parseExceptionsDocument(text: string): ExceptionsDocument | { readonly error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "is not JSON" };
  }
  if (typeof json !== "object" || json === null || !Array.isArray((json as { exceptions?: unknown }).exceptions)) {
    return { error: 'has no "exceptions" list' };
  }
  const doc = json as { maxLifetimeDays?: unknown; exceptions: unknown[] };
  return {
    version: 1,
    maxLifetimeDays: typeof doc.maxLifetimeDays === "number" ? doc.maxLifetimeDays : Number.NaN,
    exceptions: doc.exceptions.map((raw) => {
      const e = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
      return {
        host: str(e.host),
        zones: strs(e.zones),
        services: strs(e.services),
        reason: str(e.reason),
        ticket: str(e.ticket),
        owner: str(e.owner),
        granted: str(e.granted),
        expires: str(e.expires),
      };
    }),
  };
}

/** A DNS name, optionally with a leading dot for its subdomains; never a wildcard or an address. */
export const EXCEPTION_HOST = /^(?=.{1,253}$)(\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** IPv4 literals (dotted, decimal, hex) and anything IPv6-shaped. */
export function isIpLiteral(host: string): boolean {
  const bare = host.replace(/^\./, "");
  return /^[0-9]+(\.[0-9]+)*$/.test(bare) || /^0x[0-9a-f]+$/i.test(bare) || bare.includes(":") || bare.startsWith("[");
}

/** Why a host may not be an exception, or undefined when it may. */
export function hostProblem(host: string): string | undefined {
  if (host === "") return "has no host";
  if (host.includes("*")) return `"${host}" is a wildcard`;
  if (isIpLiteral(host)) return `"${host}" is a raw IP address`;
  if (host === "." || /^\.[a-z]{2,63}$/.test(host)) return `"${host}" opens a whole top-level domain`;
  if (!EXCEPTION_HOST.test(host) || !/\.[a-z]{2,63}$/.test(host)) return `"${host}" is not a DNS name`;
  const suffixProblem = egressHostProblem(host);
  return suffixProblem === undefined ? undefined : `"${host}" is refused: ${suffixProblem}`;
}

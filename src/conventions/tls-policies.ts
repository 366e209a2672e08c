/**
 * Judges an ELB security policy by its family, not by a list frozen in time. AWS names its predefined
 * policies after the oldest protocol they accept (Elastic Load Balancing User Guide, "Security policies
 * for your Application Load Balancer"):
 *   ELBSecurityPolicy-TLS13-1-2-[Res-|Ext0-|Ext1-|Ext2-][FIPS-][PQ-]<date>   TLS 1.2 and 1.3
 *   ELBSecurityPolicy-TLS13-1-3-[FIPS-][PQ-]<date>                           TLS 1.3 only
 *   ELBSecurityPolicy-TLS13-1-0-... / -1-1-...                               TLS 1.0 / 1.1 too
 *   ELBSecurityPolicy-TLS-1-2-[Ext-]<date>, ELBSecurityPolicy-FS-1-2-[Res-]<date>  TLS 1.2
 *   ELBSecurityPolicy-TLS-1-1-..., ELBSecurityPolicy-FS-1-1-..., ELBSecurityPolicy-FS-2018-06,
 *   ELBSecurityPolicy-2016-08 (the API's default), ELBSecurityPolicy-2015-05  TLS 1.0 or 1.1
 * The post-quantum (`-PQ-`) and FIPS variants of a family accept the same protocols as the family.
 */
export type TlsVersion = "1.0" | "1.1" | "1.2" | "1.3";

/** The oldest TLS version a predefined ELB policy accepts, or undefined when the name is no predefined policy. */
export function minimumTlsVersion(policy: string): TlsVersion | undefined {
  const m = /^ELBSecurityPolicy-(?:TLS13-|TLS-|FS-)(1)-([0-3])(?:-|$)/.exec(policy);
  if (m !== null) return `${m[1]}.${m[2]}` as TlsVersion;
  // Dated policies without a version in the name (2016-08, FS-2018-06 ...) accept TLS 1.0.
  if (/^ELBSecurityPolicy-(FS-)?\d{4}-\d{2}$/.test(policy)) return "1.0";
  return undefined;
}

const ORDER: readonly TlsVersion[] = ["1.0", "1.1", "1.2", "1.3"];

export function acceptsOnly(policy: string, minimum: TlsVersion, extra: ReadonlySet<string>): boolean {
  if (extra.has(policy)) return true;
  const version = minimumTlsVersion(policy);
  return version !== undefined && ORDER.indexOf(version) >= ORDER.indexOf(minimum);
}

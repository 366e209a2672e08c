/**
 * The edge's name can get a certificate: with `dns-validated`, the hosted zone exists, is public, holds
 * the domain, is the one the internet is delegated to (ACM validates through public DNS), and no CAA
 * record forbids Amazon's CAs; with `imported`, the certificate is issued, current and covers the name.
 *
 * CAA: ACM issues only if the closest CAA record set (climbing from the name towards the root, RFC
 * 8659) names amazon.com, amazontrust.com, awstrust.com or amazonaws.com, or if there is none (ACM
 * user guide, "(Optional) Configure a CAA record").
 */
import { type CertificateDetail, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { GetHostedZoneCommand, type GetHostedZoneCommandOutput } from "@aws-sdk/client-route-53";
import { askOptional } from "../ask";
import type { CaaAnswer } from "../dns-lookup";
import type { Check, Finding } from "../types";

export const AMAZON_CAS = ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"] as const;

export interface DnsEvidence {
  readonly zone?: Pick<GetHostedZoneCommandOutput, "HostedZone" | "DelegationSet"> | null;
  /** NS names public DNS gives for the zone's name. */
  readonly publicNameServers?: readonly string[];
  /** The closest CAA set above (or at) the domain, and where it was found. */
  readonly caa?: { readonly name: string; readonly records: readonly CaaAnswer[] } | null;
  readonly certificate?: Pick<CertificateDetail, "Status" | "DomainName" | "SubjectAlternativeNames" | "NotAfter" | "InUseBy"> | null;
}

const NAME = "dns";

export const fqdn = (name: string): string => name.toLowerCase().replace(/\.$/, "");

/** Does a certificate name (possibly `*.x`) cover `domain`? */
export function covers(certName: string, domain: string): boolean {
  const c = fqdn(certName);
  const d = fqdn(domain);
  if (c === d) return true;
  return c.startsWith("*.") && d.endsWith(c.slice(1)) && !d.slice(0, d.length - c.length + 1).includes(".");
}

export const dnsCheck: Check<DnsEvidence> = {
  name: NAME,
  async collect(facts, { clients, dns }) {
    const cert = facts.edge.certificate;
    if (cert.mode === "imported") {
      const command = new DescribeCertificateCommand({ CertificateArn: cert.certificateArn });
      const out = await askOptional(clients.acm, command, ["ResourceNotFoundException", "InvalidArnException"], () => clients.acm.send(command));
      return { certificate: out?.Certificate ?? null };
    }
    const command = new GetHostedZoneCommand({ Id: cert.hostedZoneId });
    const zone = (await askOptional(clients.route53, command, ["NoSuchHostedZone", "InvalidInput"], () => clients.route53.send(command))) ?? null;
    const zoneName = zone?.HostedZone?.Name;
    const publicNameServers = zoneName === undefined ? [] : await dns.nameServers(fqdn(zoneName));
    let caa: DnsEvidence["caa"] = null;
    const labels = fqdn(facts.edge.domainName).split(".");
    for (let i = 0; i < labels.length - 1 && caa === null; i++) {
      const name = labels.slice(i).join(".");
      const records = await dns.caa(name);
      if (records.length > 0) caa = { name, records };
    }
    return { zone, publicNameServers, caa };
  },
  evaluate(facts, evidence, { now }) {
    const findings: Finding[] = [];
    const domain = fqdn(facts.edge.domainName);
    const cert = facts.edge.certificate;
    if (cert.mode === "imported") {
      const c = evidence.certificate;
      const key = `${facts.project}:edge.certificate.certificateArn`;
      if (c === undefined || c === null) {
        return [{ check: NAME, severity: "error", problem: `certificate ${cert.certificateArn} does not exist in ${facts.region}`, action: `import or request it in ${facts.region} (an ALB takes certificates of its own region only) and set ${key}` }];
      }
      if (c.Status !== "ISSUED") findings.push({ check: NAME, severity: "error", problem: `certificate ${cert.certificateArn} is ${c.Status ?? "in an unknown state"}, not ISSUED`, action: `issue or re-import it, or point ${key} at an issued one` });
      const names = [c.DomainName ?? "", ...(c.SubjectAlternativeNames ?? [])].filter((n) => n !== "");
      if (!names.some((n) => covers(n, domain))) findings.push({ check: NAME, severity: "error", problem: `certificate ${cert.certificateArn} covers ${names.join(", ") || "no name"}, not ${domain}`, action: `use a certificate for ${domain}` });
      if (c.NotAfter !== undefined) {
        const days = (new Date(c.NotAfter).getTime() - now.getTime()) / 86_400_000;
        if (days <= 0) findings.push({ check: NAME, severity: "error", problem: `certificate ${cert.certificateArn} expired on ${new Date(c.NotAfter).toISOString().slice(0, 10)}`, action: "re-import a current certificate" });
        else if (days <= 30) findings.push({ check: NAME, severity: "warning", problem: `certificate ${cert.certificateArn} expires on ${new Date(c.NotAfter).toISOString().slice(0, 10)}`, action: "re-import a renewed certificate (imported certificates are not renewed by ACM)" });
      }
      return findings;
    }

    const zone = evidence.zone;
    const zoneKey = `${facts.project}:edge.certificate.hostedZoneId`;
    if (zone === undefined || zone === null || zone.HostedZone === undefined) {
      return [{ check: NAME, severity: "error", problem: `hosted zone ${cert.hostedZoneId} (${zoneKey}) does not exist in this account`, action: `create the public zone for ${domain} (or its parent) and set ${zoneKey} to its id` }];
    }
    const zoneName = fqdn(zone.HostedZone.Name ?? "");
    if (zone.HostedZone.Config?.PrivateZone === true) {
      findings.push({ check: NAME, severity: "error", problem: `hosted zone ${cert.hostedZoneId} (${zoneName}) is private: ACM validates through public DNS`, action: `set ${zoneKey} to the public zone of ${domain}` });
    }
    if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
      findings.push({ check: NAME, severity: "error", problem: `hosted zone ${cert.hostedZoneId} is ${zoneName}, which cannot hold records for ${domain}`, action: `set ${zoneKey} to the zone of ${domain} or a parent of it` });
    }
    const assigned = new Set((zone.DelegationSet?.NameServers ?? []).map(fqdn));
    const delegated = new Set((evidence.publicNameServers ?? []).map(fqdn));
    if (zone.HostedZone.Config?.PrivateZone !== true) {
      if (delegated.size === 0) {
        findings.push({ check: NAME, severity: "error", problem: `${zoneName} is not delegated: public DNS has no NS records for it, so the certificate's validation record cannot be seen`, action: `add NS records for ${zoneName} at its parent (registrar) naming ${[...assigned].sort().join(", ")}` });
      } else if (![...delegated].every((ns) => assigned.has(ns))) {
        findings.push({ check: NAME, severity: "error", problem: `${zoneName} is delegated to ${[...delegated].sort().join(", ")}, not to zone ${cert.hostedZoneId}'s name servers ${[...assigned].sort().join(", ")}`, action: `point the delegation of ${zoneName} at ${cert.hostedZoneId}'s name servers (or use the zone that is delegated)` });
      }
    }
    const caa = evidence.caa;
    if (caa !== undefined && caa !== null) {
      const issuers = caa.records.map((r) => (r.issue ?? "").split(";")[0].trim().toLowerCase()).filter((v) => v !== "");
      const issueTags = caa.records.filter((r) => r.issue !== undefined);
      if (issueTags.length > 0 && !issuers.some((i) => (AMAZON_CAS as readonly string[]).includes(i))) {
        findings.push({ check: NAME, severity: "error", problem: `the CAA records of ${caa.name} allow only ${issuers.join(", ") || "no CA"}, so ACM cannot issue for ${domain}`, action: `add a CAA record ${caa.name} CAA 0 issue "amazon.com"` });
      }
    }
    return findings;
  },
};

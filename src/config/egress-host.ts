import { parse } from "tldts";

/**
 * Egress exception hosts are judged against the Public Suffix List (the `tldts` package ships it):
 * a host must be a registrable domain or a name below one, never a public suffix itself, whether
 * an ICANN one (`co.uk`) or a private one (`github.io`, `s3.amazonaws.com`): `.co.uk` would open every
 * British company. AWS service domains are refused outright: the design (D6) reaches AWS only through
 * VPC endpoints, never through the proxy.
 */
const AWS_SERVICE_DOMAINS = ["amazonaws.com", "amazonaws.com.cn", "api.aws", "on.aws"];

export function egressHostProblem(host: string): string | undefined {
  const name = host.startsWith(".") ? host.slice(1) : host;
  const aws = AWS_SERVICE_DOMAINS.find((d) => name === d || name.endsWith(`.${d}`));
  if (aws !== undefined) return `allowed: a host outside AWS's service domain ${aws}; AWS services are reached through VPC endpoints, never the egress proxy`;
  const icann = parse(name, { allowPrivateDomains: false });
  const all = parse(name, { allowPrivateDomains: true });
  if (icann.isIcann !== true) return "allowed: a name under a public suffix of the Public Suffix List (this one has no known top-level domain)";
  for (const info of [icann, all]) {
    if (info.domain === null || info.publicSuffix === name) {
      return `allowed: a registrable domain or a name below one; "${name}" is a public suffix (Public Suffix List), which would admit every domain under it`;
    }
  }
  return undefined;
}

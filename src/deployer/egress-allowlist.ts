/**
 * What the in-VPC deployer must reach outside AWS, through the egress proxy (D6). A CodeBuild project in
 * a VPC gets no public address; AWS documents a NAT gateway or a proxy server in a public subnet as its
 * way out ("Use AWS CodeBuild with a proxy server": explicit proxy via the project's HTTP_PROXY,
 * HTTPS_PROXY and NO_PROXY), and AWS APIs stay on the VPC endpoints (NO_PROXY `.amazonaws.com`).
 *
 * The hosts are GitHub's documented requirements of a self-hosted runner (github/docs,
 * data/reusables/actions/runner-essential-communications.md: essential operations, downloading
 * actions, runner version updates, OIDC tokens) plus the two registries the deploy job installs from.
 * Left out on purpose: `*.blob.core.windows.net` (job artifacts, caches and archived logs). It is a
 * public suffix, i.e. every Azure storage account in the world: an exfiltration path, refused like any
 * public suffix (src/config/egress-host.ts). The deploy jobs use no cache or artifact, and the runner's
 * log also lands in the project's CloudWatch log group.
 */
export interface DeployerEgressHost {
  /** A DNS name; a leading dot admits its subdomains (Squid `dstdomain`). */
  readonly host: string;
  readonly why: string;
}

export const DEPLOYER_EGRESS: readonly DeployerEgressHost[] = [
  { host: "github.com", why: "runner registration and job assignment (GitHub: essential operations)" },
  { host: "api.github.com", why: "runner API, action metadata (GitHub: essential operations)" },
  { host: ".actions.githubusercontent.com", why: "Actions service: job messages, logs, OIDC tokens (GitHub: essential operations, OIDC tokens)" },
  { host: "codeload.github.com", why: "action archives for `uses:` (GitHub: downloading actions)" },
  { host: "ghcr.io", why: "immutable actions (GitHub: downloading actions)" },
  { host: "objects.githubusercontent.com", why: "runner and node releases (GitHub: runner version updates)" },
  { host: "objects-origin.githubusercontent.com", why: "runner releases (GitHub: runner version updates)" },
  { host: "github-releases.githubusercontent.com", why: "runner releases (GitHub: runner version updates)" },
  { host: "github-registry-files.githubusercontent.com", why: "runner releases (GitHub: runner version updates)" },
  { host: "registry.npmjs.org", why: "`npm ci` of the program and the policy pack (package-lock.json pins every tarball by integrity hash)" },
  { host: "get.pulumi.com", why: "the Pulumi CLI (pinned 3.248.0) and its resource plugins, downloaded by pulumi/actions and `pulumi up`" },
];

/** The allowlist file the proxy hosts serve the deployer from: one name per line, byte order. */
export function deployerAllowlist(hosts: readonly DeployerEgressHost[] = DEPLOYER_EGRESS): string[] {
  return [...new Set(hosts.map((h) => h.host))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

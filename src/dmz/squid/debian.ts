/**
 * The proxy hosts run Debian 12 (bookworm), the release of the database hosts: one host OS, the one the
 * host tests boot. Packages come from Debian's archive over HTTPS (the hosts may only leave on 443);
 * Squid is bookworm's 5.7 and the AWS CLI bookworm's `awscli` 2.9 (AWS CLI v2, in bookworm/main).
 */
export const DEBIAN_RELEASE = "bookworm";
export const DEBIAN_ARCHIVE = "https://deb.debian.org";
/** Where the proxy's apt source lives; every other source is set aside by the bootstrap. */
export const APT_SOURCES_FILE = "/etc/apt/sources.list.d/fitness.sources";
/** What the bootstrap installs: Squid, the CLI the log shipper uploads with, and curl for the metadata service. */
export const PROXY_PACKAGES = ["squid", "awscli", "curl", "ca-certificates"] as const;

/** deb822 sources of the Debian archive, signed by the archive key every Debian system carries. */
export function renderAptSources(archive: string = DEBIAN_ARCHIVE): string {
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(archive)) throw new Error(`apt sources: archive "${archive}": allowed: https://<host> without a path`);
  const source = (path: string, suites: string) =>
    [`Types: deb`, `URIs: ${archive}/${path}`, `Suites: ${suites}`, "Components: main", "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg", ""].join("\n");
  return [
    "# Debian archive for the egress proxy (D6), rendered by the fitness-platform program.",
    source("debian", `${DEBIAN_RELEASE} ${DEBIAN_RELEASE}-updates`),
    source("debian-security", `${DEBIAN_RELEASE}-security`),
  ].join("\n");
}

/**
 * The operating system each pinned AMI must carry: the one place preflight reads it from. The host
 * bootstraps are written for it (the DB hosts' and the proxy's apt sources and packages name
 * bookworm), so a wrong AMI would fail at first boot, not at `pulumi up`.
 *
 * Owner and name pattern are the publisher's own: Debian's cloud team publishes from account
 * 136693071363 as `debian-12-<arch>-<date>-<build>` (wiki.debian.org/Cloud/AmazonEC2Image/Bookworm).
 * Another OS (e.g. Amazon Linux 2023: the `amazon` alias, account 137112412989, `al2023-ami-2023.*`)
 * would be added here with its role.
 */
export type HostRole = "databases" | "proxy";

export interface OperatingSystem {
  readonly label: string;
  readonly owners: readonly string[];
  readonly namePattern: RegExp;
}

export const DEBIAN_12: OperatingSystem = { label: "Debian 12 (bookworm)", owners: ["136693071363"], namePattern: /^debian-12-(amd64|arm64)-/ };

/** Change here when a host role moves to another OS. */
export const HOST_OPERATING_SYSTEMS: Readonly<Record<HostRole, OperatingSystem>> = {
  databases: DEBIAN_12,
  proxy: DEBIAN_12,
};

/**
 * The operating system each pinned AMI must carry: the one place preflight reads it from. The host
 * bootstraps are written for these (the DB hosts' apt sources name bookworm; the proxy's user-data
 * uses dnf), so a wrong AMI would fail at first boot, not at `pulumi up`.
 *
 * Owners and name patterns are the publishers' own: Debian's cloud team publishes from account
 * 136693071363 as `debian-12-<arch>-<date>-<build>` (wiki.debian.org/Cloud/AmazonEC2Image/Bookworm);
 * Amazon Linux 2023 comes from the `amazon` alias (account 137112412989) as
 * `al2023-ami-2023.<version>-kernel-<k>-<arch>` (AL2023 user guide, "AL2023 on Amazon EC2").
 */
export type HostRole = "databases" | "proxy";

export interface OperatingSystem {
  readonly label: string;
  readonly owners: readonly string[];
  readonly namePattern: RegExp;
}

export const DEBIAN_12: OperatingSystem = { label: "Debian 12 (bookworm)", owners: ["136693071363"], namePattern: /^debian-12-(amd64|arm64)-/ };
export const AMAZON_LINUX_2023: OperatingSystem = { label: "Amazon Linux 2023", owners: ["137112412989"], namePattern: /^al2023-ami-2023\./ };

/** Change here when a host role moves to another OS (e.g. the proxy to Debian). */
export const HOST_OPERATING_SYSTEMS: Readonly<Record<HostRole, OperatingSystem>> = {
  databases: DEBIAN_12,
  proxy: AMAZON_LINUX_2023,
};

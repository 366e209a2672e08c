/**
 * Where preflight looks for the mirrors' contents: the one function the mirror job's layout must agree
 * with. Image and chart repositories follow the program's own naming (src/services/images.ts), so the
 * cluster pulls exactly what preflight checked; the Debian layout follows the hosts' apt sources.
 */
import { chartRepositoryName, mirrorRepositoryName, serviceRepositoryName } from "../services/images";
import type { PackagePin } from "./types";

/** Debian suites the DB hosts' apt sources name (src/databases/bootstrap.ts), per archive directory. */
const DEBIAN_SUITES: ReadonlyArray<{ readonly archive: string; readonly suite: string }> = [
  { archive: "debian", suite: "bookworm" },
  { archive: "debian", suite: "bookworm-updates" },
  { archive: "debian-security", suite: "bookworm-security" },
];

/** EC2's architecture names → Debian's. */
const DEBIAN_ARCH: Readonly<Record<string, string>> = { x86_64: "amd64", arm64: "arm64" };

export interface MirrorLayout {
  /** ECR repository of a mirrored third-party image (`images.mirrored[].name`). */
  imageRepository(name: string): string;
  /** ECR repository of a catalog service's image. */
  serviceRepository(service: string): string;
  /** ECR repository holding a Helm chart as an OCI artifact, tagged by chart version. */
  chartRepository(chart: string): string;
  /** apt index files (without compression suffix) the hosts read, for an EC2 architecture. */
  debianIndexes(architecture: string): string[];
  /** The packages the DB hosts install that must be in the mirror, with their pinned versions if any. */
  debianPackages(postgresVersion: number): PackagePin[];
}

export function mirrorLayout(project: string): MirrorLayout {
  return {
    imageRepository: (name) => mirrorRepositoryName(project, name),
    serviceRepository: (service) => serviceRepositoryName(project, service),
    chartRepository: (chart) => chartRepositoryName(project, chart),
    debianIndexes: (architecture) => {
      const arch = DEBIAN_ARCH[architecture] ?? architecture;
      return DEBIAN_SUITES.map(({ archive, suite }) => `${archive}/dists/${suite}/main/binary-${arch}/Packages`);
    },
    // No exact versions are pinned in the repository yet; the mirror job's package list will pin them.
    debianPackages: (postgresVersion) => [{ name: `postgresql-${postgresVersion}` }, { name: "pgbackrest" }],
  };
}

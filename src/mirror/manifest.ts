/**
 * The mirror manifest (`mirror/manifest.json`): the one list of everything from outside the account
 * that the platform needs at deploy or boot time — third-party images by digest, Helm charts (pushed
 * to ECR as OCI artifacts) and the Debian package set. It is derived, never hand-edited: from each
 * stack's `images.mirrored` and from what the synthesized program really uses (Helm releases, image
 * references, the hosts' apt sources and `apt-get install` lines), so another area adding a chart, an
 * image or a package changes the derived list, and the committed file must be regenerated
 * (`npm run mirror -- manifest`) or the check fails.
 */
import { userDataOf } from "../offline/host-files/carriers";
import type { ResourceState } from "../offline/snapshot/types";
import { CHART_PINS, chartPinKey } from "./chart-pins";

export interface MirroredImage {
  readonly name: string;
  /** Registry/repository upstream, without tag. */
  readonly source: string;
  readonly tag: string;
  readonly digest: string;
}

export interface MirroredChart {
  readonly chart: string;
  readonly version: string;
  /** The upstream Helm repository (`oci://` or an HTTP index); the copy goes to ECR as `<project>/charts/<chart>`. */
  readonly repository: string;
  /**
   * The pinned upstream digest (src/mirror/chart-pins.ts): the OCI manifest digest, or the archive's
   * SHA-256 for an HTTP repository. Absent: not pinned yet, and the mirror job refuses the chart.
   */
  readonly digest?: string;
}

export interface DebianArchive {
  /** Path below the mirror's root (`debian`, `debian-security`), as the hosts' apt sources name it. */
  readonly path: string;
  readonly upstream: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

export interface MirrorManifest {
  readonly images: readonly MirroredImage[];
  readonly charts: readonly MirroredChart[];
  readonly debian: { readonly architectures: readonly string[]; readonly archives: readonly DebianArchive[]; readonly packages: readonly string[] };
}

export interface StackUse {
  readonly stack: string;
  /** Upstream of each chart the program already installs from the ECR mirror (`oci://<registry>/<project>/charts/<name>`). */
  readonly chartUpstreams?: Readonly<Record<string, string>>;
  /** The stack's own ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com`): charts come only from there. */
  readonly registry?: string;
  readonly mirrored: readonly MirroredImage[];
  readonly resources: readonly ResourceState[];
}

/** The upstream of each mirror path the hosts' sources name (Debian's own archive hosts). */
export const DEBIAN_UPSTREAMS: Readonly<Record<string, string>> = {
  debian: "https://deb.debian.org/debian",
  "debian-security": "https://deb.debian.org/debian-security",
};

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const ECR_CHART = /^oci:\/\/(\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com)\/[a-z0-9-]+\/charts\/([a-z0-9-]+)$/;
const MIRROR_IMAGE = /\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9-]+\/mirror\/([a-z0-9-]+)/g;
// One command line: the package list ends at the line's end (a next line's `rm -f` is not a package).
const APT_INSTALL = /apt-get[ \t]+(?:-\S+[ \t]+)*install[ \t]+((?:-\S+[ \t]+)*)([a-z0-9][a-z0-9+. \t-]*)/g;
const SOURCES_STANZA = /URIs:\s*(\S+)\s*\n\s*Suites:\s*([^\n]+)\n\s*Components:\s*([^\n]+)/g;

function strings(value: unknown, out: string[]): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === "object" && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

/** The chart with its pinned digest, if the version is pinned. */
function pinned(chart: MirroredChart): MirroredChart {
  const pin = CHART_PINS[chartPinKey(chart.chart, chart.version)];
  return pin === undefined ? chart : { ...chart, digest: pin.digest };
}

const sorted = <T>(items: Iterable<T>, key: (t: T) => string): T[] => [...items].sort((a, b) => key(a).localeCompare(key(b)));

/** Pure: what the stacks use → the manifest; throws one line per inconsistency. */
export function deriveMirrorManifest(uses: readonly StackUse[]): MirrorManifest {
  const problems: string[] = [];
  const images = new Map<string, MirroredImage>();
  const charts = new Map<string, MirroredChart>();
  const packages = new Set<string>();
  const archives = new Map<string, { suites: Set<string>; components: Set<string> }>();

  for (const use of uses) {
    for (const image of use.mirrored) {
      const seen = images.get(image.name);
      if (seen !== undefined && (seen.digest !== image.digest || seen.source !== image.source)) {
        problems.push(`stack "${use.stack}": fitness-platform:images.mirrored "${image.name}" pins ${image.source}@${image.digest}, another stack ${seen.source}@${seen.digest}: allowed: one digest per mirrored name`);
      }
      images.set(image.name, image);
    }
    for (const r of use.resources) {
      if (r.type === HELM_RELEASE) {
        const chart = String(r.inputs?.chart ?? "");
        const version = String(r.inputs?.version ?? "");
        const repo = (r.inputs?.repositoryOpts as { repo?: unknown } | undefined)?.repo;
        const release = r.urn.split("::").pop() ?? r.urn;
        const match = ECR_CHART.exec(chart);
        const mirrored = match?.[2];
        const allowed = `allowed: oci://${use.registry ?? "<account>.dkr.ecr.<region>.amazonaws.com"}/<project>/charts/<chart> (src/services/images.ts chartReference), filled by the mirror job`;
        if (match === null || mirrored === undefined || (typeof repo === "string" && repo !== "")) {
          // Deploy-time fetches from the internet are what the mirror exists to prevent (architecture §7).
          problems.push(`stack "${use.stack}": Helm release ${release} installs chart "${chart}"${typeof repo === "string" && repo !== "" ? ` from ${repo}` : ""}, not from this account's ECR mirror: ${allowed}`);
        } else if (use.registry !== undefined && match[1] !== use.registry) {
          problems.push(`stack "${use.stack}": Helm release ${release} installs chart ${mirrored} from ${match[1] ?? ""}, another account's or region's registry: ${allowed}`);
        } else {
          const upstream = use.chartUpstreams?.[mirrored];
          if (upstream === undefined) problems.push(`stack "${use.stack}": Helm release ${release} installs mirrored chart ${mirrored}, whose upstream src/mirror/derive.ts does not know`);
          else charts.set(`${mirrored}@${version}`, pinned({ chart: mirrored, version, repository: upstream }));
        }
      }
      // User-data may be base64 and gzip-compressed (database and etcd hosts): read it as cloud-init will.
      const userData = userDataOf(r)?.text;
      for (const text of strings(r.inputs, userData === undefined ? [] : [userData])) {
        for (const m of text.matchAll(MIRROR_IMAGE)) {
          const name = m[1] ?? "";
          if (!use.mirrored.some((i) => i.name === name)) problems.push(`stack "${use.stack}": ${r.urn.split("::").pop() ?? r.urn} runs mirror/${name}, which fitness-platform:images.mirrored does not list`);
        }
        for (const m of text.matchAll(APT_INSTALL)) for (const p of (m[2] ?? "").split(/[ \t]+/)) if (p !== "" && !p.startsWith("-")) packages.add(p);
        for (const m of text.matchAll(SOURCES_STANZA)) {
          const archive = (m[1] ?? "").replace(/\/+$/, "").split("/").pop() ?? "";
          if (DEBIAN_UPSTREAMS[archive] === undefined) {
            if (/^https?:\/\//.test(m[1] ?? "")) problems.push(`stack "${use.stack}": apt source ${m[1] ?? ""} is not a known Debian archive path (${Object.keys(DEBIAN_UPSTREAMS).join(", ")})`);
            continue;
          }
          const entry = archives.get(archive) ?? { suites: new Set<string>(), components: new Set<string>() };
          for (const s of (m[2] ?? "").trim().split(/\s+/)) entry.suites.add(s);
          for (const c of (m[3] ?? "").trim().split(/\s+/)) entry.components.add(c);
          archives.set(archive, entry);
        }
      }
    }
  }
  if (problems.length > 0) throw new Error([...new Set(problems)].join("\n"));
  return {
    images: sorted(images.values(), (i) => i.name),
    charts: sorted(charts.values(), (c) => `${c.chart}@${c.version}`),
    debian: {
      architectures: ["amd64"],
      archives: sorted(archives.entries(), ([path]) => path).map(([path, a]) => ({
        path,
        upstream: DEBIAN_UPSTREAMS[path] ?? "",
        suites: [...a.suites].sort(),
        components: [...a.components].sort(),
      })),
      packages: [...packages].sort(),
    },
  };
}

export function renderManifest(manifest: MirrorManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

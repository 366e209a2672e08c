import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * scripts/mirror.sh against real software: Debian's docker-registry (the distribution registry) on
 * loopback as upstream and as the account's registry, skopeo for the copy, and apt-get in a network
 * namespace reading the Debian mirror it wrote (apt verifies the archive's signature). Root only
 * (network namespaces); never skipped under CI=true. Ports 45131-45134 and the namespace
 * `day0-mirror-apt` belong to this file.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "mirror.sh");
const isRoot = process.getuid?.() === 0;
const canRun = isRoot && fs.existsSync("/usr/bin/docker-registry") && fs.existsSync("/usr/bin/skopeo");
if (process.env.CI === "true" && !canRun) throw new Error("host tests must run under CI=true: run as root with docker-registry and skopeo installed (.ci/run)");
const UPSTREAM = "127.0.0.1:45131";
const ACCOUNT = "127.0.0.1:45132";
const DEBIAN_UPSTREAM_PORT = 45133;
const CHART_REPO_PORT = 45134;
const NS = "day0-mirror-apt";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "day0-mirror-"));
const daemons: ChildProcess[] = [];

const sh = (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv) => execFileSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
const run = (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv) => {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
  return { status: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
};
const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest("hex");

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (run("curl", ["-sf", "-o", "/dev/null", url]).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

function startRegistry(addr: string, name: string): Promise<void> {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, "config.yml");
  fs.writeFileSync(config, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: ${addr}\n`);
  daemons.push(spawn("docker-registry", ["serve", config], { stdio: "ignore" }));
  return waitFor(`http://${addr}/v2/`);
}

/** A one-layer OCI image built from files, written as an oci-layout directory (no container engine). */
function ociImage(dir: string, text: string): void {
  const blobs = path.join(dir, "blobs", "sha256");
  fs.mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer) => {
    const digest = sha256(data);
    fs.writeFileSync(path.join(blobs, digest), data);
    return { digest: `sha256:${digest}`, size: data.length };
  };
  const src = path.join(dir, "rootfs");
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, "hello.txt"), text);
  const tar = execFileSync("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-C", src, "-c", "hello.txt"]);
  const layer = put(tar);
  const config = put(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layer.digest] }, config: {} })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  fs.writeFileSync(
    path.join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "org.opencontainers.image.ref.name": "1.0" } }] }),
  );
}

const digestAt = (ref: string) => `sha256:${sha256(sh("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${ref}`]))}`;

function manifestFile(name: string, body: object): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, JSON.stringify({ images: [], charts: [], debian: { architectures: ["amd64"], archives: [], packages: [] }, ...body }));
  return file;
}

beforeAll(async () => {
  if (!canRun) return;
  await startRegistry(UPSTREAM, "upstream");
  await startRegistry(ACCOUNT, "account");
}, 30_000);

afterAll(() => {
  for (const d of daemons) d.kill("SIGTERM");
  run("ip", ["netns", "del", NS]);
  fs.rmSync(work, { recursive: true, force: true });
});

describe.runIf(canRun)("images: mirrored by digest into the account's registry", () => {
  it("copies the pinned image with its digest preserved, and refuses a source whose digest moved", () => {
    ociImage(path.join(work, "oci-v1"), "version one\n");
    sh("skopeo", ["copy", "--dest-tls-verify=false", "--quiet", `oci:${path.join(work, "oci-v1")}:1.0`, `docker://${UPSTREAM}/vendor/tiny:1.0`]);
    // What the vendor publishes (the registry's manifest digest) is what the repository pins.
    const pinned = digestAt(`${UPSTREAM}/vendor/tiny:1.0`);
    expect(pinned).toMatch(/^sha256:[0-9a-f]{64}$/);

    const ok = manifestFile("images-ok.json", { images: [{ name: "tiny", source: `${UPSTREAM}/vendor/tiny`, tag: "1.0", digest: pinned }] });
    const copied = run("bash", [SCRIPT, "images", "--manifest", ok, "--target", ACCOUNT, "--insecure"]);
    expect(copied.out).toContain(`-> ${ACCOUNT}/fitness-platform/mirror/tiny:1.0`);
    expect(copied.status).toBe(0);
    expect(digestAt(`${ACCOUNT}/fitness-platform/mirror/tiny:1.0`)).toBe(pinned);

    // Upstream moves the tag to other content: the pinned digest no longer matches, nothing is copied.
    ociImage(path.join(work, "oci-v2"), "version two, same tag\n");
    sh("skopeo", ["copy", "--dest-tls-verify=false", "--quiet", `oci:${path.join(work, "oci-v2")}:1.0`, `docker://${UPSTREAM}/vendor/tiny:1.0`]);
    const moved = manifestFile("images-moved.json", { images: [{ name: "tiny-next", source: `${UPSTREAM}/vendor/tiny`, tag: "1.0", digest: pinned }] });
    const refused = run("bash", [SCRIPT, "images", "--manifest", moved, "--target", ACCOUNT, "--insecure"]);
    expect(refused.status).toBe(1);
    expect(refused.out).toMatch(new RegExp(`vendor/tiny:1.0 is sha256:[0-9a-f]{64} upstream, pinned ${pinned}: refusing`));
    expect(run("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${ACCOUNT}/fitness-platform/mirror/tiny-next:1.0`]).status).not.toBe(0);
  }, 60_000);
});

/** A chart archive as `helm package` makes it: `<name>/Chart.yaml` (+ a template) in a gzipped tar. */
function chartArchive(dir: string, name: string, version: string, extra = ""): string {
  const src = path.join(dir, `${name}-${version}-src`);
  fs.mkdirSync(path.join(src, name, "templates"), { recursive: true });
  fs.writeFileSync(path.join(src, name, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\nappVersion: "1.0"\ndescription: mirror test chart\n`);
  fs.writeFileSync(path.join(src, name, "templates", "cm.yaml"), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  x: "${extra}"\n`);
  const file = path.join(dir, `${name}-${version}.tgz`);
  sh("tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "-C", src, "-czf", file, name]);
  return file;
}

/** The chart as Helm's OCI artifact (what `helm push` uploads), in an oci-layout directory. */
function chartArtifact(dir: string, tgz: string, name: string, version: string): void {
  const blobs = path.join(dir, "blobs", "sha256");
  fs.mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer) => {
    const digest = sha256(data);
    fs.writeFileSync(path.join(blobs, digest), data);
    return { digest: `sha256:${digest}`, size: data.length };
  };
  const layer = put(fs.readFileSync(tgz));
  const config = put(Buffer.from(JSON.stringify({ apiVersion: "v2", name, version })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", ...layer }],
      }),
    ),
  );
  fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  fs.writeFileSync(
    path.join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "org.opencontainers.image.ref.name": version } }] }),
  );
}

const rawAt = (ref: string) => JSON.parse(sh("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${ref}`])) as { config: { mediaType: string }; layers: { mediaType: string; digest: string }[] };
const chartsRun = (file: string) => run("bash", [SCRIPT, "charts", "--manifest", file, "--target", ACCOUNT, "--insecure"]);

describe.runIf(canRun)("charts: mirrored by pinned digest into the account's registry as Helm OCI artifacts", () => {
  it("copies an OCI chart with its digest and Helm media types; refuses a tampered pin and an unpinned chart", () => {
    const dir = path.join(work, "chart-oci");
    fs.mkdirSync(dir, { recursive: true });
    chartArtifact(path.join(dir, "layout"), chartArchive(dir, "gw", "1.2.3"), "gw", "1.2.3");
    sh("skopeo", ["copy", "--dest-tls-verify=false", "--quiet", `oci:${path.join(dir, "layout")}:1.2.3`, `docker://${UPSTREAM}/vendor/gw:1.2.3`]);
    const pinned = digestAt(`${UPSTREAM}/vendor/gw:1.2.3`);
    const chart = { chart: "gw", version: "1.2.3", repository: `oci://${UPSTREAM}/vendor/gw` };

    const ok = chartsRun(manifestFile("charts-oci.json", { charts: [{ ...chart, digest: pinned }] }));
    expect(ok.out).toContain(`-> oci://${ACCOUNT}/fitness-platform/charts/gw:1.2.3`);
    expect(ok.status).toBe(0);
    expect(digestAt(`${ACCOUNT}/fitness-platform/charts/gw:1.2.3`)).toBe(pinned);
    const copied = rawAt(`${ACCOUNT}/fitness-platform/charts/gw:1.2.3`);
    expect([copied.config.mediaType, copied.layers.map((l) => l.mediaType)]).toEqual(["application/vnd.cncf.helm.config.v1+json", ["application/vnd.cncf.helm.chart.content.v1.tar+gzip"]]);

    // A pin that is not what upstream serves (one changed hex digit): refused, nothing copied.
    const tampered = `sha256:${(pinned.slice(7, 8) === "0" ? "1" : "0") + pinned.slice(8)}`;
    const refused = chartsRun(manifestFile("charts-oci-bad.json", { charts: [{ ...chart, chart: "gw-bad", digest: tampered }] }));
    expect(refused.status).toBe(1);
    expect(refused.out).toContain(`is ${pinned} upstream, pinned ${tampered}: refusing to mirror`);
    expect(run("skopeo", ["inspect", "--tls-verify=false", "--raw", `docker://${ACCOUNT}/fitness-platform/charts/gw-bad:1.2.3`]).status).not.toBe(0);

    const unpinned = chartsRun(manifestFile("charts-unpinned.json", { charts: [{ ...chart, chart: "gw-unpinned" }] }));
    expect(unpinned.status).toBe(1);
    expect(unpinned.out).toContain("chart gw-unpinned 1.2.3 has no pinned digest");
  }, 60_000);

  it("wraps an HTTP repository's archive, checked against its pinned SHA-256, as a deterministic Helm artifact; a changed archive is refused", async () => {
    const repo = path.join(work, "chart-http");
    fs.mkdirSync(path.join(repo, "releases"), { recursive: true });
    const tgz = chartArchive(path.join(repo, "releases"), "lbc", "1.14.1");
    const digest = `sha256:${sha256(fs.readFileSync(tgz))}`;
    // index.yaml with a relative URL, as chart repositories publish it.
    fs.writeFileSync(path.join(repo, "index.yaml"), `apiVersion: v1\nentries:\n  lbc:\n  - name: lbc\n    version: 1.14.1\n    digest: ${digest.slice(7)}\n    urls:\n    - releases/lbc-1.14.1.tgz\n`);
    daemons.push(spawn("python3", ["-m", "http.server", String(CHART_REPO_PORT), "--bind", "127.0.0.1", "--directory", repo], { stdio: "ignore" }));
    await waitFor(`http://127.0.0.1:${CHART_REPO_PORT}/index.yaml`);
    const chart = { chart: "lbc", version: "1.14.1", repository: `http://127.0.0.1:${CHART_REPO_PORT}`, digest };

    const ok = chartsRun(manifestFile("charts-http.json", { charts: [chart] }));
    expect(ok.status, ok.out).toBe(0);
    const ref = `${ACCOUNT}/fitness-platform/charts/lbc:1.14.1`;
    const copied = rawAt(ref);
    expect(copied.config.mediaType).toBe("application/vnd.cncf.helm.config.v1+json");
    expect(copied.layers).toEqual([expect.objectContaining({ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest })]);
    // The archive in the account is byte for byte the pinned one, and the wrapping is deterministic.
    const layerDir = path.join(work, "lbc-pulled");
    sh("skopeo", ["copy", "--src-tls-verify=false", "--quiet", `docker://${ref}`, `oci:${layerDir}:x`]);
    expect(`sha256:${sha256(fs.readFileSync(path.join(layerDir, "blobs", "sha256", digest.slice(7))))}`).toBe(digest);
    const first = digestAt(ref);
    const again = chartsRun(manifestFile("charts-http-again.json", { charts: [chart] }));
    expect(again.status).toBe(0);
    expect(digestAt(ref)).toBe(first);

    // Upstream republishes different bytes under the same version: the pin no longer matches.
    fs.appendFileSync(tgz, "tampered");
    const refused = chartsRun(manifestFile("charts-http-bad.json", { charts: [{ ...chart, chart: "lbc", version: "1.14.1" }] }));
    expect(refused.status).toBe(1);
    expect(refused.out).toMatch(new RegExp(`lbc-1\\.14\\.1\\.tgz is sha256:[0-9a-f]{64}, pinned ${digest}: refusing to mirror`));
  }, 60_000);
});

/** A tiny binary package; `depends` becomes its Depends field. */
function deb(dir: string, name: string, depends?: string): string {
  const root = path.join(dir, `${name}-root`);
  fs.mkdirSync(path.join(root, "DEBIAN"), { recursive: true });
  fs.mkdirSync(path.join(root, "usr", "share", name), { recursive: true });
  fs.writeFileSync(path.join(root, "usr", "share", name, "README"), `${name}\n`);
  fs.writeFileSync(
    path.join(root, "DEBIAN", "control"),
    `Package: ${name}\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Day0 <day0@example.com>\n${depends ? `Depends: ${depends}\n` : ""}Description: mirror test package\n`,
  );
  const file = path.join(dir, `${name}_1.0_amd64.deb`);
  sh("dpkg-deb", ["--root-owner-group", "-Zgzip", "--build", root, file]);
  return file;
}

/** An upstream Debian archive `debian/` with one suite, signed with a throwaway key; returns the keyring. */
function upstreamArchive(base: string, gnupg: string): string {
  const archive = path.join(base, "debian");
  const pool = path.join(archive, "pool", "main", "d");
  fs.mkdirSync(pool, { recursive: true });
  const debs = [deb(pool, "day0-hello", "day0-lib"), deb(pool, "day0-lib")];
  const stanzas = debs.map((file) => {
    const control = sh("dpkg-deb", ["-f", file]).trimEnd();
    const data = fs.readFileSync(file);
    return `${control}\nFilename: ${path.relative(archive, file)}\nSize: ${data.length}\nSHA256: ${sha256(data)}\n`;
  });
  const binary = path.join(archive, "dists", "bookworm", "main", "binary-amd64");
  fs.mkdirSync(binary, { recursive: true });
  fs.writeFileSync(path.join(binary, "Packages"), `${stanzas.join("\n")}`);
  sh("gzip", ["-kn9", path.join(binary, "Packages")]);
  const indices = ["main/binary-amd64/Packages", "main/binary-amd64/Packages.gz"].map((rel) => {
    const data = fs.readFileSync(path.join(archive, "dists", "bookworm", rel));
    return ` ${sha256(data)} ${data.length} ${rel}`;
  });
  const release = ["Origin: Day0", "Label: Day0", "Suite: bookworm", "Codename: bookworm", "Date: Thu, 03 Dec 2026 00:00:00 UTC", "Architectures: amd64", "Components: main", "SHA256:", ...indices, ""].join("\n");
  const dists = path.join(archive, "dists", "bookworm");
  fs.writeFileSync(path.join(dists, "Release"), release);
  fs.mkdirSync(gnupg, { recursive: true, mode: 0o700 });
  const env = { GNUPGHOME: gnupg };
  sh("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Day0 Archive <archive@example.com>", "ed25519", "sign", "never"], env);
  sh("gpg", ["--batch", "--yes", "--clearsign", "-o", path.join(dists, "InRelease"), path.join(dists, "Release")], env);
  sh("gpg", ["--batch", "--yes", "-abs", "-o", path.join(dists, "Release.gpg"), path.join(dists, "Release")], env);
  const keyring = path.join(base, "archive-keyring.gpg");
  fs.writeFileSync(keyring, execFileSync("gpg", ["--export"], { env: { ...process.env, ...env } }));
  return keyring;
}

function aptIn(ns: string, dir: string, keyring: string, args: readonly string[]) {
  fs.mkdirSync(path.join(dir, "state", "lists", "partial"), { recursive: true });
  fs.mkdirSync(path.join(dir, "cache", "archives", "partial"), { recursive: true });
  fs.writeFileSync(path.join(dir, "status"), "");
  fs.writeFileSync(path.join(dir, "sources.list"), `deb [arch=amd64 signed-by=${keyring}] http://127.0.0.1:8080/debian bookworm main\n`);
  const opts = [
    `Dir::State=${dir}/state`, `Dir::State::status=${dir}/status`, `Dir::Cache=${dir}/cache`, `Dir::Etc::SourceList=${dir}/sources.list`,
    `Dir::Etc::SourceParts=${dir}/none`, "APT::Architecture=amd64", "Debug::NoLocking=1", "Acquire::Languages=none", "APT::Sandbox::User=root",
  ].flatMap((o) => ["-o", o]);
  return run("ip", ["netns", "exec", ns, "apt-get", ...opts, ...args]);
}

describe.runIf(canRun)("debian: the package mirror keeps the archive's signature, and apt verifies it", () => {
  it("mirrors the package set with its dependencies; apt in a namespace installs from it; tampering is refused", async () => {
    const upstreamDir = path.join(work, "upstream-debian");
    const keyring = upstreamArchive(upstreamDir, path.join(work, "gnupg"));
    daemons.push(spawn("python3", ["-m", "http.server", String(DEBIAN_UPSTREAM_PORT), "--bind", "127.0.0.1", "--directory", upstreamDir], { stdio: "ignore" }));
    await waitFor(`http://127.0.0.1:${DEBIAN_UPSTREAM_PORT}/debian/dists/bookworm/Release`);

    const target = path.join(work, "bucket");
    const manifest = manifestFile("debian.json", {
      debian: { architectures: ["amd64"], archives: [{ path: "debian", upstream: "https://deb.debian.org/debian", suites: ["bookworm"], components: ["main"] }], packages: ["day0-hello"] },
    });
    const args = ["debian", "--manifest", manifest, "--target", target, "--keyring", keyring, "--upstream", `debian=http://127.0.0.1:${DEBIAN_UPSTREAM_PORT}/debian`];
    const mirrored = run("bash", [SCRIPT, ...args]);
    expect(mirrored.out).toContain("packages: 1 requested, 2 files with dependencies, each verified");
    expect(mirrored.status).toBe(0);
    for (const f of ["InRelease", "Release", "Release.gpg"]) {
      expect(fs.readFileSync(path.join(target, "debian", "dists", "bookworm", f))).toEqual(fs.readFileSync(path.join(upstreamDir, "debian", "dists", "bookworm", f)));
    }

    // The mirror served inside a namespace with only loopback: apt reads it and checks the signature.
    run("ip", ["netns", "del", NS]);
    sh("ip", ["netns", "add", NS]);
    sh("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"]);
    daemons.push(spawn("ip", ["netns", "exec", NS, "python3", "-m", "http.server", "8080", "--bind", "127.0.0.1", "--directory", target], { stdio: "ignore" }));
    for (let i = 0; i < 50 && run("ip", ["netns", "exec", NS, "curl", "-sf", "-o", "/dev/null", "http://127.0.0.1:8080/debian/dists/bookworm/InRelease"]).status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const apt = path.join(work, "apt-good");
    const update = aptIn(NS, apt, keyring, ["update"]);
    expect(update.status, update.out).toBe(0);
    const install = aptIn(NS, apt, keyring, ["install", "-y", "--download-only", "--no-install-recommends", "day0-hello"]);
    expect(install.status, install.out).toBe(0);
    expect(fs.readdirSync(path.join(apt, "cache", "archives")).filter((f) => f.endsWith(".deb")).sort()).toEqual(["day0-hello_1.0_amd64.deb", "day0-lib_1.0_amd64.deb"]);

    // A Release altered in the bucket no longer matches its signature: apt refuses the whole suite.
    const inRelease = path.join(target, "debian", "dists", "bookworm", "InRelease");
    fs.writeFileSync(inRelease, fs.readFileSync(inRelease, "utf8").replace("Label: Day0", "Label: Evil"));
    const tampered = aptIn(NS, path.join(work, "apt-tampered"), keyring, ["update"]);
    expect(`${tampered.status} ${tampered.out}`).toMatch(/BADSIG|not signed|signature|NO_PUBKEY|invalid/i);
    expect(tampered.out).toMatch(/bookworm/);

    // Upstream serving a package that is not what its signed index says: the mirror job refuses.
    const lib = path.join(upstreamDir, "debian", "pool", "main", "d", "day0-lib_1.0_amd64.deb");
    fs.appendFileSync(lib, "tampered");
    const refused = run("bash", [SCRIPT, ...args.map((a) => (a === target ? path.join(work, "bucket-2") : a))]);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain("day0-lib_1.0_amd64.deb: differs from the signed Packages index");
    expect(fs.existsSync(path.join(work, "bucket-2"))).toBe(false);
  }, 120_000);
});

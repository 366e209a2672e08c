import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bootstrapDocument } from "../../src/databases/bootstrap-document";
import { type PackageSource, renderSecretsScript, renderUserData, type UserDataParams, USER_DATA_LIMIT_BYTES } from "../../src/databases/bootstrap";
import { userDataPayload } from "../../src/conventions/user-data";
import { HOST_LAYOUT, nvmeDevicePath } from "../../src/databases/host-layout";
import { s3MirrorBucket } from "../../src/databases/package-mirror";
import { writeFileBlock } from "../../src/databases/shell";

const mirror: PackageSource = { kind: "mirror", mirrorUrl: "https://fitness-debian-mirror-111111111111.s3.eu-central-1.amazonaws.com" };

const params = (over: Partial<UserDataParams> = {}): UserDataParams => ({
  domain: "personal-data",
  region: "eu-central-1",
  volumeId: "vol-0123456789abcdef0",
  packageSource: mirror,
  postgresqlConf: "listen_addresses = '10.20.136.77'\n",
  pgHba: "hostnossl all all 0.0.0.0/0 reject\n",
  rolesParameter: "/fitness-platform/dev/databases/personal-data/roles",
  tlsSecretId: "fitness-platform-dev-databases-personal-data-tls",
  credentials: [{ secretId: "fitness-platform-dev-databases-personal-data-users", passwordEnv: "FITNESS_DB_PASSWORD_USERS" }],
  ...over,
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fpdb-unit-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function bashSyntax(script: string): string {
  const file = path.join(tmp, `syntax-${Math.random().toString(36).slice(2)}.sh`);
  fs.writeFileSync(file, script);
  const result = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  return result.status === 0 ? "ok" : result.stderr;
}

/** Position of a line starting with `prefix` in the script, to check the order of steps. */
function at(script: string, prefix: string): number {
  const index = script.split("\n").findIndex((line) => line.startsWith(prefix));
  expect(index, `no line starting with ${prefix}`).toBeGreaterThan(-1);
  return index;
}

describe("database host user-data", () => {
  it("is valid bash, and so is the secrets script it installs", () => {
    expect(bashSyntax(renderUserData(params()))).toBe("ok");
    expect(bashSyntax(renderSecretsScript(params()))).toBe("ok");
    expect(bashSyntax(renderUserData(params({ packageSource: { kind: "proxy", proxyUrl: "http://proxy.dev.fitness.internal:3128" } })))).toBe("ok");
  });

  it("finds the data volume by its NVMe serial, formats it only when blank and never on a probe error", () => {
    const script = renderUserData(params());
    expect(nvmeDevicePath("vol-0123456789abcdef0")).toBe("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0");
    expect(script).toContain("DEVICE='/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0'");
    const probe = script.indexOf('case "$BLKID_RC" in');
    const block = script.slice(probe, script.indexOf("esac", probe));
    expect(block).toMatch(/ {2}2\) mkfs\.ext4 .*"\$DEVICE"/);
    expect(block).toMatch(/ {2}\*\) .*refusing to format.*exit 1/);
    expect(script.match(/mkfs/g)).toHaveLength(1);
    expect(script).toContain(`mountpoint -q ${HOST_LAYOUT.dataMount} || mount ${HOST_LAYOUT.dataMount}`);
    expect(script).toContain(`RequiresMountsFor=${HOST_LAYOUT.dataMount}`);
  });

  it("creates the cluster on the data volume once and keeps an existing one (rebuild)", () => {
    const script = renderUserData(params());
    expect(script).toContain("create_main_cluster = false");
    expect(script).toContain(`if [ ! -f ${HOST_LAYOUT.dataDirectory}/PG_VERSION ]; then`);
    expect(at(script, "mountpoint -q")).toBeLessThan(at(script, `if [ ! -f ${HOST_LAYOUT.dataDirectory}/PG_VERSION ]`));
  });

  it("ships pg_ctlcluster's pg_ctl.conf and environment to a single host only: a Patroni member never runs pg_ctlcluster", () => {
    const conf = HOST_LAYOUT.configDirectory;
    const single = renderUserData(params());
    const member = renderUserData(
      params({ patroni: { member: "personal-data-a", privateIp: "10.30.136.153", setupParameter: "/fitness-platform/prod/databases/personal-data-a/patroni", secretId: "fitness-platform-prod-databases-personal-data-patroni" } }),
    );
    for (const file of ["pg_ctl.conf", "environment"]) {
      expect(single).toContain(`${conf}/${file}`);
      expect(member).not.toContain(`${conf}/${file}`);
    }
    expect(single).toContain(`${conf}/start.conf`);
    expect(member).toContain(`${conf}/start.conf`);
  });

  it("holds secret names only: no key, no password", () => {
    const script = renderUserData(params());
    expect(script).toContain("fitness-platform-dev-databases-personal-data-tls");
    expect(script).toContain("fitness-platform-dev-databases-personal-data-users");
    expect(script).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|PASSWORD '|password=/i);
    expect(script).not.toMatch(/^\s*set -x/m);
  });

  it("orders the steps: packages, files (extras included), TLS, server, roles, extra commands", () => {
    const script = renderUserData(
      params({
        extras: {
          extraPackages: ["pgbackrest"],
          extraFiles: [{ path: "/etc/pgbackrest/pgbackrest.conf", mode: "0640", owner: "postgres:postgres", content: "[global]\nrepo1-type=s3\n" }],
          extraCommands: ["runuser -u postgres -- pgbackrest --stanza=main stanza-create"],
        },
      }),
    );
    expect(script).toMatch(/apt-get -q install -y --no-install-recommends postgresql-15 awscli jq ca-certificates pgbackrest/);
    const install = at(script, "apt-get -q install");
    const extraFile = at(script, "write_file '/etc/pgbackrest/pgbackrest.conf' 0640 'postgres:postgres'");
    const tls = at(script, `${HOST_LAYOUT.secretsScript} tls`);
    const start = at(script, `systemctl restart ${HOST_LAYOUT.systemdUnit}`);
    const roles = at(script, `${HOST_LAYOUT.secretsScript} roles`);
    const extraCommand = at(script, "runuser -u postgres -- pgbackrest");
    expect(install < extraFile && extraFile < tls && tls < start && start < roles && roles < extraCommand).toBe(true);
    expect(bashSyntax(script)).toBe("ok");
  });

  it("points apt at the mirror, or at Debian through the proxy", () => {
    const viaMirror = renderUserData(params());
    expect(viaMirror).toContain(`URIs: ${(mirror as { mirrorUrl: string }).mirrorUrl}/debian\n`);
    expect(viaMirror).toContain("rm -f /etc/apt/apt.conf.d/80fitness-proxy");
    const viaProxy = renderUserData(params({ packageSource: { kind: "proxy", proxyUrl: "http://proxy.dev.fitness.internal:3128" } }));
    expect(viaProxy).toContain("URIs: https://deb.debian.org/debian\n");
    expect(viaProxy).toContain('Acquire::https::Proxy "http://proxy.dev.fitness.internal:3128";');
    expect(() => renderUserData(params({ packageSource: { kind: "mirror", mirrorUrl: "http://plain.example.com" } }))).toThrow(/allowed: an https URL/);
    expect(() => renderUserData(params({ packageSource: { kind: "proxy", proxyUrl: "proxy:3128" } }))).toThrow(/allowed: http:\/\/<host>:<port>/);
    expect(s3MirrorBucket((mirror as { mirrorUrl: string }).mirrorUrl)).toBe("fitness-debian-mirror-111111111111");
    expect(s3MirrorBucket("https://mirror.example.internal/debian")).toBeUndefined();
  });

  it("refuses bad extras with a one-line error naming the host", () => {
    const bad = (extras: UserDataParams["extras"]) => () => renderUserData(params({ extras }));
    expect(bad({ extraFiles: [{ path: "relative/file", mode: "0640", content: "" }] })).toThrow(/^database host personal-data: extra file path "relative\/file": allowed:/);
    expect(bad({ extraFiles: [{ path: "/etc/x", mode: "640", content: "" }] })).toThrow(/mode "640": allowed: an octal mode/);
    expect(bad({ extraFiles: [{ path: "/etc/x", mode: "0640", owner: "root", content: "" }] })).toThrow(/owner "root": allowed: user:group/);
    expect(bad({ extraPackages: ["bad pkg"] })).toThrow(/extra package "bad pkg"/);
    expect(bad({ extraFiles: [{ path: "/etc/x", mode: "0640", content: "a\nFITNESS_EOF\nb" }] })).toThrow(/allowed: content without a line "FITNESS_EOF"/);
  });

  it("stays under the EC2 user-data limit as shipped (gzip), and says so when extras push it over", () => {
    expect(userDataPayload(renderUserData(params())).length).toBeLessThan(USER_DATA_LIMIT_BYTES * 0.5);
    // Text over 16 KiB that compresses is fine: EC2 counts the gzip bytes.
    const compressible = renderUserData(params({ extras: { extraFiles: [{ path: "/etc/big", mode: "0644", content: "x".repeat(USER_DATA_LIMIT_BYTES) }] } }));
    expect(Buffer.byteLength(compressible)).toBeGreaterThan(USER_DATA_LIMIT_BYTES);
    // Incompressible content (hex digests) is not.
    const noise = Array.from({ length: 1024 }, (_, i) => createHash("sha256").update(String(i)).digest("hex")).join("\n");
    expect(() => renderUserData(params({ extras: { extraFiles: [{ path: "/etc/big", mode: "0644", content: noise }] } }))).toThrow(
      /^user-data of database host personal-data is \d+ bytes gzip-compressed \(\d+ as text\): allowed: at most 16384/,
    );
  });

  it("refuses a volume id that is not one", () => {
    expect(() => renderUserData(params({ volumeId: "vol-1; rm -rf /" }))).toThrow(/volume id "vol-1; rm -rf \/": allowed:/);
  });
});

describe("the secrets script", () => {
  const script = renderSecretsScript(params());

  it("hands passwords to psql through its environment, never its command line, and prints none", () => {
    expect(script).toContain("  FITNESS_DB_PASSWORD_USERS=\"$(fetch 'fitness-platform-dev-databases-personal-data-users' | jq -er .password)\"");
    expect(script).toContain("  export FITNESS_DB_PASSWORD_USERS");
    const psql = script.split("\n").find((l) => l.includes("psql"));
    expect(psql).not.toMatch(/PASSWORD|-v |--set/);
    expect(script).not.toMatch(/echo[^\n]*\$(json|FITNESS_DB_PASSWORD)/);
  });

  it("leaves the server key readable by postgres alone", () => {
    expect(script).toContain('chmod 0600 "$TLS_DIR/server.key.new"');
    expect(script).toContain('install -d -m 0700 -o postgres -g postgres "$TLS_DIR"');
    expect(script).toMatch(/^umask 077$/m);
  });

  it("refuses a secret id that could break out of its quotes", () => {
    expect(() => renderSecretsScript({ ...params(), tlsSecretId: "x'; curl evil" })).toThrow(/allowed: a Secrets Manager name or ARN/);
  });
});

describe("the bootstrap as an SSM document", () => {
  it("hands the script to bash verbatim through a quoted heredoc, as /bin/sh runs Run Command lines", () => {
    const script = renderUserData(params());
    const doc = bootstrapDocument("personal-data", script);
    expect(doc.schemaVersion).toBe("2.2");
    const lines = doc.mainSteps[0]?.inputs.runCommand ?? [];
    const start = lines.indexOf("cat > /root/fitness-bootstrap.sh <<'FITNESS_BOOTSTRAP_EOF'");
    const end = lines.indexOf("FITNESS_BOOTSTRAP_EOF");
    expect(start).toBeGreaterThan(-1);
    expect(`${lines.slice(start + 1, end).join("\n")}\n`).toBe(script);
    expect(lines.at(-1)).toBe("bash /root/fitness-bootstrap.sh");
    const file = path.join(tmp, "document.sh");
    fs.writeFileSync(file, lines.join("\n"));
    expect(spawnSync("sh", ["-n", file], { encoding: "utf8" }).status).toBe(0);
  });
});

describe("heredoc file blocks", () => {
  it("write content byte for byte, with no shell expansion", () => {
    const content = "a $HOME `id` $(id) \\ 'q' \"dq\"\n\ttab\nno newline at end";
    const target = path.join(tmp, "written.txt");
    const script = [
      "set -euo pipefail",
      'write_file() { cat > "$1"; chmod "$2" "$1"; }',
      writeFileBlock(target, "0640", "root:root", content),
    ].join("\n");
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(fs.readFileSync(target, "utf8")).toBe(`${content}\n`);
    expect(fs.statSync(target).mode & 0o777).toBe(0o640);
  });
});

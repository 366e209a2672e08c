import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { contentDigest, coverageReport, filesWrittenByScript, hostFileInventory, renderCoverage, shellWords } from "../../src/offline/host-files";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type ResourceState, type StackExport } from "../../src/offline/snapshot/types";

const P = "urn:pulumi:lab::proj::";
const res = (qualifiedType: string, name: string, inputs: Record<string, unknown>, parent?: string): ResourceState => ({
  urn: `${P}${qualifiedType}::${name}`,
  custom: true,
  type: qualifiedType.split("$").pop() as string,
  inputs,
  outputs: inputs,
  ...(parent === undefined ? {} : { parent }),
});
const snapshot = (resources: ResourceState[]): StackExport => ({ version: 3, deployment: { manifest: { time: "", magic: "", version: "" }, resources } });

const DB_PARENT = `${P}acme:db:DbHost::db-a`;
const hostScript = [
  "#!/bin/bash",
  "set -euo pipefail",
  "write_file() { cat > \"$1\"; }",
  "write_file '/etc/app/it'\\''s.conf' 0640 'postgres:postgres' <<'FITNESS_EOF'",
  "port = 5432",
  "FITNESS_EOF",
  "write_file /etc/app/plain.conf 0644 root:root <<'FITNESS_EOF'",
  "first",
  "FITNESS_EOF",
  "write_file /etc/app/plain.conf 0644 root:root <<'FITNESS_EOF'",
  "second",
  "FITNESS_EOF",
  'write_file "/etc/$DYNAMIC" 0644 root:root <<\'FITNESS_EOF\'',
  "never listed",
  "FITNESS_EOF",
  "fetch_setup /lab/db-a/setup",
  "",
].join("\n");

const cloudConfig = [
  "#cloud-config",
  "write_files:",
  "  - path: /etc/proxy/a.conf",
  "    content: aGVsbG8K",
  "    encoding: b64",
  "  - path: /usr/local/sbin/nested",
  "    permissions: '0755'",
  "    content: |",
  "      #!/bin/sh",
  "      umask 027",
  "      cat > /etc/proxy/from-nested <<'END'",
  "      inner",
  "      END",
  "  - path: /etc/proxy/gz",
  "    encoding: gz+b64",
  `    content: ${gzipSync("zipped\n").toString("base64")}`,
  "",
].join("\n");

function lab(): StackExport {
  return snapshot([
    res("acme:db:DbHost$aws:ec2/instance:Instance", "db-a-host", { userData: hostScript }, DB_PARENT),
    res(
      "acme:db:DbHost$aws:ssm/document:Document",
      "db-a-doc",
      {
        name: "db-a-bootstrap",
        documentFormat: "JSON",
        content: JSON.stringify({ schemaVersion: "2.2", mainSteps: [{ action: "aws:runShellScript", name: "boot", inputs: { runCommand: ["umask 077", "cat > /root/boot.sh <<'X'", ...hostScript.split("\n").slice(0, -1), "X", "bash /root/boot.sh"] } }] }),
      },
      DB_PARENT,
    ),
    res("acme:proxy:EgressProxy$aws:ec2/launchTemplate:LaunchTemplate", "proxy-lt", { userData: Buffer.from(cloudConfig).toString("base64") }, `${P}acme:proxy:EgressProxy::proxy`),
    res("acme:backup:Backups$aws:ssm/parameter:Parameter", "setup", { name: "/lab/db-a/setup", insecureValue: "#!/bin/bash\ncat > /etc/backup.conf <<'E'\nx\nE\n" }, `${P}acme:backup:Backups::b`),
    res("acme:backup:Backups$aws:ssm/parameter:Parameter", "sealed", { name: "/lab/db-a/setup-sealed", value: { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: "v1:x" } }, `${P}acme:backup:Backups::b`),
    res("acme:backup:Backups$aws:ssm/parameter:Parameter", "register", { name: "/lab/register", insecureValue: '{"a":1}' }, `${P}acme:backup:Backups::b`),
    res("aws:ssm/document:Document", "session-prefs", { name: "prefs", content: JSON.stringify({ schemaVersion: "1.0", sessionType: "Standard_Stream", inputs: {} }) }),
  ]);
}

describe("host file inventory", () => {
  const inv = hostFileInventory(lab());
  const at = (host: string, path: string) => inv.files.filter((f) => f.host === host && f.path === path);

  it("reads write_file blocks of a bash user-data with mode and owner, last write winning, literal paths only", () => {
    const quoted = at("db-a-host", "/etc/app/it's.conf").find((f) => f.source.carrier === "user-data");
    expect(quoted).toMatchObject({ stack: "lab", hostRole: "db-host", kind: "file", mode: "0640", owner: "postgres:postgres", content: "port = 5432\n" });
    expect(quoted?.source).toEqual({ urn: `${P}acme:db:DbHost$aws:ec2/instance:Instance::db-a-host`, property: "userData", carrier: "user-data", via: ["user-data:db-a-host"] });
    expect(at("db-a-host", "/etc/app/plain.conf").map((f) => f.content)).toEqual(["second\n", "second\n"]);
    expect(inv.files.some((f) => f.content === "never listed\n")).toBe(false);
  });

  it("reads a cloud-config in base64 launch-template user-data, decoding b64 and gz+b64, and the files a written script writes", () => {
    expect(at("proxy-lt", "/etc/proxy/a.conf")[0]).toMatchObject({ hostRole: "egress-proxy", content: "hello\n", mode: "0644", owner: "root:root" });
    expect(at("proxy-lt", "/etc/proxy/gz")[0]?.content).toBe("zipped\n");
    expect(at("proxy-lt", "/usr/local/sbin/nested")[0]?.mode).toBe("0755");
    const nested = at("proxy-lt", "/etc/proxy/from-nested")[0];
    expect(nested).toMatchObject({ content: "inner\n", mode: "0640" });
    expect(nested?.source.via).toEqual(["user-data:proxy-lt", "/usr/local/sbin/nested"]);
  });

  it("attributes an SSM document to the one host of its component and reads the script it writes, then that script's files", () => {
    const doc = at("db-a-host", "ssm-document:db-a-bootstrap#boot")[0];
    expect(doc?.kind).toBe("bootstrap");
    expect(at("db-a-host", "/root/boot.sh")[0]).toMatchObject({ mode: "0600", owner: "root:root", content: hostScript });
    const viaDoc = at("db-a-host", "/etc/app/it's.conf").find((f) => f.source.carrier === "ssm-document");
    expect(viaDoc?.source.via).toEqual(["ssm-document:db-a-bootstrap#boot", "/root/boot.sh"]);
  });

  it("attributes a parameter to the host whose script names it; reports a sealed one; leaves out data parameters and session documents", () => {
    expect(at("db-a-host", "ssm-parameter:/lab/db-a/setup")[0]?.source.property).toBe("insecureValue");
    expect(at("db-a-host", "/etc/backup.conf")[0]?.content).toBe("x\n");
    expect(inv.unreadable).toEqual([]);
    expect(inv.files.some((f) => f.path.includes("/lab/register") || f.path.includes("prefs"))).toBe(false);
    expect(inv.files.some((f) => f.hostRole === "unattributed")).toBe(false);
  });

  it("lists a sealed parameter a host names as unreadable, with the reason", () => {
    const s = lab();
    const host = s.deployment.resources[0] as ResourceState;
    host.inputs = { userData: `${hostScript}fetch_setup /lab/db-a/setup-sealed\n` };
    host.outputs = host.inputs;
    const u = hostFileInventory(s).unreadable;
    expect(u).toHaveLength(1);
    expect(u[0]).toMatchObject({ host: "db-a-host", path: "ssm-parameter:/lab/db-a/setup-sealed", property: "value" });
    expect(u[0]?.reason).toContain("insecureValue");
  });

  it("is deterministic", () => {
    expect(JSON.stringify(hostFileInventory(lab()))).toBe(JSON.stringify(inv));
  });
});

describe("shell reading", () => {
  it("splits words with quotes and marks expansions", () => {
    expect(shellWords(`write_file '/a b' 0644 "x:y"`)).toEqual(["write_file", "/a b", "0644", "x:y"]);
    expect(shellWords(`cat > "$HOME/x"`)).toEqual(["cat", ">", undefined]);
  });

  it("reads cat > PATH here-documents under the current umask, unquoted ones as expanded", () => {
    const files = filesWrittenByScript(["umask 077", "cat >/etc/a <<EOF", "$X", "EOF", "cat > /etc/b <<-'E'", "\tkept", "\tE", ""].join("\n"));
    expect(files).toEqual([
      { path: "/etc/a", mode: "0600", owner: "root:root", content: "$X\n", expanded: true },
      { path: "/etc/b", mode: "0600", owner: "root:root", content: "kept\n", expanded: false },
    ]);
  });
});

describe("coverage figure", () => {
  const inv = hostFileInventory(lab());
  const keys = new Set(inv.files.map((f) => `${f.stack} ${f.hostRole} ${f.path}`));
  const text = (path: string): string => inv.files.find((f) => f.path === path)?.content ?? "";
  const rec = (path: string, how: "ran" | "verified", digest = "d1", content = text(path), variant = "") => ({
    stack: "lab",
    hostRole: "egress-proxy",
    path,
    how,
    detail: "squid served",
    test: "t",
    digest,
    variant,
    sha256: contentDigest(content),
  });

  it("counts run files of the current program only, and names the rest with a reason", () => {
    const report = coverageReport(
      [inv],
      [rec("/etc/proxy/a.conf", "ran"), rec("/etc/proxy/gz", "ran", "old"), rec("/usr/local/sbin/nested", "verified")],
      "d1",
      [
        { stack: "other", hostRole: "egress-proxy", path: /./, reason: "another stack's gap" },
        { hostRole: "db-host", path: /^\/root\//, reason: "lab reason" },
      ],
    );
    expect(report.total).toBe(keys.size);
    expect(report.ran).toEqual(["lab egress-proxy /etc/proxy/a.conf"]);
    expect(report.staleRecords).toBe(1);
    expect(report.verifiedOnly.map((l) => l.path)).toEqual(["/usr/local/sbin/nested"]);
    expect(report.missing.find((l) => l.path === "/root/boot.sh")?.reason).toBe("lab reason");
    expect(report.missing.find((l) => l.path === "/etc/proxy/gz")?.reason).toBe("no host test exercises it");
    expect(renderCoverage(report).split("\n")[0]).toBe(`host files exercised on a real daemon: 1/${keys.size}`);
  });

  it("counts a file only when the text that ran is the one the stack ships there", () => {
    const report = coverageReport([inv], [rec("/etc/proxy/a.conf", "ran", "d1", "edited by a lab\n", "egress"), rec("/usr/local/sbin/nested", "ran", "d1", "tampered\n")], "d1", []);
    expect(report.ran).toEqual([]);
    expect(report.ranOtherText.map((l) => l.path)).toEqual(["/etc/proxy/a.conf", "/usr/local/sbin/nested"]);
    expect(report.ranOtherText[0]?.reason).toContain("ran with config overrides (egress)");
    expect(renderCoverage(report)).toContain("run only with the lab's config overrides, not counted (2):");
  });
});

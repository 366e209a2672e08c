import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderLogShipper, renderLogShipperUnits } from "../../src/dmz/squid/log-shipping";

/**
 * The log shipper is bash; it runs here with stand-ins for what only a proxy host has: the metadata
 * service (curl), the AWS CLI (aws) and Squid. The stand-ins record what they were asked to do.
 */
let dir: string;
let logDir: string;
let calls: string;

const stub = (name: string, body: string) => fs.writeFileSync(path.join(dir, "bin", name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fpsq-ship-"));
  logDir = path.join(dir, "log");
  calls = path.join(dir, "calls");
  fs.mkdirSync(path.join(dir, "bin"));
  fs.mkdirSync(logDir);
  stub("curl", 'case "$*" in *api/token*) echo token-1 ;; *instance-id*) echo i-0abc ;; esac');
  stub("aws", `echo "aws $*" >> ${calls}; [ -z "$AWS_FAIL" ]`);
  stub("squid", `echo "squid $*" >> ${calls}`);
  fs.writeFileSync(
    path.join(dir, "ship"),
    renderLogShipper({
      bucket: "fitness-platform-dev-logs-app",
      kmsKeyArn: "arn:aws:kms:eu-central-1:111111111111:key/k-1",
      region: "eu-central-1",
      stack: "dev",
      settleSeconds: 0,
      paths: { accessLog: path.join(logDir, "access.log"), squidBinary: path.join(dir, "bin", "squid"), configFile: "/etc/squid/lab.conf" },
    }),
  );
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function ship(env: Record<string, string> = {}): { status: number; stderr: string } {
  const r = spawnSync("bash", [path.join(dir, "ship")], { encoding: "utf8", env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, ...env } });
  return { status: r.status ?? -1, stderr: r.stderr };
}
const recorded = (): string[] => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : []);

describe("the proxy's log shipper", () => {
  it("moves the log aside, has Squid reopen it, and puts it compressed under proxy/<stack>/<instance>/<day>/", () => {
    fs.writeFileSync(path.join(logDir, "access.log"), "2030-01-05T10:00:00Z 10.20.1.5 CONNECT pypi.org:443 200 TCP_TUNNEL\n");
    const r = ship();
    expect(r.status, r.stderr).toBe(0);
    const [rotate, put] = recorded();
    expect(rotate).toBe("squid -f /etc/squid/lab.conf -k rotate");
    expect(put).toMatch(
      /^aws s3api put-object --bucket fitness-platform-dev-logs-app --key proxy\/dev\/i-0abc\/\d{4}\/\d{2}\/\d{2}\/access\.log\.\d{8}T\d{6}Z\.gz --body \S+ --region eu-central-1 --endpoint-url https:\/\/s3\.eu-central-1\.amazonaws\.com --server-side-encryption aws:kms --ssekms-key-id arn:aws:kms:eu-central-1:111111111111:key\/k-1$/,
    );
    // Shipped and gone; the live log is Squid's to recreate.
    expect(fs.readdirSync(logDir)).toEqual([]);
  });

  it("keeps a file whose upload failed and ships it on the next run, intact", () => {
    fs.writeFileSync(path.join(logDir, "access.log"), "line one\n");
    expect(ship({ AWS_FAIL: "1" }).status).not.toBe(0);
    const kept = fs.readdirSync(logDir);
    expect(kept).toHaveLength(1);
    expect(gunzipSync(fs.readFileSync(path.join(logDir, kept[0] as string))).toString()).toBe("line one\n");

    fs.rmSync(calls);
    expect(ship().status).toBe(0);
    expect(recorded().filter((c) => c.startsWith("aws s3api put-object"))).toHaveLength(1);
    expect(fs.readdirSync(logDir)).toEqual([]);
  });

  it("does nothing when there is nothing to ship", () => {
    fs.writeFileSync(path.join(logDir, "access.log"), "");
    expect(ship().status).toBe(0);
    expect(recorded()).toEqual([]);
  });

  it("runs every 15 minutes and once more when the host stops", () => {
    const units = renderLogShipperUnits();
    expect(units.timer).toContain("OnCalendar=*:0/15");
    expect(units.onStop).toContain("ExecStop=/usr/local/sbin/fitness-proxy-logship");
  });
});

import { AUTO_SCALING, serviceLinkedRoleArn } from "../../src/account/service-linked-roles";
import { parseYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";
import type { EgressConfig, EgressException } from "../../src/config/sections/egress";
import { planEgressProxy, type ProxyRule, proxyCapacity, vpcResolverCidr } from "../../src/dmz/proxy-plan";
import { logShippingPolicy, volumeKeyPolicy } from "../../src/dmz/proxy-iam";
import { BOOTSTRAP_PATH } from "../../src/dmz/squid/bootstrap";
import { APT_SOURCES_FILE } from "../../src/dmz/squid/debian";
import { EXPIRY_SCRIPT_PATH } from "../../src/dmz/squid/expiry";
import { LOG_SHIPPER_PATH, renderLogShipper } from "../../src/dmz/squid/log-shipping";
import { HOST_PATHS } from "../../src/dmz/squid/paths";
import { USER_DATA_LIMIT } from "../../src/dmz/squid/user-data";

const EGRESS: EgressConfig = {
  maxLifetimeDays: 30,
  proxy: { amiId: "ami-0c4e1d2b3a5f60718", instanceType: "t3.small", maxSize: 2, rootVolumeGiB: 20 },
  exceptions: [],
};
const exception = (host: string, zones: EgressException["zones"], extra: Partial<EgressException> = {}): EgressException => ({
  host,
  zones,
  services: [],
  reason: "One-off dependency download while tuning the push provider",
  ticket: "OPS-123",
  owner: "jane.doe@fitness.example.com",
  granted: "2030-01-01",
  expires: "2030-01-20",
  ...extra,
});
const ZONE_CIDRS = { app: ["10.20.0.0/20", "10.20.16.0/20"], data: ["10.20.136.0/24", "10.20.137.0/24"] };
const plan = (live: EgressException[]) =>
  planEgressProxy({ stack: "dev", region: "eu-central-1", egress: EGRESS, liveExceptions: live, vpcCidr: "10.20.0.0/16", zoneCidrs: ZONE_CIDRS });

const ingressOf = (rules: readonly ProxyRule[], group: ProxyRule["group"]) => rules.filter((r) => r.direction === "ingress" && r.group === group);

describe("egress proxy plan", () => {
  it("scales to zero with no live exception, and up to maxSize with one", () => {
    expect(plan([]).capacity).toEqual({ minSize: 0, maxSize: 2, desiredCapacity: 0 });
    expect(plan([exception(".pypi.org", ["app"])]).capacity).toEqual({ minSize: 1, maxSize: 2, desiredCapacity: 2 });
    expect(proxyCapacity(1, 3)).toEqual({ minSize: 1, maxSize: 1, desiredCapacity: 1 });
  });

  it("admits only the zones a live exception names, and only from their security groups", () => {
    expect(plan([]).zones).toEqual([]);
    expect(ingressOf(plan([]).rules, "front")).toEqual([]);

    const appOnly = plan([exception(".pypi.org", ["app"])]);
    expect(appOnly.zones).toEqual(["app"]);
    const front = ingressOf(appOnly.rules, "front");
    expect(front.map((r) => r.peer)).toEqual([{ group: "app" }]);
    expect(front.every((r) => r.protocol === "tcp" && r.port === 3128)).toBe(true);
    expect(appOnly.rules.filter((r) => r.group === "data")).toEqual([]);
    expect(appOnly.squidConf).toContain("acl from_app src 10.20.0.0/20 10.20.16.0/20");
    expect(appOnly.squidConf).not.toContain("from_data");

    const both = plan([exception(".pypi.org", ["app"]), exception("apt.postgresql.org", ["data"])]);
    expect(ingressOf(both.rules, "front").map((r) => r.peer)).toEqual([{ group: "app" }, { group: "data" }]);
    expect(both.rules.filter((r) => r.direction === "egress" && (r.group === "app" || r.group === "data")).map((r) => [r.group, r.peer, r.port])).toEqual([
      ["app", { group: "front" }, 3128],
      ["data", { group: "front" }, 3128],
    ]);
  });

  it("lets nothing reach the hosts but their load balancer, and lets the hosts out only on 443 and DNS", () => {
    const rules = plan([exception(".pypi.org", ["app", "data"])]).rules;
    expect(ingressOf(rules, "instance").map((r) => [r.peer, r.port])).toEqual([[{ group: "front" }, 3128]]);
    for (const rule of rules.filter((r) => r.direction === "ingress")) expect("cidr" in rule.peer, rule.key).toBe(false);
    const out = rules.filter((r) => r.direction === "egress" && r.group === "instance");
    expect(out.map((r) => [r.peer, r.protocol, r.port])).toEqual([
      [{ cidr: "0.0.0.0/0" }, "tcp", 443],
      [{ cidr: "10.20.0.2/32" }, "udp", 53],
      [{ cidr: "10.20.0.2/32" }, "tcp", 53],
    ]);
    expect(vpcResolverCidr("10.30.0.0/16")).toBe("10.30.0.2/32");
  });

  it("renders only the live exceptions, with their dates, for the host's expiry timer", () => {
    const p = plan([exception("files.pythonhosted.org", ["app"], { expires: "2030-01-25" }), exception(".pypi.org", ["app"])]);
    const rows = p.exceptionsFile.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(rows.map((r) => r.split("\t").slice(0, 4))).toEqual([
      ["2030-01-20", "2030-01-01", "app", ".pypi.org"],
      ["2030-01-25", "2030-01-01", "app", "files.pythonhosted.org"],
    ]);
    expect(p.expiryScript).toContain("lists='app=/etc/squid/egress/allow-app.domains'");
  });

  it("publishes the exceptions it carries as a JSON document for review and EGR-01", () => {
    const doc = JSON.parse(plan([exception(".pypi.org", ["data", "app"], { services: ["orders", "catalog"] })]).exceptionsDocument);
    expect(doc).toEqual({
      version: 1,
      maxLifetimeDays: 30,
      exceptions: [
        {
          host: ".pypi.org",
          zones: ["app", "data"],
          services: ["catalog", "orders"],
          reason: "One-off dependency download while tuning the push provider",
          ticket: "OPS-123",
          owner: "jane.doe@fitness.example.com",
          granted: "2030-01-01",
          expires: "2030-01-20",
        },
      ],
    });
    expect(JSON.parse(plan([]).exceptionsDocument).exceptions).toEqual([]);
  });

  it("keeps the VPC, the endpoints and the cluster off the proxy (NO_PROXY)", () => {
    const noProxy = plan([]).noProxy;
    for (const entry of ["10.20.0.0/16", ".amazonaws.com", ".internal", ".svc", ".cluster.local", "169.254.169.254"]) expect(noProxy).toContain(entry);
  });

  it("refuses a zone the network plan has no subnets for", () => {
    expect(() =>
      planEgressProxy({ stack: "dev", region: "eu-central-1", egress: EGRESS, liveExceptions: [exception("a.example.com", ["data"])], vpcCidr: "10.20.0.0/16", zoneCidrs: { app: ZONE_CIDRS.app, data: [] } }),
    ).toThrow(/zone data has no subnet CIDRs/);
  });
});

describe("proxy host user-data", () => {
  const p = plan([exception(".pypi.org", ["app"])]);
  const text = p.userData({ bucket: "fitness-platform-dev-logs-app", kmsKeyArn: "arn:aws:kms:eu-central-1:111111111111:key/0b7d5f0e-1111-4222-8333-944445555666" });
  const doc = parseYaml(text.replace(/^#cloud-config\n/, ""), "user-data") as {
    packages?: string[];
    write_files: { path: string; permissions: string; content: string; defer?: boolean }[];
    runcmd: string[][];
  };
  const fileAt = (path: string) => doc.write_files.find((f) => f.path === path);

  it("is cloud-config that writes the rendered files verbatim and runs the bootstrap, which installs Squid from the Debian archive", () => {
    expect(text.startsWith("#cloud-config\n")).toBe(true);
    // Packages are the bootstrap's, so that an unreachable archive fails it.
    expect(doc.packages).toBeUndefined();
    expect(doc.runcmd).toEqual([[BOOTSTRAP_PATH]]);
    expect(fileAt(BOOTSTRAP_PATH)?.permissions).toBe("0755");
    expect(fileAt(BOOTSTRAP_PATH)?.content).toContain("apt-get -q install -y --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold squid awscli curl ca-certificates");
    expect(fileAt(APT_SOURCES_FILE)?.content).toContain("URIs: https://deb.debian.org/debian\nSuites: bookworm bookworm-updates\n");
    expect(fileAt(APT_SOURCES_FILE)?.content).toContain("URIs: https://deb.debian.org/debian-security\nSuites: bookworm-security\n");
    expect(fileAt(HOST_PATHS.configFile)?.content).toBe(p.squidConf);
    expect(fileAt(HOST_PATHS.exceptionsFile)?.content).toBe(p.exceptionsFile);
    expect(fileAt(EXPIRY_SCRIPT_PATH)?.content).toBe(p.expiryScript);
    expect(fileAt(EXPIRY_SCRIPT_PATH)?.permissions).toBe("0755");
    expect(fileAt(LOG_SHIPPER_PATH)?.content).toContain('--key "$prefix/$instance/$day/$name"');
    for (const unit of ["fitness-egress-allowlist.timer", "fitness-proxy-logship.timer", "squid.service.d/10-fitness-allowlist.conf"]) {
      expect(fileAt(`/etc/systemd/system/${unit}`), unit).toBeDefined();
    }
  });

  it("builds today's allowlists before Squid starts, then starts the timers", () => {
    const order = (fileAt(BOOTSTRAP_PATH)?.content ?? "").split("\n");
    const at = (prefix: string) => order.findIndex((line) => line.startsWith(prefix));
    expect(at(`${EXPIRY_SCRIPT_PATH} --no-reload`)).toBeGreaterThan(at("apt-get -q install"));
    expect(at(`${EXPIRY_SCRIPT_PATH} --no-reload`)).toBeLessThan(at("systemctl reload-or-restart squid.service"));
    expect(order[at("systemctl enable --now")]).toContain("fitness-egress-allowlist.timer fitness-proxy-logship.timer");
  });

  it("stays within EC2's user-data limit, and says so when too many exceptions would break it", () => {
    expect(Buffer.byteLength(text)).toBeLessThan(USER_DATA_LIMIT);
    const many = Array.from({ length: 80 }, (_, i) => exception(`host-${i}.example.com`, ["app"]));
    expect(() => plan(many).userData({ bucket: "b", kmsKeyArn: "k" })).toThrow(/user-data is \d+ bytes, EC2 allows 16384: too many egress exceptions/);
  });

  it("carries no secret and no credentials", () => {
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|password|BEGIN [A-Z ]*PRIVATE KEY/i);
  });

  it("ships the access logs under proxy/<stack>/ of the app log bucket, encrypted with the archive key", () => {
    const shipper = renderLogShipper({ bucket: "b-1", kmsKeyArn: "arn:aws:kms:eu-central-1:111111111111:key/k", region: "eu-central-1", stack: "prod" });
    expect(shipper).toContain("prefix='proxy/prod'");
    expect(shipper).toContain('--server-side-encryption aws:kms --ssekms-key-id "$kms_key"');
    expect(shipper).toContain("aws s3api put-object");
    expect(shipper).toContain("X-aws-ec2-metadata-token");
    expect(() => renderLogShipper({ bucket: "b; rm -rf /", kmsKeyArn: "k", region: "eu-central-1", stack: "dev" })).toThrow(/not a bucket/);
  });
});

describe("proxy host permissions", () => {
  it("may only add objects under its own stack's proxy/ prefix", () => {
    const doc = logShippingPolicy({ bucketArn: "arn:aws:s3:::logs", kmsKeyArn: "arn:aws:kms:eu-central-1:1:key/k", stack: "dev", region: "eu-central-1" });
    expect(doc.Statement.map((s) => [s.Action, s.Resource])).toEqual([
      ["s3:PutObject", "arn:aws:s3:::logs/proxy/dev/*"],
      [["kms:GenerateDataKey", "kms:Encrypt"], "arn:aws:kms:eu-central-1:1:key/k"],
    ]);
    expect(doc.Statement[1]?.Condition).toEqual({ StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } });
  });

  it("lets Auto Scaling use the volume key, and names no wildcard principal", () => {
    const doc = volumeKeyPolicy({ accountId: "111111111111", partition: "aws", autoScalingRoleArn: serviceLinkedRoleArn("aws", "111111111111", AUTO_SCALING) });
    const principals = doc.Statement.map((s) => (s.Principal as { AWS: string }).AWS);
    expect(principals).toContain("arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
    expect(principals).not.toContain("*");
  });
});

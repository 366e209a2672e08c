import { describe, expect, it } from "vitest";
import { type EdgeConfig, edgeSchema } from "../../src/config/sections/edge";
import { egressSchema } from "../../src/config/sections/egress";
import { planEdge } from "../../src/dmz/edge-plan";
import { MANAGED_RULE_GROUPS, RATE_RULE_NAME } from "../../src/dmz/waf-rules";

const EDGE: EdgeConfig = edgeSchema.parse({
  domainName: "api.dev.fitness.example.com",
  certificate: { mode: "dns-validated", hostedZoneId: "Z04DEVFITNESS0EXAMPLE" },
  tlsPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  wafRateLimitPerIp: 2000,
  idleTimeoutSeconds: 60,
});
const plan = (environment: "dev" | "prod") => planEdge({ environment, edge: EDGE, gatewayPort: 8080, metricPrefix: "fitness-platform-dev-edge" });

describe("edge plan", () => {
  it("is an internet-facing ALB with the hardened settings EDGE-01 checks", () => {
    const lb = plan("dev").loadBalancer;
    expect(lb).toMatchObject({ internal: false, dropInvalidHeaderFields: true, desyncMitigationMode: "strictest", idleTimeout: 60, accessLogPrefix: "alb" });
    expect(lb.enableDeletionProtection).toBe(false);
    expect(plan("prod").loadBalancer.enableDeletionProtection).toBe(true);
  });

  it("serves HTTPS with the configured policy and redirects HTTP with a 301", () => {
    const p = plan("dev");
    expect(p.https).toEqual({ port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
    expect(p.redirect).toEqual({ port: 80, statusCode: "HTTP_301" });
  });

  it("forwards only to the ingress gateway's port, on pod IPs, with a health check", () => {
    const tg = plan("dev").targetGroup;
    expect(tg).toMatchObject({ port: 8080, targetType: "ip", protocol: "HTTP" });
    expect(tg.healthCheck).toMatchObject({ path: "/healthz", port: "traffic-port", matcher: "200" });
  });

  it("opens 80/443 from the internet on the ALB and sends only to the app zone on the gateway port", () => {
    const rules = plan("dev").rules;
    const fromInternet = rules.filter((r) => "cidr" in r.peer && r.peer.cidr === "0.0.0.0/0");
    expect(fromInternet.map((r) => [r.direction, r.group, r.port]).sort()).toEqual([
      ["ingress", "alb", 443],
      ["ingress", "alb", 80],
    ]);
    const albOut = rules.filter((r) => r.group === "alb" && r.direction === "egress");
    expect(albOut.map((r) => [r.peer, r.port])).toEqual([[{ group: "app" }, 8080]]);
    const appIn = rules.filter((r) => r.group === "app");
    expect(appIn.map((r) => [r.direction, r.peer, r.port])).toEqual([["ingress", { group: "alb" }, 8080]]);
  });

  it("puts the per-IP rate limit and the AWS managed rule groups in the web ACL", () => {
    const rules = plan("dev").waf.rules;
    const rate = rules.find((r) => r.name === RATE_RULE_NAME);
    expect(rate?.statement).toEqual({ rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } });
    expect(rate?.action).toEqual({ block: {} });
    for (const group of MANAGED_RULE_GROUPS) {
      const rule = rules.find((r) => r.name === group);
      expect(rule?.statement, group).toEqual({ managedRuleGroupStatement: { vendorName: "AWS", name: group } });
      expect(rule?.overrideAction, group).toEqual({ none: {} });
    }
    expect(MANAGED_RULE_GROUPS).toEqual(expect.arrayContaining(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesSQLiRuleSet"]));
    const priorities = rules.map((r) => r.priority);
    expect(new Set(priorities).size).toBe(priorities.length);
    for (const rule of rules) expect(rule.visibilityConfig).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
  });
});

describe("edge and egress config", () => {
  it("defaults the health check path and rejects a relative one with an 'allowed:' message", () => {
    expect(EDGE.healthCheckPath).toBe("/healthz");
    const bad = edgeSchema.safeParse({ ...EDGE, healthCheckPath: "healthz" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe("allowed: an absolute URL path such as /healthz");
  });

  it("rejects wildcard and raw-IP exception hosts, and bounds the proxy's volume", () => {
    const base = {
      proxy: { amiId: "ami-0c4e1d2b3a5f60718", instanceType: "t3.small", maxSize: 1 },
      exceptions: [{ host: "*.pypi.org", zones: ["app"], reason: "download a dependency", ticket: "OPS-1", owner: "a@b.example.com", granted: "2030-01-01", expires: "2030-01-02" }],
    };
    const wildcard = egressSchema.safeParse(base);
    expect(wildcard.error?.issues[0]?.message).toMatch(/^allowed: a DNS name .* no wildcards, no IP addresses$/);
    const ip = egressSchema.safeParse({ ...base, exceptions: [{ ...base.exceptions[0], host: "203.0.113.7" }] });
    expect(ip.success).toBe(false);
    expect(egressSchema.parse({ ...base, exceptions: [] }).proxy.rootVolumeGiB).toBe(20);
    expect(egressSchema.safeParse({ ...base, exceptions: [], proxy: { ...base.proxy, rootVolumeGiB: 4 } }).error?.issues[0]?.message).toBe("allowed: 8..200");
  });
});

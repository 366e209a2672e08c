/**
 * The DMZ of the whole program for dev and prod under the offline engine: the edge ALB and its WAF,
 * and the egress proxy, scaled to zero as committed (no exception) and running with one live exception.
 */
import { parseYaml } from "../../src/config/yaml-reader";
import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { committedConfigData, ROOT } from "../support/stack-config";
import { NetworkGraph } from "./network-graph";

const T = {
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  asg: "aws:autoscaling/group:Group",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  record: "aws:route53/record:Record",
  zone: "aws:route53/zone:Zone",
  acl: "aws:wafv2/webAcl:WebAcl",
  association: "aws:wafv2/webAclAssociation:WebAclAssociation",
  logging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
  validation: "aws:acm/certificateValidation:CertificateValidation",
  bucket: "aws:s3/bucket:Bucket",
};

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

type Key = "dev" | "prod" | "dev+live" | "prod+live" | "dev+later";
const snapshots = {} as Record<Key, StackExport>;

function egressWith(stack: "dev" | "prod", zones: string[], granted: string): Record<string, string> {
  const egress = committedConfigData(stack)["fitness-platform:egress"] as Record<string, unknown>;
  const exception = { host: "files.pythonhosted.org", zones, services: [], reason: "Bootstrap dependency download", ticket: "OPS-42", owner: "ops@fitness.example.com", granted, expires: day(7) };
  return { egress: JSON.stringify({ ...egress, exceptions: [exception] }) };
}

beforeAll(async () => {
  snapshots.dev = (await synthesize({ stack: "dev", projectRoot: ROOT })).snapshot;
  snapshots.prod = (await synthesize({ stack: "prod", projectRoot: ROOT })).snapshot;
  snapshots["dev+live"] = (await synthesize({ stack: "dev", projectRoot: ROOT, configOverrides: egressWith("dev", ["app"], day(0)) })).snapshot;
  snapshots["prod+live"] = (await synthesize({ stack: "prod", projectRoot: ROOT, configOverrides: egressWith("prod", ["app", "data"], day(-1)) })).snapshot;
  // Valid config, but granted from tomorrow: not live yet.
  snapshots["dev+later"] = (await synthesize({ stack: "dev", projectRoot: ROOT, configOverrides: egressWith("dev", ["app"], day(1)) })).snapshot;
});

class Dmz extends NetworkGraph {
  one(type: string, name: string): ResourceState {
    const found = this.ofType(type).filter((r) => this.name(r) === name);
    expect(found, `${type} ${name}`).toHaveLength(1);
    return found[0] as ResourceState;
  }

  /** Separate rule resources attached to a group. */
  rulesOn(group: ResourceState, type: string): ResourceState[] {
    return this.ofType(type).filter((r) => this.refs(r, "securityGroupId", T.sg).includes(group));
  }

  zoneGroup(zone: string): ResourceState {
    return this.ofType(T.sg).filter((g) => this.tag(g, "component") === "network" && this.tag(g, "zone") === zone && this.name(g) === `network-sg-${zone}`)[0] as ResourceState;
  }

  peerOf(rule: ResourceState): string {
    const cidr = this.input(rule, "cidrIpv4");
    if (typeof cidr === "string") return cidr;
    const [group] = this.refs(rule, "referencedSecurityGroupId", T.sg);
    return group === undefined ? "?" : this.name(group);
  }

  userData(): string {
    return Buffer.from(this.input(this.one(T.lt, "egress-lt"), "userData") as string, "base64").toString("utf8");
  }

  hostFile(path: string): string {
    const doc = parseYaml(this.userData(), "user-data") as { write_files: { path: string; content: string }[] };
    return doc.write_files.find((f) => f.path === path)?.content ?? "";
  }

  outputs(): Record<string, unknown> {
    return this.ofType("pulumi:pulumi:Stack")[0]?.outputs ?? {};
  }
}
const graph = (key: Key) => new Dmz(snapshots[key]);
const sorted = (items: string[]) => [...items].sort();
const rulesSummary = (g: Dmz, rules: ResourceState[]) => sorted(rules.map((r) => `${g.input(r, "ipProtocol")}/${g.input(r, "fromPort")} ${g.peerOf(r)}`));

describe.each(["dev", "prod"] as const)("%s: the edge", (stack) => {
  it("is an internet-facing ALB in exactly the dmz subnets, hardened, logging to the edge bucket", () => {
    const g = graph(stack);
    const alb = g.one(T.lb, "edge-alb");
    expect(g.input(alb, "loadBalancerType")).toBe("application");
    expect(g.input(alb, "internal")).toBe(false);
    expect(sorted(g.refs(alb, "subnets").map((s) => g.name(s)))).toEqual(sorted(g.subnetsOfZone("dmz").map((s) => g.name(s))));
    expect(g.input(alb, "dropInvalidHeaderFields")).toBe(true);
    expect(g.input(alb, "desyncMitigationMode")).toBe("strictest");
    expect(g.input(alb, "enableDeletionProtection")).toBe(stack === "prod");
    expect(g.input(alb, "idleTimeout")).toBe(60);
    const edgeBucket = g.one(T.bucket, "logs-edge");
    expect(g.input(alb, "accessLogs")).toEqual({ bucket: g.input(edgeBucket, "bucket"), prefix: "alb", enabled: true });
    expect(String(g.input(edgeBucket, "bucket"))).toMatch(/^aws-waf-logs-/);
  });

  it("serves HTTPS with the configured TLS policy and the validated certificate, and redirects HTTP with a 301", () => {
    const g = graph(stack);
    const https = g.one(T.listener, "edge-https");
    const tlsPolicy = (committedConfigData(stack)["fitness-platform:edge"] as { tlsPolicy: string }).tlsPolicy;
    expect([g.input(https, "port"), g.input(https, "protocol"), g.input(https, "sslPolicy")]).toEqual([443, "HTTPS", tlsPolicy]);
    expect(g.input(https, "certificateArn")).toBe(g.input(g.one(T.validation, "edge-certificate-validation"), "certificateArn"));
    const [forward] = g.input(https, "defaultActions") as { type: string; targetGroupArn: string }[];
    expect(forward?.type).toBe("forward");
    expect(g.refs(https, "defaultActions", T.targetGroup).map((t) => g.name(t))).toEqual(["edge-gateway"]);
    const http = g.one(T.listener, "edge-http");
    expect([g.input(http, "port"), g.input(http, "protocol")]).toEqual([80, "HTTP"]);
    expect(g.input(http, "defaultActions")).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
  });

  it("validates the certificate through a record in the configured public zone", () => {
    const g = graph(stack);
    const zoneId = (committedConfigData(stack)["fitness-platform:edge"] as { certificate: { hostedZoneId: string } }).certificate.hostedZoneId;
    expect(g.input(g.one(T.record, "edge-certificate-validation-record"), "zoneId")).toBe(zoneId);
    expect(g.input(g.one(T.record, "edge-dns"), "zoneId")).toBe(zoneId);
  });

  it("targets the ingress gateway's port on pod IPs", () => {
    const g = graph(stack);
    const tg = g.one(T.targetGroup, "edge-gateway");
    expect([g.input(tg, "targetType"), g.input(tg, "port"), g.input(tg, "protocol")]).toEqual(["ip", 8080, "HTTP"]);
    expect(g.input(tg, "healthCheck")).toMatchObject({ path: "/healthz", port: "traffic-port" });
  });

  it("lets the internet in on 80/443 only and sends only to the app zone on the gateway port", () => {
    const g = graph(stack);
    const albSg = g.one(T.sg, "edge-alb-sg");
    expect(g.input(albSg, "ingress") ?? []).toEqual([]);
    expect(rulesSummary(g, g.rulesOn(albSg, T.ingress))).toEqual(["tcp/443 0.0.0.0/0", "tcp/80 0.0.0.0/0"]);
    expect(rulesSummary(g, g.rulesOn(albSg, T.egress))).toEqual(["tcp/8080 network-sg-app"]);
    const fromAlb = g.rulesOn(g.zoneGroup("app"), T.ingress).filter((r) => g.peerOf(r) === "edge-alb-sg");
    expect(rulesSummary(g, fromAlb)).toEqual(["tcp/8080 edge-alb-sg"]);
  });

  it("puts the WAF in front of the ALB and logs it", () => {
    const g = graph(stack);
    const association = g.one(T.association, "edge-waf-alb");
    const acl = g.one(T.acl, "edge-waf");
    const alb = g.one(T.lb, "edge-alb");
    // By ARN (a logging configuration's id is also its web ACL's ARN, so ids would mislead here).
    expect([g.input(association, "resourceArn"), g.input(association, "webAclArn")]).toEqual([alb.outputs?.["arn"], acl.outputs?.["arn"]]);
    expect(association.propertyDependencies).toMatchObject({ resourceArn: [alb.urn], webAclArn: [acl.urn] });
    expect(g.input(acl, "scope")).toBe("REGIONAL");
    const logging = g.one(T.logging, "edge-waf-logs");
    // (A logging configuration's id is its web ACL's ARN, so compare the ARN itself.)
    expect(g.input(logging, "resourceArn")).toBe(acl.outputs?.["arn"]);
    expect(logging.propertyDependencies?.["resourceArn"]).toEqual([acl.urn]);
    expect(String((g.input(logging, "logDestinationConfigs") as string[])[0])).toMatch(/^arn:aws:s3:::aws-waf-logs-/);
  });
});

describe.each(["dev", "prod"] as const)("%s as committed: the egress proxy serves only the in-VPC deployer", (stack) => {
  it("has one host (the deployer needs GitHub at every deploy), in the dmz subnets", () => {
    const g = graph(stack);
    const asg = g.one(T.asg, "egress-asg");
    const maxSize = (committedConfigData(stack)["fitness-platform:egress"] as { proxy: { maxSize: number } }).proxy.maxSize;
    expect([g.input(asg, "minSize"), g.input(asg, "desiredCapacity"), g.input(asg, "maxSize")]).toEqual([1, 1, maxSize]);
    expect(sorted(g.refs(asg, "vpcZoneIdentifiers").map((s) => g.name(s)))).toEqual(sorted(g.subnetsOfZone("dmz").map((s) => g.name(s))));
    expect(g.outputs()["egressProxy"]).toMatchObject({ desiredCapacity: 1 });
  });

  it("admits only the deployer: one ingress rule on the proxy's load balancer group, from the deployer's group; no zone egress towards it", () => {
    const g = graph(stack);
    const front = g.one(T.sg, "egress-lb-sg");
    expect(g.rulesOn(front, T.ingress).map((r) => [g.name(r), g.peerOf(r)])).toEqual([["deployer-proxy-from-deployer", "deployer-sg"]]);
    for (const zone of ["app", "data"]) {
      expect(g.rulesOn(g.zoneGroup(zone), T.egress).filter((r) => g.peerOf(r) === "egress-lb-sg"), zone).toEqual([]);
    }
    expect(g.hostFile("/etc/squid/squid.conf").match(/^http_access allow .*$/gm)).toEqual(["http_access allow from_deployer allow_deployer !inward_dst"]);
  });

  it("keeps a stable name: an internal NLB in the dmz, proxy.<stack>.fitness.internal:3128 in the private zone", () => {
    const g = graph(stack);
    const nlb = g.one(T.lb, "egress-nlb");
    expect([g.input(nlb, "loadBalancerType"), g.input(nlb, "internal")]).toEqual(["network", true]);
    expect(sorted(g.refs(nlb, "subnets").map((s) => g.name(s)))).toEqual(sorted(g.subnetsOfZone("dmz").map((s) => g.name(s))));
    const listener = g.one(T.listener, "egress-listener");
    expect([g.input(listener, "port"), g.input(listener, "protocol")]).toEqual([3128, "TCP"]);
    const tg = g.one(T.targetGroup, "egress-hosts");
    expect([g.input(tg, "port"), g.input(tg, "protocol"), g.input(tg, "preserveClientIp")]).toEqual([3128, "TCP", "true"]);
    const record = g.one(T.record, "egress-dns");
    expect(g.input(record, "name")).toBe(`proxy.${stack}.fitness.internal`);
    expect(g.refs(record, "zoneId", T.zone).map((z) => g.name(z))).toEqual(["network-private-zone"]);
    expect(g.outputs()["egressProxy"]).toMatchObject({ proxyUrl: `http://proxy.${stack}.fitness.internal:3128` });
  });

  it("launches hardened hosts: IMDSv2 with one hop, encrypted root volume, public IP, no key pair", () => {
    const g = graph(stack);
    const lt = g.one(T.lt, "egress-lt");
    expect(g.input(lt, "metadataOptions")).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(g.input(lt, "keyName")).toBeUndefined();
    expect(g.input(lt, "networkInterfaces")).toEqual([expect.objectContaining({ associatePublicIpAddress: "true" })]);
    const [disk] = g.input(lt, "blockDeviceMappings") as { ebs: { encrypted: string; kmsKeyId?: string } }[];
    expect(disk?.ebs.encrypted).toBe("true");
    expect(disk?.ebs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(g.userData()).toMatch(/^#cloud-config\n/);
  });

  it("lets the hosts reach only their NLB's clients, HTTPS out and DNS", () => {
    const g = graph(stack);
    const hosts = g.one(T.sg, "egress-hosts-sg");
    expect(rulesSummary(g, g.rulesOn(hosts, T.ingress))).toEqual(["tcp/3128 egress-lb-sg"]);
    const resolver = stack === "dev" ? "10.20.0.2/32" : "10.30.0.2/32";
    expect(rulesSummary(g, g.rulesOn(hosts, T.egress))).toEqual([`tcp/443 0.0.0.0/0`, `tcp/53 ${resolver}`, `udp/53 ${resolver}`]);
  });
});

describe("with a live exception: the egress proxy runs", () => {
  it("scales to maxSize (dev 1, prod 2) with at least one host", () => {
    for (const [key, size] of [["dev+live", 1], ["prod+live", 2]] as const) {
      const g = graph(key);
      const asg = g.one(T.asg, "egress-asg");
      expect([g.input(asg, "minSize"), g.input(asg, "desiredCapacity"), g.input(asg, "maxSize")], key).toEqual([1, size, size]);
    }
  });

  it("admits exactly the zones the exception names, from their security groups", () => {
    const dev = graph("dev+live");
    expect(rulesSummary(dev, dev.rulesOn(dev.one(T.sg, "egress-lb-sg"), T.ingress))).toEqual(["tcp/3128 deployer-sg", "tcp/3128 network-sg-app"]);
    expect(rulesSummary(dev, dev.rulesOn(dev.zoneGroup("app"), T.egress).filter((r) => dev.peerOf(r) === "egress-lb-sg"))).toEqual(["tcp/3128 egress-lb-sg"]);
    expect(dev.rulesOn(dev.zoneGroup("data"), T.egress).filter((r) => dev.peerOf(r) === "egress-lb-sg")).toEqual([]);

    const prod = graph("prod+live");
    expect(rulesSummary(prod, prod.rulesOn(prod.one(T.sg, "egress-lb-sg"), T.ingress))).toEqual(["tcp/3128 deployer-sg", "tcp/3128 network-sg-app", "tcp/3128 network-sg-data"]);
  });

  it("gives the hosts the exception, dated, and source ACLs of the zone's subnets", () => {
    const g = graph("dev+live");
    const rows = g.hostFile("/etc/squid/egress/exceptions.tsv").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(rows.map((r) => r.split("\t").slice(0, 4))).toEqual([[day(7), day(0), "app", "files.pythonhosted.org"]]);
    const conf = g.hostFile("/etc/squid/squid.conf");
    const appCidrs = g.subnetsOfZone("app").map((s) => g.input(s, "cidrBlock") as string);
    expect(conf).toContain(`acl from_app src ${appCidrs.join(" ")}`);
    expect(conf).toContain("http_access allow from_app allow_app !inward_dst");
    expect(conf).not.toContain("from_data");
  });

  it("does not admit the zone of an exception that is granted only from tomorrow (one host stays, for the deployer)", () => {
    const g = graph("dev+later");
    expect(g.input(g.one(T.asg, "egress-asg"), "desiredCapacity")).toBe(1);
    expect(rulesSummary(g, g.rulesOn(g.one(T.sg, "egress-lb-sg"), T.ingress))).toEqual(["tcp/3128 deployer-sg"]);
  });
});

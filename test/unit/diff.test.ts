import { readFileSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { diffSnapshots, diffStructure, renderMarkdown, type PolicyFinding, type SnapshotDiff } from "../../src/offline/diff";
import { egressAllowlist, parseConfigText, userDataTexts } from "../../src/offline/diff/egress-allowlist";
import { exposureFacts } from "../../src/offline/diff/exposure";
import { diffProperties } from "../../src/offline/diff/property-diff";
import { REPLACE_ON_CHANGE, REPLACE_SOURCES, replacementCauses, replaceTableMarkdown } from "../../src/offline/diff/replace-rules";
import { SnapshotIndex } from "../../src/offline/diff/resource-facts";
import { readSnapshot } from "../../src/offline/snapshot/reader";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type ResourceState, type StackExport } from "../../src/offline/snapshot/types";

const FIXTURES = path.join(__dirname, "..", "fixtures", "diff");
const base = readSnapshot(path.join(FIXTURES, "base.json"));
const head = readSnapshot(path.join(FIXTURES, "head.json"));

/** A minimal export around hand-written resources, parented to a root stack. */
function snapshot(resources: Partial<ResourceState>[]): StackExport {
  const root = "urn:pulumi:dev::fitness-platform::pulumi:pulumi:Stack::fitness-platform-dev";
  return {
    version: 3,
    deployment: {
      manifest: { time: "", magic: "", version: "" },
      resources: [
        { urn: root, custom: false, type: "pulumi:pulumi:Stack" },
        ...resources.map((r) => ({
          custom: true,
          parent: root,
          urn: `urn:pulumi:dev::fitness-platform::${r.type}::${r.id}`,
          ...r,
        })) as ResourceState[],
      ],
    },
  };
}

const secret = (fields: Record<string, string>): Record<string, string> => ({ [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ...fields });
const change = (diff: SnapshotDiff, name: string) => diff.components.flatMap((c) => c.changes).find((c) => c.name === name);

describe("diff of the fixture change (test/fixtures/diff)", () => {
  const diff = diffStructure(base, head);

  it("classifies every changed resource, and counts the rest as unchanged", () => {
    expect(diff.counts).toEqual({ remove: 3, replace: 1, update: 5, add: 2, same: base.deployment.resources.length - 1 - 3 - 1 - 5 });
    expect(change(diff, "personal-data-host")).toMatchObject({ op: "replace", replaceCauses: ["ami"], critical: true });
    // A bigger instance type is a stop/start, not a new host.
    expect(change(diff, "training-records-host")).toMatchObject({ op: "update", replaceCauses: [] });
    expect(change(diff, "purchase-history-data")).toMatchObject({ op: "remove", critical: true });
    expect(change(diff, "shop-events")).toMatchObject({ op: "add" });
    expect(change(diff, "trail-delivery")).toMatchObject({ op: "remove", critical: false });
  });

  it("names the changed property paths, with old and new short values", () => {
    const host = change(diff, "training-records-host");
    expect(host?.changes).toEqual([
      { path: "instanceType", kind: "changed", secret: false, before: '"m7i.large"', after: '"m7i.xlarge"' },
      { path: "tags.owner", kind: "added", secret: false, after: '"team-trainings"' },
    ]);
    expect(change(diff, "alb")?.changes.map((c) => c.path)).toEqual(["ingress[2]"]);
  });

  it("groups changes under the component that owns them", () => {
    const groups = Object.fromEntries(diff.components.map((g) => [g.component.name, g.changes.map((c) => c.name)]));
    expect(groups["purchase-history"]).toEqual(["purchase-history-data", "purchase-history-data"]);
    expect(groups["egress-proxy"]).toEqual(["proxy"]);
    expect(diff.components.find((g) => g.component.name === "personal-data")?.component.type).toBe("fitness:databases:DatabaseHost");
  });

  it("warns about destroyed, replaced and unprotected critical data, and only about those", () => {
    const critical = diff.warnings.filter((w) => w.kind === "critical-data").map((w) => [w.rule, w.name]);
    expect(critical).toEqual([
      ["critical-unprotected", "vault"],
      ["critical-replaced", "personal-data-host"],
      ["critical-destroyed", "purchase-history-data"],
    ]);
  });

  it("warns about exposure the change adds, not exposure base already had", () => {
    const exposure = diff.warnings.filter((w) => w.kind === "exposure");
    expect(exposure.map((w) => w.rule).sort()).toEqual(["egress-exception", "internet-route", "open-security-group"]);
    const text = exposure.map((w) => w.message).join("\n");
    expect(text).toContain("`.pypi.org`");
    expect(text).toContain("expires 2031-01-15");
    expect(text).toContain("route table `app-routes`: 0.0.0.0/0 → internet gateway `igw` (zone app)");
    expect(text).toContain("ingress tcp 8080 from 0.0.0.0/0 (zone dmz)");
    // The ALB's 443 from anywhere and the first-boot exception for Debian are in base: no warning.
    expect(text).not.toContain("tcp 443");
    expect(text).not.toContain(".debian.org");
  });

  it("shows a rotated secret as changed without any of its content", () => {
    const password = change(diff, "training-records-admin-password");
    expect(password?.changes).toEqual([{ path: "secretString", kind: "changed", secret: true }]);
    const markdown = renderMarkdown(diff);
    const json = JSON.stringify(diff);
    for (const output of [markdown, json]) {
      expect(output).not.toContain("v1:offline:rotated");
      expect(output).not.toContain("ciphertext");
    }
    expect(markdown).toContain("`secretString` (secret changed)");
  });

  it("renders a PR comment: summary, warning alert, component table, collapsible sections", () => {
    const markdown = renderMarkdown(diff);
    expect(markdown).toContain("**3 to delete · 1 to replace · 5 to update · 2 to create**");
    expect(markdown).toMatch(/> \[!CAUTION\]\n> \*\*Critical data\*\* \(3\)/);
    expect(markdown).toContain("| `fitness:databases:DatabaseHost` purchase-history | 2 | 0 | 0 | 0 |");
    expect(markdown).toContain("**forced by** `ami`<br>`ami`: `\"ami-0123456789abcdef0\"` → `\"ami-0fedcba9876543210\"`");
    expect(markdown.match(/<details/g)?.length).toBe(diff.components.length);
    // A long component collapses; a short one stays open.
    const collapsed = renderMarkdown(diff, { openUpTo: 1 });
    expect(collapsed).toContain("<details><summary>fitness:databases:DatabaseHost purchase-history: 2 to delete</summary>");
    expect(collapsed).toContain("<details open><summary>fitness:databases:DatabaseHost personal-data: 1 to replace</summary>");
  });

  it("is deterministic", () => {
    expect(renderMarkdown(diffStructure(base, head))).toBe(renderMarkdown(diff));
    expect(JSON.stringify(diffStructure(base, head))).toBe(JSON.stringify(diff));
  });

  it("reports nothing for identical snapshots", () => {
    const same = diffStructure(base, base);
    expect(same.counts).toMatchObject({ remove: 0, replace: 0, update: 0, add: 0 });
    expect(same.warnings).toEqual([]);
    expect(renderMarkdown(same)).toContain("**No changes.**");
    expect(renderMarkdown(same)).toContain("No critical data is destroyed or replaced, and no exposure is added.");
  });

  it("treats a first synth (empty base) as all new, with its exposure listed", () => {
    const empty: StackExport = { version: 3, deployment: { manifest: { time: "", magic: "", version: "" }, resources: [] } };
    const first = diffStructure(empty, base);
    expect(first.counts.add).toBe(base.deployment.resources.length - 1);
    expect(first.warnings.some((w) => w.rule === "internet-route" && w.message.includes("dmz-routes"))).toBe(true);
    expect(renderMarkdown(first)).toContain("everything is new");
  });
});

describe("policy results that changed", () => {
  const finding = (policy: string, urn: string, level = "mandatory"): PolicyFinding => ({ policy, urn, level, message: `${policy} violated` });
  const a = finding("s3-01", "urn:a");
  const b = finding("net-01", "urn:b");
  const c = finding("ec2-02", "urn:c", "advisory");

  it("lists new and resolved findings from the injected audit", async () => {
    const audit = (s: StackExport) => (s === base ? [a, b] : [b, c]);
    const diff = await diffSnapshots(base, head, { audit });
    expect(diff.policy).toEqual({ evaluated: true, introduced: [c], resolved: [a], unchanged: 1 });
    const markdown = renderMarkdown(diff);
    expect(markdown).toContain("1 new, 1 resolved, 1 unchanged.");
    expect(markdown).toContain("| new | `ec2-02` | advisory | `urn:c` | ec2-02 violated |");
    expect(markdown).toContain("| resolved | `s3-01` | mandatory | `urn:a` | s3-01 violated |");
  });

  it("states the policy verdict before anything reassuring", async () => {
    const quiet = snapshot([{ type: "aws:sqs/queue:Queue", id: "q", inputs: { name: "q" } }]);
    const failing = renderMarkdown(await diffSnapshots(quiet, quiet, { audit: (s) => (s === quiet ? [] : []) }));
    expect(failing.split("\n")[2]).toBe("**Policy: passes — no new finding.**");
    let call = 0;
    const violated = renderMarkdown(await diffSnapshots(quiet, quiet, { audit: () => (call++ === 0 ? [] : [b]) }));
    const verdict = violated.indexOf("**Policy: FAILS — 1 new mandatory violation(s).**");
    expect(verdict).toBeGreaterThan(0);
    expect(verdict).toBeLessThan(violated.indexOf("No critical data is destroyed"));
    expect(violated).not.toContain("No warnings");
  });

  it("says when the audit was not given or failed, and still diffs", async () => {
    expect(renderMarkdown(await diffSnapshots(base, head))).toContain("_Not evaluated");
    const failing = await diffSnapshots(base, head, {
      audit: () => {
        throw new Error("policy pack failed to load\nstack trace");
      },
    });
    expect(failing.policy.error).toBe("policy pack failed to load");
    expect(failing.counts.replace).toBe(1);
  });
});

describe("property paths", () => {
  it("walks nested maps and lists, quoting keys that are not identifiers", () => {
    const changes = diffProperties({ tags: { "data-class": "internal" }, list: [1, 2] }, { tags: { "data-class": "critical" }, list: [1] });
    expect(changes.map((c) => c.path)).toEqual(["list[1]", 'tags["data-class"]']);
  });

  it("summarises long or multi-line values by their size, and shows every other non-secret value", () => {
    const [c] = diffProperties({ userData: "#!/bin/bash\necho a" }, { userData: "#!/bin/bash\necho bb" });
    expect(c).toEqual({ path: "userData", kind: "changed", secret: false, before: "(text, 2 lines, 18 characters)", after: "(text, 2 lines, 19 characters)" });
    const [policy] = diffProperties({}, { policy: { Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] } });
    expect(policy).toEqual({ path: "policy", kind: "added", secret: false, after: '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}' });
  });

  it("matches list items by name, so an insertion shows one added item and no shifted lines", () => {
    const peer = (app: string) => ({ podSelector: { matchLabels: { app } } });
    const before = { spec: { ingress: [{ from: [peer("orders"), peer("users")], ports: [{ port: 443, protocol: "TCP" }] }] } };
    const after = { spec: { ingress: [{ from: [peer("catalog"), peer("orders"), peer("users")], ports: [{ port: 443, protocol: "TCP" }] }] } };
    expect(diffProperties(before, after)).toEqual([
      { path: "spec.ingress[0].from[0]", kind: "added", secret: false, after: '{"podSelector":{"matchLabels":{"app":"catalog"}}}' },
    ]);
    const containers = (image: string) => [{ name: "sidecar", image: "envoy:1" }, { name: "app", image }];
    const moved = diffProperties({ containers: containers("app:1") }, { containers: [...containers("app:2")].reverse() });
    expect(moved).toEqual([{ path: "containers[0].image", kind: "changed", secret: false, before: '"app:1"', after: '"app:2"' }]);
  });

  it("treats a reordered list as no change (provider sets: subnet ids)", () => {
    expect(diffProperties({ subnetIds: ["a", "b", "c"] }, { subnetIds: ["c", "a", "b"] })).toEqual([]);
    expect(diffProperties({ subnetIds: ["a", "b"] }, { subnetIds: ["b", "x", "a"] })).toEqual([
      { path: "subnetIds[1]", kind: "added", secret: false, after: '"x"' },
    ]);
  });

  it("compares secrets of a --show-secrets export without revealing them", () => {
    const changes = diffProperties({ password: secret({ plaintext: '"hunter2-old"' }) }, { password: secret({ plaintext: '"hunter2-new"' }) });
    expect(changes).toEqual([{ path: "password", kind: "changed", secret: true }]);
    expect(JSON.stringify(changes)).not.toContain("hunter2");
    expect(diffProperties({ p: secret({ ciphertext: "x" }) }, { p: secret({ ciphertext: "x" }) })).toEqual([]);
    expect(diffProperties({ p: "plain" }, { p: secret({ ciphertext: "x" }) })).toEqual([{ path: "p", kind: "changed", secret: true }]);
  });
});

describe("replacement estimate", () => {
  it("replaces an instance on userData only when userDataReplaceOnChange is set", () => {
    expect(replacementCauses("aws:ec2/instance:Instance", ["userData"], {})).toEqual([]);
    expect(replacementCauses("aws:ec2/instance:Instance", ["userData"], { userDataReplaceOnChange: true })).toEqual([
      "userData with userDataReplaceOnChange",
    ]);
  });

  it("matches nested paths under a replace-forcing property", () => {
    expect(replacementCauses("aws:ec2/instance:Instance", ["ebsBlockDevices[0].volumeSize"], {})).toEqual(["ebsBlockDevices"]);
    expect(replacementCauses("aws:ec2/instance:Instance", ["rootBlockDevice.volumeSize"], {})).toEqual([]);
    expect(replacementCauses("aws:ec2/subnet:Subnet", ["cidrBlock", "tags.Name"], {})).toEqual(["cidrBlock"]);
    expect(replacementCauses("aws:s3/bucket:Bucket", ["bucket"], {})).toEqual(["bucket"]);
    expect(replacementCauses("aws:ebs/volume:Volume", ["size"], {})).toEqual([]);
  });

  it("knows the package-wide rules: AWS region, Kubernetes identity, generated values", () => {
    expect(replacementCauses("aws:sqs/queue:Queue", ["region"], {})).toEqual(["region"]);
    expect(replacementCauses("kubernetes:core/v1:ConfigMap", ["metadata.namespace"], {})).toEqual(["metadata.namespace"]);
    expect(replacementCauses("kubernetes:core/v1:ConfigMap", ["data.KEY"], {})).toEqual([]);
    expect(replacementCauses("kubernetes:apps/v1:Deployment", ["spec.selector.matchLabels.app"], {})).toEqual(["spec.selector"]);
    expect(replacementCauses("random:index/randomPassword:RandomPassword", ["length"], {})).toEqual(["any input"]);
  });

  it("follows the resource's own replaceOnChanges and ignoreChanges options from the snapshot", () => {
    const host = (ami: string, options: Partial<ResourceState>) =>
      snapshot([{ type: "aws:ec2/instance:Instance", id: "db", inputs: { ami, instanceType: "m7i.large", tags: { "data-class": "critical" } }, ...options }]);
    const ignoring = diffStructure(host("ami-1", { ignoreChanges: ["ami"] }), host("ami-2", { ignoreChanges: ["ami"] }));
    expect(ignoring.counts).toMatchObject({ replace: 0, update: 0 });
    expect(ignoring.warnings).toEqual([]);
    expect(ignoring.ignored).toEqual([{ urn: expect.stringContaining("::db") as string, name: "db", paths: ["ami"] }]);
    // Without the option (an export of an older engine), the same bump is a replacement.
    expect(diffStructure(host("ami-1", {}), host("ami-2", {})).counts.replace).toBe(1);
    const replaceOn = (type: string) => snapshot([{ type: "aws:sqs/queue:Queue", id: "q", inputs: { name: "q", delaySeconds: type }, replaceOnChanges: ["delaySeconds"] }]);
    expect(diffStructure(replaceOn("0"), replaceOn("5")).components[0]?.changes[0]).toMatchObject({ op: "replace", replaceCauses: ["delaySeconds (replaceOnChanges)"] });
  });

  it("does not replace an EKS cluster for new subnets, but a node group (documented ForceNew)", () => {
    expect(replacementCauses("aws:eks/cluster:Cluster", ["vpcConfig.subnetIds[2]"], {})).toEqual([]);
    expect(replacementCauses("aws:eks/nodeGroup:NodeGroup", ["subnetIds[2]"], {})).toEqual(["subnetIds"]);
  });

  it("cites a source for every entry of the table", () => {
    for (const type of Object.keys(REPLACE_ON_CHANGE)) expect(REPLACE_SOURCES[type], type).toMatch(/\S/);
  });

  it("treats a resource moved to another provider as a replacement", () => {
    const provider = (n: string) => `urn:pulumi:dev::fitness-platform::pulumi:providers:aws::${n}::id`;
    const before = snapshot([{ type: "aws:sqs/queue:Queue", id: "q", provider: provider("eu"), inputs: { name: "q" } }]);
    const after = snapshot([{ type: "aws:sqs/queue:Queue", id: "q", provider: provider("us"), inputs: { name: "q" } }]);
    expect(diffStructure(before, after).components[0]?.changes[0]).toMatchObject({ op: "replace", replaceCauses: ["(provider)"] });
  });

  it("is the table docs/ci.md documents", () => {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "ci.md"), "utf8");
    const table = /<!-- replace-table:start -->\n([\s\S]*?)<!-- replace-table:end -->/.exec(doc)?.[1];
    expect(table).toBe(replaceTableMarkdown());
  });
});

describe("exposure detectors", () => {
  const facts = (resources: Partial<ResourceState>[]) => exposureFacts(new SnapshotIndex(snapshot(resources))).map((f) => f.message);

  it("finds open rules in every form of security group rule and NACL entry", () => {
    expect(
      facts([
        { type: "aws:ec2/securityGroup:SecurityGroup", id: "sg-1", inputs: { tags: { zone: "app" } } },
        { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", id: "r1", inputs: { securityGroupId: "sg-1", cidrIpv6: "::/0", ipProtocol: "tcp", fromPort: 22, toPort: 22 } },
        { type: "aws:ec2/securityGroupRule:SecurityGroupRule", id: "r2", inputs: { securityGroupId: "sg-1", type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] } },
        { type: "aws:ec2/securityGroupRule:SecurityGroupRule", id: "r3", inputs: { securityGroupId: "sg-1", type: "ingress", protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/8"] } },
        { type: "aws:ec2/networkAcl:NetworkAcl", id: "acl-1", inputs: { ingress: [{ action: "deny", cidrBlock: "0.0.0.0/0", protocol: "-1" }, { action: "allow", cidrBlock: "0.0.0.0/0", protocol: "tcp", fromPort: 3389, toPort: 3389 }] } },
      ]),
    ).toEqual([
      "network ACL `acl-1` allows ingress tcp 3389 from 0.0.0.0/0",
      "security group `sg-1`: egress all traffic to 0.0.0.0/0 (zone app)",
      "security group `sg-1`: ingress tcp 22 from ::/0 (zone app)",
    ]);
  });

  it("flags a widened EKS endpoint, not a narrowed one", () => {
    const cluster = (cidrs: string[]) =>
      snapshot([{ type: "aws:eks/cluster:Cluster", id: "eks", inputs: { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: cidrs } } }]);
    const narrow = cluster(["203.0.113.0/24"]);
    const wide = cluster(["203.0.113.0/24", "0.0.0.0/0"]);
    expect(diffStructure(narrow, wide).warnings.map((w) => w.message)).toEqual(["EKS API endpoint `eks` reachable from 0.0.0.0/0"]);
    expect(diffStructure(wide, narrow).warnings).toEqual([]);
  });

  it("flags new internet-facing load balancers, public addresses and public bucket access", () => {
    expect(
      facts([
        { type: "aws:lb/loadBalancer:LoadBalancer", id: "internal", inputs: { internal: true } },
        { type: "aws:lb/loadBalancer:LoadBalancer", id: "public", inputs: {} },
        { type: "aws:ec2/instance:Instance", id: "i-1", inputs: { associatePublicIpAddress: true, tags: { zone: "data" } } },
        { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", id: "pab", inputs: { bucket: "b", blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true } },
      ]),
    ).toEqual([
      "internet-facing load balancer `public`",
      "bucket `b`: public access block `blockPublicPolicy` is off",
      "instance `i-1` has a public IP address (zone data)",
    ]);
  });
});

describe("egress allowlist detector", () => {
  it("reads Squid dstdomain ACLs, the dated exceptions file and JSON objects", () => {
    const text = [
      "acl allowed dstdomain .example.com api.example.org",
      'acl from_file dstdomain "/etc/squid/egress/allow-app.domains"',
      "2031-02-01\t2031-01-01\tapp,data\t.pypi.org\tOPS-1\ta@example.com\ttuning",
      '{"host": "registry.npmjs.org", "expires": "2031-03-01", "zones": ["app"]}',
    ].join("\n");
    expect(parseConfigText(text)).toEqual([
      { host: ".example.com" },
      { host: "api.example.org" },
      { host: ".pypi.org", expires: "2031-02-01" },
      { host: "registry.npmjs.org", expires: "2031-03-01" },
    ]);
  });

  it("looks inside base64 and gzip user-data and the files embedded in it", () => {
    const inner = Buffer.from("2031-02-01\t2031-01-01\tapp\t.pypi.org\tOPS-1\to@example.com\tr\n").toString("base64");
    const cloudConfig = `#cloud-config\nwrite_files:\n  - encoding: b64\n    content: ${inner}\n`;
    const gz = gzipSync(Buffer.from(cloudConfig)).toString("base64");
    expect(userDataTexts(gz).some((t) => t.includes(".pypi.org"))).toBe(true);
  });

  it("reads an SSM parameter that holds the allowlist, and ignores unrelated user-data", () => {
    const index = new SnapshotIndex(
      snapshot([
        { type: "aws:ssm/parameter:Parameter", id: "egress-allowlist", inputs: { name: "/platform/egress/allowlist", value: '[".debian.org"]' } },
        { type: "aws:ssm/parameter:Parameter", id: "other", inputs: { name: "/platform/other", value: '[".evil.example"]' } },
        { type: "aws:ec2/instance:Instance", id: "db", inputs: { userData: "acl x dstdomain .not-proxy.example", tags: { zone: "data" } } },
      ]),
    );
    expect(egressAllowlist(index).map((e) => e.host)).toEqual([".debian.org"]);
  });
});

describe("exposure beyond open CIDRs", () => {
  const sg = (id: string) => ({ type: "aws:ec2/securityGroup:SecurityGroup", id, inputs: { name: id, vpcId: "vpc" }, outputs: { id: `sg-${id}` } });
  const rule = (fromPort: number, toPort: number) => ({
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    id: "db-from-app",
    inputs: { securityGroupId: "sg-db", ipProtocol: "tcp", fromPort, toPort, cidrIpv4: "10.20.0.0/16" },
  });

  it("flags a widened port range of an existing rule (waived or not: the rules themselves are compared)", () => {
    const before = snapshot([sg("db"), rule(1024, 2048)]);
    const widened = diffStructure(before, snapshot([sg("db"), rule(1024, 65535)]));
    expect(widened.warnings.map((w) => [w.rule, w.message])).toEqual([
      ["widened-ports", "security group db ingress tcp from 10.20.0.0/16: ports widened from 1024-2048 to 1024-65535"],
    ]);
    expect(diffStructure(before, snapshot([sg("db"), rule(1024, 1500)])).warnings).toEqual([]);
  });

  it("flags new principals in trust and resource policies, and new public routes", () => {
    const role = (principals: string[]) => ({
      type: "aws:iam/role:Role",
      id: "operator",
      inputs: { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: principals } }] }) },
    });
    const ingress = (paths: string[]) => ({
      type: "kubernetes:networking.k8s.io/v1:Ingress",
      id: "edge",
      inputs: { spec: { rules: [{ host: "api.example.com", http: { paths: paths.map((path) => ({ path, pathType: "Prefix" })) } }] } },
    });
    const diff = diffStructure(snapshot([role(["arn:aws:iam::111:root"]), ingress(["/api/orders"])]), snapshot([role(["arn:aws:iam::111:root", "arn:aws:iam::999:root"]), ingress(["/api/orders", "/api/admin"])]));
    expect(diff.warnings.map((w) => [w.rule, w.message]).sort()).toEqual([
      ["new-principal", "`operator` may be assumed by AWS `arn:aws:iam::999:root`"],
      ["public-route", "public route `api.example.com/api/admin` (`edge`)"],
    ]);
  });
});

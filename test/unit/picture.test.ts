import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { architectureModel, dotToSvg, renderArchitecture, toDot } from "../../src/offline/picture";
import type { ArchitectureModel } from "../../src/offline/picture";
import { readSnapshot } from "../../src/offline/snapshot/reader";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";

const platform = readSnapshot(path.join(__dirname, "..", "fixtures", "diff", "base.json"));

interface SvgGroup {
  readonly cls: string;
  readonly title: string;
  readonly texts: string[];
}

/** Every `<g class="node|cluster|edge">` of a Graphviz SVG, with its title and the text it shows. */
function svgGroups(svg: string): SvgGroup[] {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", htmlEntities: true, isArray: (name) => name === "g" || name === "text" }).parse(svg) as Record<
    string,
    unknown
  >;
  expect(doc.svg).toBeDefined();
  const groups: SvgGroup[] = [];
  const textOf = (t: unknown): string => (typeof t === "object" && t !== null ? String((t as Record<string, unknown>)["#text"] ?? "") : String(t));
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record["@class"] === "string" && record.title !== undefined) {
      groups.push({ cls: record["@class"], title: textOf(record.title), texts: ((record.text as unknown[]) ?? []).map(textOf) });
    }
    Object.values(record).forEach(visit);
  };
  visit(doc.svg);
  return groups;
}

/** The services of the fixture, read from the snapshot without the picture's code: Deployments outside the edge namespace. */
function servicesIn(snapshot: StackExport): string[] {
  return snapshot.deployment.resources
    .filter((r) => r.type === "kubernetes:apps/v1:Deployment")
    .map((r) => (r.inputs?.metadata as { name: string; namespace: string }))
    .filter((m) => m.namespace !== "edge")
    .map((m) => m.name)
    .sort();
}

function flow(model: ArchitectureModel, fromLabel: string, toLabel: string): string | undefined {
  const id = (label: string) => model.nodes.find((n) => n.label === label)?.id;
  return model.edges.find((e) => e.from === id(fromLabel) && e.to === id(toLabel))?.label;
}

describe("architecture picture of the platform fixture", () => {
  it("renders an SVG that parses and shows every zone and every service", async () => {
    const { svg } = await renderArchitecture(platform);
    const groups = svgGroups(svg);
    const clusters = groups.filter((g) => g.cls === "cluster");
    for (const zone of ["dmz", "app", "data"]) {
      const cluster = clusters.find((c) => c.title === `cluster_zone_${zone}`);
      expect(cluster?.texts.join(" ")).toContain(`${zone} zone`);
    }
    expect(clusters.find((c) => c.title === "cluster_zone_app")?.texts.join(" ")).toContain("10.20.64.0/20, 10.20.80.0/20");
    const nodeTexts = groups.filter((g) => g.cls === "node").flatMap((g) => g.texts);
    const services = servicesIn(platform);
    expect(services).toEqual(["notifications", "orders", "trainings", "users"]);
    for (const service of services) expect(nodeTexts).toContain(service);
    for (const part of ["ALB fp-dev-edge", "WAF edge-waf", "egress proxy (Squid)", "ingress gateway (ingress-nginx)", "PostgreSQL personal-data", "S3 backups-pitr", "SNS messaging-order-placed", "SQS messaging-notifications-dlq (DLQ)", "Backup vault backups-vault"]) {
      expect(nodeTexts).toContain(part);
    }
  });

  it("places each part in its zone, and the services inside the cluster", () => {
    const model = architectureModel(platform);
    const placement = (label: string) => model.nodes.find((n) => n.label === label)?.placement;
    expect(placement("ALB fp-dev-edge")).toBe("dmz");
    expect(placement("egress proxy (Squid)")).toBe("dmz");
    expect(placement("users")).toBe("cluster");
    expect(placement("PostgreSQL training-records")).toBe("data");
    expect(placement("S3 logs-app")).toBe("regional");
    expect(model.cluster?.label).toBe("EKS fitness-platform-dev-cluster, Kubernetes 1.33, 1 node group");
  });

  it("derives the flows from the snapshot: request path, data, messaging, egress, logs, backups", () => {
    const model = architectureModel(platform);
    expect(flow(model, "Internet", "ALB fp-dev-edge")).toBe("HTTPS");
    expect(flow(model, "WAF edge-waf", "ALB fp-dev-edge")).toBe("filters");
    expect(flow(model, "ALB fp-dev-edge", "ingress gateway (ingress-nginx)")).toBe("HTTPS :8443");
    for (const svc of ["users", "trainings", "orders"]) expect(flow(model, "ingress gateway (ingress-nginx)", svc)).toBe("routes");
    // notifications has no Ingress: it is not reachable from the gateway.
    expect(flow(model, "ingress gateway (ingress-nginx)", "notifications")).toBeUndefined();
    expect(flow(model, "users", "PostgreSQL personal-data")).toBe("SQL (TLS)");
    expect(flow(model, "orders", "PostgreSQL purchase-history")).toBe("SQL (TLS)");
    // Each service reaches its own database only.
    expect(flow(model, "users", "PostgreSQL purchase-history")).toBeUndefined();
    expect(flow(model, "notifications", "PostgreSQL personal-data")).toBeUndefined();
    expect(flow(model, "orders", "SNS messaging-order-placed")).toBe("publish");
    expect(flow(model, "SNS messaging-order-placed", "SQS messaging-notifications")).toBe("subscription");
    expect(flow(model, "SQS messaging-notifications", "notifications")).toBe("consume");
    expect(flow(model, "SQS messaging-notifications", "SQS messaging-notifications-dlq (DLQ)")).toBe("dead letters");
    expect(flow(model, "notifications", "egress proxy (Squid)")).toBe("HTTPS via proxy");
    expect(flow(model, "users", "egress proxy (Squid)")).toBeUndefined();
    expect(flow(model, "egress proxy (Squid)", "Internet")).toBe("allowlisted hosts only (1)");
    // The fixture's pgBackRest bucket has no versioning or Object Lock: the audit's facts find no PITR
    // repository (BKP-02), and the picture says so; its selection picks the hosts' volumes by tag.
    expect(flow(model, "PostgreSQL personal-data", "S3 backups-pitr")).toBe("backups (not a protected PITR repository)");
    expect(flow(model, "PostgreSQL personal-data", "Backup vault backups-vault")).toBe("snapshots daily 7 d");
    expect(flow(model, "VPC flow logs (ALL)", "S3 logs-app")).toBe("flow logs");
    expect(flow(model, "ALB fp-dev-edge", "S3 logs-edge")).toBe("access logs");
    expect(flow(model, "log shipper (fluent-bit)", "S3 logs-app")).toBe("container logs");
    expect(flow(model, "CloudTrail logs-trail", "S3 logs-audit")).toBe("API audit trail");
  });

  it("is deterministic", async () => {
    const [a, b] = await Promise.all([renderArchitecture(platform), renderArchitecture(platform)]);
    expect(b.dot).toBe(a.dot);
    expect(b.svg).toBe(a.svg);
    const reversed: StackExport = { ...platform, deployment: { ...platform.deployment, resources: [...platform.deployment.resources].reverse() } };
    expect(toDot(architectureModel(reversed))).toBe(a.dot);
  });
});

describe("architecture picture of a partial platform", () => {
  const root = "urn:pulumi:dev::fitness-platform::pulumi:pulumi:Stack::fitness-platform-dev";
  const partial = (resources: Partial<ResourceState>[]): StackExport => ({
    version: 3,
    deployment: {
      manifest: { time: "", magic: "", version: "" },
      resources: [
        { urn: root, custom: false, type: "pulumi:pulumi:Stack" },
        ...(resources.map((r) => ({ custom: true, parent: root, urn: `urn:pulumi:dev::fitness-platform::${r.type}::${r.id}`, ...r })) as ResourceState[]),
      ],
    },
  });

  it("draws only the network, with every zone still shown", async () => {
    const network = partial([
      { type: "aws:ec2/vpc:Vpc", id: "vpc-1", inputs: { cidrBlock: "10.0.0.0/16" } },
      { type: "aws:ec2/subnet:Subnet", id: "subnet-1", inputs: { cidrBlock: "10.0.1.0/24", tags: { zone: "dmz" } } },
    ]);
    const { svg, model } = await renderArchitecture(network);
    expect(model.nodes.map((n) => n.kind)).toEqual(["internet"]);
    const titles = svgGroups(svg).map((g) => g.title);
    for (const zone of ["dmz", "app", "data"]) expect(titles).toContain(`cluster_zone_${zone}`);
    expect(svg).toContain("(nothing deployed in this zone)");
  });

  it("renders an empty snapshot", async () => {
    const { svg } = await renderArchitecture(partial([]));
    expect(svgGroups(svg).filter((g) => g.cls === "cluster").length).toBe(4);
  });

  it("draws a log flow to the bucket a source delivers to, not to every bucket it mentions or depends on", () => {
    const bucket = (name: string): Partial<ResourceState> => ({ type: "aws:s3/bucket:Bucket", id: name, inputs: { bucket: name }, outputs: { arn: `arn:aws:s3:::${name}` } });
    const urnOf = (name: string) => `urn:pulumi:dev::fitness-platform::aws:s3/bucket:Bucket::${name}`;
    const model = architectureModel(
      partial([
        bucket("fp-dev-logs-audit"),
        bucket("fp-dev-logs-app"),
        {
          type: "aws:cloudtrail/trail:Trail",
          id: "trail",
          inputs: { s3BucketName: "fp-dev-logs-audit", advancedEventSelectors: [{ fieldSelectors: [{ field: "resources.ARN", startsWith: ["arn:aws:s3:::fp-dev-logs-app/"] }] }] },
        },
        {
          type: "aws:ec2/flowLog:FlowLog",
          id: "flow",
          inputs: { logDestination: "arn:aws:s3:::fp-dev-logs-app/flow-logs/" },
          // `dependsOn` a whole log archive component lists all its buckets; the property says which one.
          dependencies: [urnOf("fp-dev-logs-audit"), urnOf("fp-dev-logs-app")],
          propertyDependencies: { logDestination: [urnOf("fp-dev-logs-app")] },
        },
      ]),
    );
    expect(model.edges.map((e) => `${e.from.split("::").pop()} -> ${e.to.split("::").pop()}: ${e.label}`)).toEqual([
      "flow -> fp-dev-logs-app: flow logs",
      "trail -> fp-dev-logs-audit: API audit trail",
    ]);
  });

  it("draws services from namespaces when no workload exists yet, and escapes labels", async () => {
    const model = architectureModel(
      partial([
        { type: "kubernetes:core/v1:Namespace", id: "users", inputs: { metadata: { name: "users" } } },
        { type: "kubernetes:core/v1:Namespace", id: "kube-system", inputs: { metadata: { name: "kube-system" } } },
        { type: "aws:sns/topic:Topic", id: "t", inputs: { name: 'odd "name"\\' } },
      ]),
    );
    expect(model.nodes.filter((n) => n.kind === "service").map((n) => n.label)).toEqual(["users"]);
    const dot = toDot(model);
    expect(dot).toContain('label="SNS odd \\"name\\"\\\\"');
    await expect(dotToSvg(dot)).resolves.toContain("<svg");
  });
});

/**
 * The whole program for dev and prod under the offline engine, read for the database hosts (D5): where
 * they stand, what reaches them, what they may read, what survives a delete, and that no secret is in
 * what they are given at boot.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mustParseCidr, cidrContains } from "../../src/config/cidr";
import { CRITICAL_DOMAINS } from "../../src/config/sections/databases";
import { synthesize } from "../../src/offline/engine/synthesize";
import { userDataOf } from "../../src/offline/host-files/carriers";
import { SECRET_SIG_KEY, type ResourceState, type StackExport } from "../../src/offline/snapshot/types";
import { ROOT, committedConfigData } from "../support/stack-config";

const T = {
  instance: "aws:ec2/instance:Instance",
  volume: "aws:ebs/volume:Volume",
  attachment: "aws:ec2/volumeAttachment:VolumeAttachment",
  subnet: "aws:ec2/subnet:Subnet",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  key: "aws:kms/key:Key",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachPolicy: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  profile: "aws:iam/instanceProfile:InstanceProfile",
  role: "aws:iam/role:Role",
  record: "aws:route53/record:Record",
  document: "aws:ssm/document:Document",
  zone: "aws:route53/zone:Zone",
} as const;

type Json = Record<string, unknown>;
const snapshots: Record<string, StackExport> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

class View {
  readonly all: ResourceState[];
  constructor(stack: string) {
    this.all = (snapshots[stack] as StackExport).deployment.resources;
  }
  ofType(type: string): ResourceState[] {
    return this.all.filter((r) => r.type === type);
  }
  byId(id: unknown): ResourceState | undefined {
    return this.all.find((r) => r.id === id);
  }
  /** The resource whose output `property` equals `value` (ARNs, key ids). */
  byOutput(type: string, property: string, value: unknown): ResourceState | undefined {
    return this.ofType(type).find((r) => r.outputs?.[property] === value);
  }
  tags(r: ResourceState): Record<string, string> {
    return (r.inputs?.tags ?? {}) as Record<string, string>;
  }
  name(r: ResourceState): string {
    return r.urn.split("::").pop() ?? r.urn;
  }
  /** PostgreSQL servers: single hosts and Patroni members (etcd nodes carry host-role=consensus). */
  dbHosts(): ResourceState[] {
    return this.ofType(T.instance).filter((r) => this.tags(r).component === "databases" && this.tags(r)["host-role"] !== "consensus");
  }
  /** The data domain of a host: its cluster tag (members), else its name. */
  domainOf(host: ResourceState): string {
    return this.tags(host)["db-cluster"] ?? String(this.tags(host).Name).replace(/^fitness-platform-(dev|prod)-databases-/, "");
  }
  /** The DB host component a resource belongs to (its parent chain holds the domain's name). */
  childOf(host: ResourceState, type: string): ResourceState[] {
    return this.ofType(type).filter((r) => r.parent === host.parent);
  }
  zoneSg(zone: string): ResourceState {
    const sg = this.ofType(T.sg).find((r) => this.tags(r).component === "network" && this.tags(r).zone === zone && this.name(r).endsWith(`sg-${zone}`));
    if (sg === undefined) throw new Error(`no ${zone} zone security group`);
    return sg;
  }
}

describe.each(["dev", "prod"])("%s: database hosts", (stack) => {
  it("runs each critical domain's members (one per configured AZ), in data subnets, at their planned addresses, tagged critical", () => {
    const v = new View(stack);
    const hosts = v.dbHosts();
    const domains = (committedConfigData(stack)["fitness-platform:databases"] as { domains: Record<string, { availabilityZones: string[] }> }).domains;
    const expected = CRITICAL_DOMAINS.flatMap((d) => {
      const azs = domains[d]?.availabilityZones ?? [];
      return azs.length === 1 ? [`fitness-platform-${stack}-databases-${d}`] : azs.map((az) => `fitness-platform-${stack}-databases-${d}-${az.slice(-1)}`);
    });
    expect(hosts.map((h) => v.tags(h).Name).sort()).toEqual(expected.sort());
    for (const d of CRITICAL_DOMAINS) {
      const own = hosts.filter((h) => v.domainOf(h) === d);
      const zones = new Set(own.map((h) => v.byId(h.inputs?.subnetId)?.inputs?.availabilityZone));
      expect(zones.size, d).toBe(domains[d]?.availabilityZones.length);
    }
    const azs = new Set<string>();
    for (const host of hosts) {
      const subnet = v.byId(host.inputs?.subnetId);
      expect(subnet?.type, v.name(host)).toBe(T.subnet);
      expect(v.tags(subnet as ResourceState).zone, v.name(host)).toBe("data");
      const cidr = mustParseCidr(String(subnet?.inputs?.cidrBlock));
      expect(cidrContains(cidr, mustParseCidr(`${String(host.inputs?.privateIp)}/32`)), v.name(host)).toBe(true);
      azs.add(String(subnet?.inputs?.availabilityZone));
      expect(v.tags(host)).toMatchObject({ zone: "data", "data-class": "critical", component: "databases", environment: stack });
    }
    expect(azs.size).toBeGreaterThan(1);
  });

  it("gives hosts no public address, no key pair, IMDSv2 with one hop, termination protection; dedicated in prod", () => {
    const v = new View(stack);
    for (const host of v.dbHosts()) {
      const i = host.inputs as Json;
      expect(i.associatePublicIpAddress, v.name(host)).toBe(false);
      expect(i.keyName, v.name(host)).toBeUndefined();
      // Dev is disposable (durability profile); prod keeps termination protection.
      expect(i.disableApiTermination, v.name(host)).toBe(stack === "prod");
      expect(i.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
      expect(i.tenancy).toBe(stack === "prod" ? "dedicated" : "default");
      const members = v.ofType(T.sg).find((g) => v.name(g) === "databases-members");
      expect(i.vpcSecurityGroupIds).toEqual(stack === "prod" ? [v.zoneSg("data").id, members?.id] : [v.zoneSg("data").id]);
      expect(i.ami).toMatch(/^ami-[0-9a-f]+$/);
    }
  });

  it("keeps data on a separate gp3 volume encrypted with the databases' own key, in the host's AZ", () => {
    const v = new View(stack);
    const dbKeys = v.ofType(T.key).filter((k) => v.tags(k).component === "databases");
    expect(dbKeys).toHaveLength(1);
    const key = dbKeys[0] as ResourceState;
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    for (const host of v.dbHosts()) {
      const attachment = v.ofType(T.attachment).find((a) => a.inputs?.instanceId === host.id);
      expect(attachment, v.name(host)).toBeDefined();
      const volume = v.byId(attachment?.inputs?.volumeId) as ResourceState;
      expect(volume.type).toBe(T.volume);
      expect(volume.inputs).toMatchObject({ type: "gp3", encrypted: true, kmsKeyId: key.outputs?.arn, finalSnapshot: true });
      expect(v.tags(volume)).toMatchObject({ "data-class": "critical", zone: "data" });
      expect(volume.inputs?.availabilityZone).toBe(v.byId(host.inputs?.subnetId)?.inputs?.availabilityZone);
      expect((host.inputs?.rootBlockDevice as Json).kmsKeyId).toBe(key.outputs?.arn);
      // The volume is its own resource: terminating the instance cannot take it along.
      expect(((host.inputs?.ebsBlockDevices as unknown[]) ?? []).length).toBe(0);
    }
  });

  it(stack === "prod" ? "protects and retains hosts, volumes, attachments and the key" : "leaves dev's critical resources deletable", () => {
    const v = new View(stack);
    const hosts = v.dbHosts();
    const attachments = v.ofType(T.attachment).filter((a) => hosts.some((h) => h.id === a.inputs?.instanceId));
    const volumes = attachments.map((a) => v.byId(a.inputs?.volumeId) as ResourceState);
    const critical = [...hosts, ...volumes, ...attachments, ...v.ofType(T.key).filter((k) => v.tags(k).component === "databases")];
    expect(critical.length).toBe(3 * hosts.length + 1);
    for (const r of critical) {
      expect(r.protect === true, v.name(r)).toBe(stack === "prod");
      expect(r.retainOnDelete === true, v.name(r)).toBe(stack === "prod");
    }
  });

  it("admits 5432 into the data zone from the app zone's security group only, and lets the app zone out to it", () => {
    const v = new View(stack);
    const app = v.zoneSg("app").id;
    const data = v.zoneSg("data").id;
    const into = v.ofType(T.ingress).filter((r) => r.inputs?.securityGroupId === data);
    expect(into.map((r) => [r.inputs?.referencedSecurityGroupId, r.inputs?.fromPort, r.inputs?.toPort, r.inputs?.cidrIpv4])).toEqual([[app, 5432, 5432, undefined]]);
    const out = v.ofType(T.egress).filter((r) => r.inputs?.securityGroupId === app && r.inputs?.referencedSecurityGroupId === data);
    expect(out.map((r) => [r.inputs?.fromPort, r.inputs?.toPort])).toEqual([[5432, 5432]]);
  });

  it("lets each host's role read its own secrets only, decrypt only through Secrets Manager, and use SSM", () => {
    const v = new View(stack);
    const key = v.ofType(T.key).find((k) => v.tags(k).component === "databases") as ResourceState;
    const allDbSecrets = v.ofType(T.secret).filter((s) => v.tags(s).component === "databases" && v.tags(s)["host-role"] !== "consensus");
    // Per domain: each member's TLS secret and the owner's credentials; a cluster also Patroni's passwords.
    const perDomain = stack === "prod" ? 4 : 2;
    expect(allDbSecrets).toHaveLength(perDomain * CRITICAL_DOMAINS.length);
    for (const host of v.dbHosts()) {
      const domain = v.domainOf(host);
      const own = allDbSecrets.filter((s) => String(s.inputs?.name).startsWith(`fitness-platform-${stack}-databases-${domain}-`));
      expect(own, domain).toHaveLength(perDomain);
      for (const s of own) expect(s.inputs?.kmsKeyId).toBe(key.outputs?.arn);
      // The `-extra` policy is another component's (backups: the host's pgBackRest repository), tested there.
      const policies = v.childOf(host, T.rolePolicy).filter((p) => !p.urn.endsWith("-extra"));
      expect(policies).toHaveLength(1);
      const doc = JSON.parse(String(policies[0]?.inputs?.policy)) as { Statement: Json[] };
      const read = doc.Statement.find((s) => s.Sid === "ReadOwnSecrets") as Json;
      expect([...(read.Resource as string[])].sort()).toEqual(own.map((s) => String(s.outputs?.arn)).sort());
      expect(read.Action).toEqual(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
      const decrypt = doc.Statement.find((s) => s.Sid === "DecryptOwnSecrets") as Json;
      expect(decrypt).toMatchObject({ Action: "kms:Decrypt", Resource: key.outputs?.arn, Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com" } } });
      // Members also read their own Patroni setup parameter.
      expect(doc.Statement).toHaveLength(4);
      // SSM for sessions, and the operator's host-session policy so that every session is encrypted and logged.
      expect(v.childOf(host, T.attachPolicy).map((a) => a.inputs?.policyArn)).toEqual([
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        expect.stringMatching(/^arn:aws:iam::\d{12}:policy\/fitness-platform-(dev|prod)-operator-host-sessions$/),
      ]);
      const profile = v.childOf(host, T.profile)[0] as ResourceState;
      expect(host.inputs?.iamInstanceProfile).toBe(profile.outputs?.name ?? profile.inputs?.name);
    }
  });

  it("boots from user-data that names only the host's own secrets and volume, and holds no secret", () => {
    const v = new View(stack);
    for (const host of v.dbHosts()) {
      const userData = userDataOf(host)?.text ?? "";
      const name = String(v.tags(host).Name);
      const attachment = v.ofType(T.attachment).find((a) => a.inputs?.instanceId === host.id);
      expect(userData).toContain(`nvme-Amazon_Elastic_Block_Store_${String(attachment?.inputs?.volumeId).replace("-", "")}`);
      expect(userData).toContain(`'${name}-tls'`);
      const otherHosts = v.dbHosts().filter((h) => h !== host).map((h) => String(v.tags(h).Name));
      for (const other of otherHosts) expect(userData).not.toContain(`${other}-`);
      expect(userData).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|PASSWORD '[^']/);
      if (stack === "dev") expect(userData).toContain(`listen_addresses = '${String(host.inputs?.privateIp)}'`);
      else {
        // A Patroni member: Patroni listens where its setup parameter says; our file leaves it alone.
        expect(userData).not.toContain("listen_addresses");
        const setup = v.ofType("aws:ssm/parameter:Parameter").find((p) => userData.includes(`--name '${String(p.inputs?.name)}'`));
        expect(String(setup?.inputs?.insecureValue)).toContain(`listen: ${String(host.inputs?.privateIp)}:5432`);
      }
      // Clients: the app zone's whole block (stable when AZs are added), nothing else.
      const appBlock = stack === "dev" ? "10.20.0.0/17" : "10.30.0.0/17";
      const admitted = userData.split("\n").filter((l) => l.startsWith("hostssl") && !/\s(replication|postgres)\s/.test(l));
      expect(admitted).toHaveLength(1);
      expect(admitted[0]?.split(/\s+/).slice(3)).toEqual([appBlock, "scram-sha-256"]);
    }
  });

  it("keeps the current bootstrap in an SSM document per host, to re-run it in place", () => {
    const v = new View(stack);
    for (const host of v.dbHosts()) {
      const docs = v.childOf(host, T.document).filter((d) => d.inputs?.name === `${String(v.tags(host).Name)}-bootstrap`);
      expect(docs, v.name(host)).toHaveLength(1);
      const doc = docs[0] as ResourceState;
      expect(doc.inputs).toMatchObject({ name: `${String(v.tags(host).Name)}-bootstrap`, documentType: "Command", documentFormat: "JSON" });
      const content = JSON.parse(String(doc.inputs?.content)) as { mainSteps: { inputs: { runCommand: string[] } }[] };
      const lines = content.mainSteps[0]?.inputs.runCommand ?? [];
      const script = `${lines.slice(lines.indexOf("cat > /root/fitness-bootstrap.sh <<'FITNESS_BOOTSTRAP_EOF'") + 1, lines.indexOf("FITNESS_BOOTSTRAP_EOF")).join("\n")}\n`;
      expect(script).toBe(userDataOf(host)?.text);
    }
  });

  it("stores credentials and TLS keys only as secrets in the snapshot", () => {
    const v = new View(stack);
    const versions = v.ofType(T.secretVersion).filter((r) => r.parent?.includes("databases"));
    // dev: TLS + credentials per domain; prod: two members' TLS, credentials and Patroni's per domain, and three etcd nodes' TLS.
    expect(versions).toHaveLength(stack === "prod" ? 4 * CRITICAL_DOMAINS.length + 3 : 2 * CRITICAL_DOMAINS.length);
    for (const version of versions) {
      const value = version.inputs?.secretString as Json;
      expect(typeof value === "object" && value !== null && SECRET_SIG_KEY in value, v.name(version)).toBe(true);
    }
  });

  it("names each host in the private zone with its fixed address", () => {
    const v = new View(stack);
    const zone = v.ofType(T.zone).find((z) => z.inputs?.name === `${stack}.fitness.internal`) as ResourceState;
    for (const domain of CRITICAL_DOMAINS) {
      const members = v.dbHosts().filter((h) => v.domainOf(h) === domain);
      const record = v.ofType(T.record).find((r) => r.inputs?.name === `${domain}.db.${stack}.fitness.internal`);
      // Every member's address under the one name services use; libpq keeps the leader (target_session_attrs).
      expect(record?.inputs).toMatchObject({ type: "A", zoneId: zone.outputs?.zoneId });
      expect([...(record?.inputs?.records as string[])].sort()).toEqual(members.map((h) => String(h.inputs?.privateIp)).sort());
    }
  });
});

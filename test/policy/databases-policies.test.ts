/**
 * DB-01, EC2-06 and NET-04 against the real dev and prod stacks (synthesized under mocks), and against
 * crafted violations made by editing those snapshots, evaluated by the offline auditor exactly as the
 * pack runs them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { db01HostPlacement } from "../../policy/databases/db-01-host-placement";
import { db02HighAvailability } from "../../policy/databases/db-02-high-availability";
import { ec2DbHostDurability } from "../../policy/databases/ec2-06-db-host-durability";
import { net04DataTierIngress } from "../../policy/databases/net-04-data-tier-ingress";
import { databasesPolicies } from "../../policy/databases/policies";
import type { PlatformPolicy } from "../../policy/framework/metadata";
import { policyRegistry } from "../../policy/registry";
import { runAudit } from "../../src/offline/audit";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { find, setProp as set } from "../support/snapshot-edit";
import { ROOT } from "../support/stack-config";

type Stack = "dev" | "prod";
const snapshots = {} as Record<Stack, StackExport>;

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

/** The policy's violation messages (the auditor sorts them). */
async function violations(policy: PlatformPolicy, resources: ResourceState[]): Promise<string[]> {
  const snapshot: StackExport = { version: 3, deployment: { ...snapshots.dev.deployment, resources } };
  const result = await runAudit(snapshot, { policies: [policy], now: new Date("2026-11-24T12:00:00Z") });
  return result.violations.filter((v) => v.kind === "violation").map((v) => v.message);
}

const copy = (stack: Stack): ResourceState[] => structuredClone(snapshots[stack].deployment.resources);
const nameOf = (r: ResourceState) => r.urn.split("::").pop() as string;

/** Points a property at another resource: its id, and the property dependency the engine records. */
function relink(r: ResourceState, key: string, target: ResourceState): void {
  set(r, key, target.id);
  r.propertyDependencies = { ...r.propertyDependencies, [key]: [target.urn] };
}

const T = {
  instance: "aws:ec2/instance:Instance",
  volume: "aws:ebs/volume:Volume",
  attachment: "aws:ec2/volumeAttachment:VolumeAttachment",
  subnet: "aws:ec2/subnet:Subnet",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
} as const;

const HOST = "databases-personal-data-host";
const VOLUME = "databases-personal-data-data";
/** In prod the domain is a Patroni cluster: its member in the first AZ. */
const PROD_HOST = "databases-personal-data-a-host";
const PROD_VOLUME = "databases-personal-data-a-data";

function addResource(resources: ResourceState[], template: ResourceState, name: string, type: string, inputs: Record<string, unknown>, deps: Record<string, string[]>): void {
  const urn = template.urn.replace(/::[^:]+$/, `::${name}`).replace(/\$[^$:]+:[^$:]+:[^$:]+::/, `$${type}::`);
  resources.push({ urn, custom: true, type, id: `${name}-id`, inputs, outputs: { ...inputs, id: `${name}-id` }, parent: template.parent, dependencies: [], propertyDependencies: deps });
}

describe("the databases policies are registered with the pack", () => {
  it("carries id, severity, decisions and controls, and sits in the registry", () => {
    for (const p of databasesPolicies) {
      expect(policyRegistry).toContain(p);
      expect(p.meta.id).toMatch(/^[A-Z0-9]+-\d\d$/);
      expect(p.meta.decisions.length).toBeGreaterThan(0);
      expect(Object.values(p.meta.controls).flat().length).toBeGreaterThan(0);
    }
    expect(databasesPolicies.map((p) => [p.meta.id, p.meta.severity])).toEqual([
      ["DB-01", "high"],
      ["DB-02", "high"],
      ["EC2-06", "medium"],
      ["NET-04", "critical"],
    ]);
  });
});

describe.each(["dev", "prod"] as const)("%s passes", (stack) => {
  it.each(databasesPolicies.map((p) => [p.meta.id, p] as const))("%s", async (_id, policy) => {
    expect(await violations(policy, copy(stack))).toEqual([]);
  });
});

describe("DB-01 catches", () => {
  it("a host in an app subnet", async () => {
    const r = copy("dev");
    const appSubnet = r.find((x) => x.type === T.subnet && (x.inputs?.tags as Record<string, string>).zone === "app") as ResourceState;
    relink(find(r, T.instance, HOST), "subnetId", appSubnet);
    expect(await violations(db01HostPlacement, r)).toEqual([`database host "${HOST}" runs in subnet "${nameOf(appSubnet)}" of zone app; database hosts run only in the data zone.`]);
  });

  it("a host that lost its critical classification, and one with a public address", async () => {
    const r = copy("prod");
    const host = find(r, T.instance, PROD_HOST);
    set(host, "tags", { ...(host.inputs?.tags as object), "data-class": "internal" });
    set(host, "associatePublicIpAddress", true);
    expect(await violations(db01HostPlacement, r)).toEqual([
      `database host "${PROD_HOST}" does not set associatePublicIpAddress: false.`,
      `database host "${PROD_HOST}" is tagged data-class=internal; it holds critical data (data-class=critical).`,
    ]);
  });

  it("an elastic IP on a host", async () => {
    const r = copy("dev");
    const host = find(r, T.instance, HOST);
    addResource(r, host, "stray-eip", "aws:ec2/eipAssociation:EipAssociation", { instanceId: host.id, allocationId: "eipalloc-1" }, { instanceId: [host.urn] });
    expect(await violations(db01HostPlacement, r)).toEqual([`database host "${HOST}" has elastic IP "stray-eip"; database hosts have no public address.`]);
  });

  it("a data volume under an AWS-managed key", async () => {
    const r = copy("dev");
    const volume = find(r, T.volume, VOLUME);
    set(volume, "kmsKeyId", "alias/aws/ebs");
    volume.propertyDependencies = { ...volume.propertyDependencies, kmsKeyId: [] };
    expect(await violations(db01HostPlacement, r)).toEqual([`data volume "${VOLUME}" of database host "${HOST}" is not encrypted with a customer-managed KMS key.`]);
  });

  it("an untagged instance that was put into the data zone", async () => {
    const r = copy("dev");
    const host = find(r, T.instance, HOST);
    set(host, "tags", { Name: "scratch" });
    const messages = await violations(db01HostPlacement, r);
    expect(messages).toContain(`database host "${HOST}" is tagged zone=(none); it must be tagged zone=data.`);
    expect(messages).toContain(`database host "${HOST}" is tagged data-class=(none); it holds critical data (data-class=critical).`);
  });
});

describe("EC2-06 catches", () => {
  it("a prod host without termination protection (dev is disposable)", async () => {
    const r = copy("prod");
    set(find(r, T.instance, PROD_HOST), "disableApiTermination", false);
    expect(await violations(ec2DbHostDurability, r)).toEqual([`database host "${PROD_HOST}" has no termination protection (disableApiTermination: true).`]);
  });

  it("data on an instance block device deleted with the instance, and no separate volume", async () => {
    const r = copy("dev");
    set(find(r, T.instance, HOST), "ebsBlockDevices", [{ deviceName: "/dev/sdg", volumeSize: 50, encrypted: true }]);
    const withoutAttachment = r.filter((x) => !(x.type === T.attachment && nameOf(x) === VOLUME));
    expect(await violations(ec2DbHostDurability, withoutAttachment)).toEqual([
      `database host "${HOST}" keeps no data on a separate EBS volume, so terminating it would lose the data.`,
      `database host "${HOST}": block device /dev/sdg is deleted on termination; keep data on a separate volume.`,
    ]);
  });

  it("an unprotected data volume in prod (and not in dev)", async () => {
    for (const stack of ["prod", "dev"] as const) {
      const r = copy(stack);
      find(r, T.volume, stack === "prod" ? PROD_VOLUME : VOLUME).protect = false;
      const expected = stack === "prod" ? [`${PROD_VOLUME} (database host "${PROD_HOST}") is not protected in prod; critical data must not be deletable by an update.`] : [];
      expect(await violations(ec2DbHostDurability, r), stack).toEqual(expected);
    }
  });
});

describe("NET-04 catches", () => {
  function dataSg(r: ResourceState[]): ResourceState {
    return r.find((x) => x.type === T.sg && (x.inputs?.tags as Record<string, string>).zone === "data" && nameOf(x).endsWith("sg-data")) as ResourceState;
  }

  it("an address block as a source, even on 5432", async () => {
    const r = copy("prod");
    const sg = dataSg(r);
    addResource(r, sg, "vpn-to-db", T.ingress, { securityGroupId: sg.id, cidrIpv4: "10.0.0.0/8", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }, { securityGroupId: [sg.urn] });
    expect(await violations(net04DataTierIngress, r)).toEqual([
      `ingress rule "vpn-to-db" of data-tier security group "${nameOf(sg)}" admits the address block 10.0.0.0/8; only app-zone security groups may be sources.`,
    ]);
  });

  it("a source group of another zone", async () => {
    const r = copy("dev");
    const sg = dataSg(r);
    const dmz = r.find((x) => x.type === T.sg && (x.inputs?.tags as Record<string, string>).zone === "dmz") as ResourceState;
    addResource(r, sg, "dmz-to-db", T.ingress, { securityGroupId: sg.id, referencedSecurityGroupId: dmz.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }, {
      securityGroupId: [sg.urn],
      referencedSecurityGroupId: [dmz.urn],
    });
    expect(await violations(net04DataTierIngress, r)).toEqual([
      `ingress rule "dmz-to-db" of data-tier security group "${nameOf(sg)}" admits security group "${nameOf(dmz)}" of zone dmz; only the app zone may connect.`,
    ]);
  });

  it("a port beyond 5432 from the app zone, and a prefix list", async () => {
    const r = copy("dev");
    const rule = find(r, T.ingress, "databases-postgres-from-app");
    set(rule, "toPort", 5440);
    const sg = dataSg(r);
    addResource(r, sg, "s3-into-db", T.ingress, { securityGroupId: sg.id, prefixListId: "pl-6ea54007", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }, { securityGroupId: [sg.urn] });
    expect(await violations(net04DataTierIngress, r)).toEqual([
      `ingress rule "databases-postgres-from-app" of data-tier security group "${nameOf(sg)}" admits tcp/5433-5440; the data tier accepts tcp/5432 only.`,
      `ingress rule "s3-into-db" of data-tier security group "${nameOf(sg)}" admits prefix list pl-6ea54007; only app-zone security groups may be sources.`,
    ]);
  });
});

describe("DB-02 catches, in prod", () => {
  const A = "databases-personal-data-a-host";
  const B = "databases-personal-data-b-host";
  const what = 'critical data domain "personal-data"';

  it("a domain left with one host (the standby removed)", async () => {
    const r = copy("prod").filter((x) => !x.urn.endsWith(`::${B}`) && !x.urn.endsWith("::databases-personal-data-b-data"));
    expect(await violations(db02HighAvailability, r)).toEqual([`${what} runs on 1 host ("${A}"); prod needs a primary and a synchronous standby.`]);
  });

  it("both members in one AZ", async () => {
    const r = copy("prod");
    const subnetA = r.find((x) => x.id === find(r, T.instance, A).inputs?.subnetId) as ResourceState;
    relink(find(r, T.instance, B), "subnetId", subnetA);
    expect(await violations(db02HighAvailability, r)).toEqual([`${what}: its 2 hosts stand in one availability zone (${String(subnetA.inputs?.availabilityZone)}); a standby must be in another AZ.`]);
  });

  it("asynchronous replication in a member's Patroni configuration", async () => {
    const r = copy("prod");
    const parameter = find(r, "aws:ssm/parameter:Parameter", "databases-personal-data-b-patroni");
    set(parameter, "insecureValue", String(parameter.inputs?.insecureValue).replace("synchronous_mode: true", "synchronous_mode: false"));
    expect(await violations(db02HighAvailability, r)).toEqual([`${what}: not every member's Patroni configuration sets synchronous_mode: true; a failover could lose acknowledged commits.`]);
  });

  it("a standby not classified critical, and its volume under an AWS-managed key and out of the backup selection", async () => {
    const r = copy("prod");
    const host = find(r, T.instance, B);
    set(host, "tags", { ...(host.inputs?.tags as Record<string, string>), "data-class": "internal" });
    const volume = find(r, T.volume, "databases-personal-data-b-data");
    set(volume, "kmsKeyId", "alias/aws/ebs");
    volume.propertyDependencies = { ...volume.propertyDependencies, kmsKeyId: [] };
    set(volume, "tags", { ...(volume.inputs?.tags as Record<string, string>), "data-class": "internal" });
    expect(await violations(db02HighAvailability, r)).toEqual([
      `data volume "databases-personal-data-b-data" of host "${B}" of ${what} is in no AWS Backup selection.`,
      `data volume "databases-personal-data-b-data" of host "${B}" of ${what} is not encrypted with a customer-managed KMS key.`,
      `host "${B}" of ${what} is not tagged data-class=critical.`,
    ]);
  });

  it("nothing in dev, where one host per domain is allowed", async () => {
    expect(await violations(db02HighAvailability, copy("dev"))).toEqual([]);
  });
});

describe("NET-04 admits a Patroni cluster's own traffic, and only that", () => {
  it("refuses SSH between members, and a member port opened to a group other instances use", async () => {
    const r = copy("prod");
    const rule = find(r, T.ingress, "databases-member-api-in");
    set(rule, "toPort", 8022);
    const members = r.find((x) => x.type === T.sg && nameOf(x) === "databases-members") as ResourceState;
    const dataSg = r.find((x) => x.type === T.sg && nameOf(x).endsWith("sg-data")) as ResourceState;
    addResource(r, members, "data-to-members", T.ingress, { securityGroupId: members.id, referencedSecurityGroupId: dataSg.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432 }, {
      securityGroupId: [members.urn],
      referencedSecurityGroupId: [dataSg.urn],
    });
    expect(await violations(net04DataTierIngress, r)).toEqual([
      `ingress rule "data-to-members" of data-tier security group "databases-members" admits security group "${nameOf(dataSg)}" of zone data; only the app zone may connect.`,
      `ingress rule "databases-member-api-in" of data-tier security group "databases-members" admits tcp/8009-8022 between cluster members; allowed there: ${"tcp/5432, tcp/8008"}.`,
    ]);
  });
});

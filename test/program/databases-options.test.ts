/**
 * The DatabaseHosts component on its own under Pulumi's mock runtime, for what a snapshot does not
 * show: resource options (a new AMI or bootstrap must never replace a host; the fixed address forces
 * delete-before-replace; first boot waits for its secrets), the API that BACKUPS and SERVICES consume,
 * and the proxy package source.
 */
import { gunzipSync } from "node:zlib";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { type PlatformConfig, validatePlatformConfig } from "../../src/config/validate";
import { createContext } from "../../src/conventions/context";
import { DatabaseHosts, type DatabaseNetwork } from "../../src/databases";
import { planSubnets } from "../../src/network/subnet-plan";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

interface Captured {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly opts: pulumi.CustomResourceOptions;
}

let captured: Captured[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const suffix = args.name.replace(/[^a-z0-9]/g, "").slice(-12).padStart(12, "0");
        const id = args.type === "aws:ebs/volume:Volume" ? `vol-0${Buffer.from(args.name).toString("hex").slice(0, 16)}` : `${args.name}-id`;
        return { id, state: { ...args.inputs, arn: `arn:aws:mock:eu-central-1:111111111111:${suffix}`, zoneId: "Z0MOCK", certPem: "PEM", privateKeyPem: "KEY", certRequestPem: "CSR", result: "mock-password-0123456789" } };
      },
      call: (args) => (args.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: "111111111111", arn: "x", userId: "x" } : {}),
    },
    "fitness-platform",
    "dev",
    false,
  );
});

function platform(stack: string, edit: (c: Record<string, unknown>) => void = () => undefined): PlatformConfig {
  const data = committedConfigData(stack);
  edit(data);
  return validatePlatformConfig({ stack, config: encodeConfig(data), catalogFile: "src/config/catalog.yaml", catalogText: committedCatalogText(), now: new Date("2026-11-24T12:00:00Z") });
}

function standInNetwork(p: PlatformConfig, name: string): DatabaseNetwork {
  const plan = planSubnets({ vpcCidr: p.config.network.vpcCidr, availabilityZones: p.config.network.availabilityZones });
  return {
    plan,
    subnets: { data: plan.subnets.filter((s) => s.zone === "data").map((s) => new aws.ec2.Subnet(`${name}-net-${s.key}`, { vpcId: "vpc-1", cidrBlock: s.cidr, availabilityZone: s.az })) },
    zoneSecurityGroups: { app: new aws.ec2.SecurityGroup(`${name}-net-sg-app`, { vpcId: "vpc-1" }), data: new aws.ec2.SecurityGroup(`${name}-net-sg-data`, { vpcId: "vpc-1" }) },
    privateZone: new aws.route53.Zone(`${name}-net-zone`, { name: `${p.stack}.fitness.internal` }),
  };
}

function build(stack: string, name: string, extra: Partial<ConstructorParameters<typeof DatabaseHosts>[1]> = {}, edit?: (c: Record<string, unknown>) => void): DatabaseHosts {
  const p = platform(stack, edit);
  const ctx = createContext({ project: "fitness-platform", stack, environment: p.config.environment, region: "eu-central-1", accountId: "111111111111" });
  captured = [];
  return new DatabaseHosts(
    name,
    { ctx, config: p.config.databases, catalog: p.catalog, network: standInNetwork(p, name), liveEgressExceptions: p.liveEgressExceptions, ...extra },
    {
      transformations: [
        (args) => {
          captured.push({ type: args.type, name: args.name, props: args.props, opts: args.opts as pulumi.CustomResourceOptions });
          return undefined;
        },
      ],
    },
  );
}

const value = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply((v) => resolve(v)));

describe("database host resource options", () => {
  it("ignores AMI and user-data changes, replaces delete-first, and boots only after its secrets exist", () => {
    build("prod", "opts");
    const all = captured.filter((c) => c.type === "aws:ec2/instance:Instance");
    // Prod: two Patroni members per domain and three etcd nodes.
    expect(all).toHaveLength(11);
    const hosts = all.filter((c) => !c.name.includes("consensus"));
    expect(hosts).toHaveLength(8);
    for (const host of hosts) {
      expect(host.opts.ignoreChanges).toEqual(["ami", "userData", "userDataBase64"]);
      expect(host.opts.deleteBeforeReplace).toBe(true);
      expect(host.opts.protect).toBe(true);
      expect(host.opts.retainOnDelete).toBe(true);
      // First boot reads the TLS secret and the owner's credentials with the role's policy: all exist first.
      const deps = host.opts.dependsOn as pulumi.Resource[];
      const kinds = deps.map((d) =>
        d instanceof aws.secretsmanager.SecretVersion ? "secret version" : d instanceof aws.iam.RolePolicy ? "secrets policy" : d instanceof aws.iam.RolePolicyAttachment ? "ssm" : "other",
      );
      // A member also needs Patroni's passwords, and the etcd store (a component) running.
      expect(kinds.sort()).toEqual(["other", "secret version", "secret version", "secret version", "secrets policy", "ssm"]);
    }
  });

  it("does not protect dev's hosts, so dev can be torn down", () => {
    build("dev", "devopts");
    for (const c of captured.filter((x) => ["aws:ec2/instance:Instance", "aws:ebs/volume:Volume", "aws:kms/key:Key"].includes(x.type))) {
      expect(c.opts.protect, c.name).toBe(false);
      expect(c.opts.retainOnDelete, c.name).toBe(false);
    }
  });
});

describe("the API for BACKUPS and SERVICES", () => {
  it("hands each owning service its host name, database, role, secret, password and CA; refuses other services", async () => {
    const dbs = build("dev", "api");
    const users = dbs.accessFor("users");
    expect({ ...users, password: undefined, secretArn: undefined, caCertPem: undefined }).toEqual({
      service: "users",
      domain: "personal-data",
      host: "personal-data.db.dev.fitness.internal",
      port: 5432,
      database: "users",
      username: "users",
      password: undefined,
      secretName: "fitness-platform-dev-databases-personal-data-users",
      secretArn: undefined,
      caCertPem: undefined,
      sslmode: "verify-full",
      hostIps: [dbs.plan.hosts.find((h) => h.domain === "personal-data")?.placement.privateIp],
    });
    expect(await pulumi.isSecret(users.password)).toBe(true);
    expect(await value(users.caCertPem)).toBe("PEM");
    expect(Object.keys(dbs.access).sort()).toEqual(["catalog", "orders", "trainings", "users"]);
    expect(() => dbs.accessFor("notifications")).toThrow('service "notifications" owns no database: allowed: catalog, orders, trainings, users');
    expect(Object.keys(dbs.hosts).sort()).toEqual(["personal-data", "product-catalog", "purchase-history", "training-records"]);
    expect(dbs.hosts["personal-data"]?.role).toBeInstanceOf(aws.iam.Role);
  });

  it("puts the files and commands BACKUPS adds into each host's bootstrap", async () => {
    const seen: string[] = [];
    const dbs = build("dev", "extras", {
      bootstrapExtras: (host) => {
        seen.push(host.domain);
        return {
          extraPackages: ["pgbackrest"],
          extraFiles: [{ path: "/etc/pgbackrest/pgbackrest.conf", mode: "0640", owner: "postgres:postgres", content: `[${host.domain}]\npg1-path=/srv/postgresql/15/main\n` }],
          extraCommands: [`runuser -u postgres -- pgbackrest --stanza=${host.domain} stanza-create`],
        };
      },
    });
    expect(seen.sort()).toEqual(["personal-data", "product-catalog", "purchase-history", "training-records"]);
    const userData = gunzipSync(Buffer.from(await value(dbs.hosts["purchase-history"]?.instance.userDataBase64 as pulumi.Output<string>), "base64")).toString("utf8");
    expect(userData).toContain("[purchase-history]\npg1-path=/srv/postgresql/15/main\n");
    expect(userData).toContain("pgbackrest --stanza=purchase-history stanza-create");
    expect(userData).toMatch(/install -y --no-install-recommends .* pgbackrest\n/);
  });
});

describe("package source", () => {
  const proxied = (c: Record<string, unknown>) => {
    (c["fitness-platform:databases"] as Record<string, unknown>).packageSource = "proxy";
  };

  it("installs through the egress proxy when the stack says so", async () => {
    const dbs = build("dev", "proxied", { proxyUrl: pulumi.output("http://proxy.dev.fitness.internal:3128") }, proxied);
    const userData = gunzipSync(Buffer.from(await value(dbs.hosts["personal-data"]?.instance.userDataBase64 as pulumi.Output<string>), "base64")).toString("utf8");
    expect(userData).toContain('Acquire::https::Proxy "http://proxy.dev.fitness.internal:3128";');
    expect(userData).toContain("URIs: https://deb.debian.org/debian\n");
  });

  it("refuses proxy mode without a proxy, in one line", () => {
    expect(() => build("dev", "noproxy", {}, proxied)).toThrow(
      'fitness-platform:databases.packageSource = "proxy": allowed: only with the egress proxy deployed (pass its proxyUrl to DatabaseHosts)',
    );
  });
});

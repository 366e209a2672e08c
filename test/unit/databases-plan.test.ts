import { describe, expect, it } from "vitest";
import { mustParseCidr } from "../../src/config/cidr";
import { type PlatformConfig, validatePlatformConfig } from "../../src/config/validate";
import { databaseIdentity } from "../../src/databases/identity";
import { placeHost, privateIpFor } from "../../src/databases/placement";
import { planDatabaseHosts } from "../../src/databases/plan";
import { renderRolesSql } from "../../src/databases/roles-sql";
import { privateDomain } from "../../src/network/network";
import { planSubnets, subnetsOf } from "../../src/network/subnet-plan";
import { committedCatalogText, committedConfigData, encodeConfig } from "../support/stack-config";

const NOW = new Date("2026-11-24T12:00:00Z");

function platform(stack: string): PlatformConfig {
  return validatePlatformConfig({
    stack,
    config: encodeConfig(committedConfigData(stack)),
    catalogFile: "src/config/catalog.yaml",
    catalogText: committedCatalogText(),
    now: NOW,
  });
}

function planFor(stack: string) {
  const p = platform(stack);
  const subnets = planSubnets({ vpcCidr: p.config.network.vpcCidr, availabilityZones: p.config.network.availabilityZones });
  return {
    platform: p,
    subnets,
    plan: planDatabaseHosts({
      project: p.project,
      stack,
      environment: p.config.environment,
      region: "eu-central-1",
      config: p.config.databases,
      catalog: p.catalog,
      dataSubnets: subnetsOf(subnets, "data"),
      appCidrs: subnetsOf(subnets, "app").map((s) => s.cidr),
      privateZoneName: privateDomain(stack),
    }),
  };
}

describe("database host plan", () => {
  it("plans one host per critical domain, owned by the catalog service of that domain", () => {
    const { plan } = planFor("dev");
    expect(plan.hosts.map((h) => h.domain)).toEqual(["personal-data", "product-catalog", "purchase-history", "training-records"]);
    expect(plan.domainOfService).toEqual({
      users: "personal-data",
      catalog: "product-catalog",
      orders: "purchase-history",
      trainings: "training-records",
    });
    for (const host of plan.hosts) expect(host.owners).toHaveLength(1);
  });

  it("places every host in a data subnet at a fixed address, spread over the AZs, with no collision", () => {
    for (const stack of ["dev", "prod"]) {
      const { plan, subnets } = planFor(stack);
      const data = subnetsOf(subnets, "data");
      const ips = new Set<string>();
      for (const host of plan.hosts) {
        const subnet = data[host.placement.subnetIndex];
        expect(host.placement.az).toBe(subnet.az);
        expect(host.placement.cidr).toBe(subnet.cidr);
        const cidr = mustParseCidr(subnet.cidr);
        const ip = mustParseCidr(`${host.placement.privateIp}/32`);
        expect(ip.first >= cidr.first + 10n && ip.first < cidr.last).toBe(true);
        ips.add(host.placement.privateIp);
      }
      expect(ips.size).toBe(plan.hosts.length);
      // With 4 domains, no AZ holds more than two hosts.
      const perAz = new Map<string, number>();
      for (const h of plan.hosts) perAz.set(h.placement.az, (perAz.get(h.placement.az) ?? 0) + 1);
      expect(Math.max(...perAz.values())).toBeLessThanOrEqual(2);
      expect(perAz.size).toBeGreaterThanOrEqual(2);
    }
  });

  it("uses dedicated tenancy in prod only", () => {
    expect(new Set(planFor("dev").plan.hosts.map((h) => h.tenancy))).toEqual(new Set(["default"]));
    expect(new Set(planFor("prod").plan.hosts.map((h) => h.tenancy))).toEqual(new Set(["dedicated"]));
  });

  it("names each host in the private zone and puts that name and its address in the certificate", () => {
    const { plan } = planFor("dev");
    const host = plan.hosts.find((h) => h.domain === "personal-data");
    expect(host?.dnsName).toBe("personal-data.db.dev.fitness.internal");
    const member = host?.members[0];
    expect(host?.members).toHaveLength(1);
    expect(member?.certificate.dnsNames).toEqual(["personal-data.db.dev.fitness.internal"]);
    expect(member?.certificate.ipAddresses).toEqual([host?.placement.privateIp]);
    expect(member?.certificate.allowedUses).toContain("server_auth");
    expect(member?.files.postgresqlConf).toContain(`listen_addresses = '${host?.placement.privateIp}'`);
  });

  it("admits only the owning service, only from the app zone, in each host's pg_hba.conf", () => {
    const { plan, subnets } = planFor("prod");
    const appCidrs = subnetsOf(subnets, "app").map((s) => s.cidr);
    for (const host of plan.hosts) {
      const admitted = host.files.pgHba.split("\n").filter((l) => l.startsWith("hostssl"));
      const owner = host.owners[0];
      expect(admitted.filter((l) => !/\s(replication|postgres)\s/.test(l))).toHaveLength(appCidrs.length);
      for (const line of admitted.filter((l) => !/\s(replication|postgres)\s/.test(l))) {
        const [, db, role, cidr, method] = line.split(/\s+/);
        expect([db, role, method]).toEqual([owner.database, owner.role, "scram-sha-256"]);
        expect(appCidrs).toContain(cidr);
      }
    }
  });

  it("names secrets by the naming convention; no secret value is in the plan", () => {
    const { plan } = planFor("dev");
    const host = plan.hosts.find((h) => h.domain === "purchase-history");
    expect(host?.names).toEqual({
      host: "fitness-platform-dev-databases-purchase-history",
      tlsSecret: "fitness-platform-dev-databases-purchase-history-tls",
      credentialsSecrets: { orders: "fitness-platform-dev-databases-purchase-history-orders" },
      patroniSecret: "fitness-platform-dev-databases-purchase-history-patroni",
    });
    expect(JSON.stringify(plan)).not.toMatch(/PRIVATE KEY|password\s*=|PASSWORD '/);
  });

  it("keeps every existing host where it is when a domain is added", () => {
    const { platform: p, subnets, plan } = planFor("prod");
    const more = planDatabaseHosts({
      project: p.project,
      stack: "prod",
      environment: "prod",
      region: "eu-central-1",
      config: { ...p.config.databases, domains: { ...p.config.databases.domains, "coach-notes": { ...p.config.databases.domains["personal-data"] } } },
      catalog: p.catalog,
      dataSubnets: subnetsOf(subnets, "data"),
      appCidrs: subnetsOf(subnets, "app").map((s) => s.cidr),
      privateZoneName: privateDomain("prod"),
    });
    for (const host of plan.hosts) {
      expect(more.hosts.find((h) => h.domain === host.domain)?.members.map((m) => m.placement)).toEqual(host.members.map((m) => m.placement));
    }
  });
});

describe("placement", () => {
  const data = [
    { az: "eu-central-1a", cidr: "10.30.136.0/24" },
    { az: "eu-central-1b", cidr: "10.30.137.0/24" },
    { az: "eu-central-1c", cidr: "10.30.138.0/24" },
  ];

  it("depends on the member's name and its named AZ alone: the AZ list's order and length never move it", () => {
    const placed = placeHost("personal-data-b", data, "eu-central-1b", "where");
    expect(placeHost("personal-data-b", [...data].reverse(), "eu-central-1b", "where")).toMatchObject({ az: placed.az, cidr: placed.cidr, privateIp: placed.privateIp });
    expect(placeHost("personal-data-b", [...data, { az: "eu-central-1d", cidr: "10.30.139.0/24" }], "eu-central-1b", "where").privateIp).toBe(placed.privateIp);
    expect(privateIpFor("10.30.137.0/24", "x")).toBe(privateIpFor("10.30.137.0/24", "x"));
  });

  it("refuses an AZ without a data subnet, naming the key", () => {
    expect(() => placeHost("personal-data", data, "eu-central-1d", "fitness-platform:databases.domains.personal-data.availabilityZones[0]")).toThrow(
      'fitness-platform:databases.domains.personal-data.availabilityZones[0] = "eu-central-1d": allowed: an AZ with a data subnet (eu-central-1a, eu-central-1b, eu-central-1c)',
    );
  });

  it("stays inside the usable part of small subnets and refuses tiny ones", () => {
    for (const domain of ["a", "b", "c", "d", "e", "personal-data"]) {
      const ip = mustParseCidr(`${privateIpFor("10.0.0.32/27", domain)}/32`).first;
      const net = mustParseCidr("10.0.0.32/27");
      expect(ip >= net.first + 10n && ip <= net.last - 1n).toBe(true);
    }
    expect(() => privateIpFor("10.0.0.0/28", "a")).toThrow(/allowed: a \/27 or larger block/);
  });
});

describe("database identity and roles SQL", () => {
  it("names database and role after the service, in SQL-safe form", () => {
    expect(databaseIdentity("users")).toEqual({ service: "users", database: "users", role: "users", passwordEnv: "FITNESS_DB_PASSWORD_USERS" });
    expect(databaseIdentity("coach-notes").database).toBe("coach_notes");
  });

  it.each(["postgres", "all", "replication", "pg-admin", "public"])("refuses a service named %s", (name) => {
    expect(() => databaseIdentity(name)).toThrow(/cannot own a database: allowed:/);
  });

  const sql = renderRolesSql([databaseIdentity("users"), databaseIdentity("orders")]);

  it("reads each password from the environment and never holds one", () => {
    expect(sql).toContain("\\getenv fitness_password FITNESS_DB_PASSWORD_USERS");
    expect(sql).toContain("\\getenv fitness_password FITNESS_DB_PASSWORD_ORDERS");
    expect(sql).toMatch(/ALTER ROLE "users" WITH LOGIN .* PASSWORD :'fitness_password';/);
    expect(sql).not.toMatch(/PASSWORD '[^']/);
  });

  it("switches statement logging off before any password is sent", () => {
    const firstPassword = sql.indexOf("PASSWORD :'fitness_password'");
    for (const setting of ["SET log_statement = 'none';", "SET log_min_error_statement = 'panic';"]) {
      expect(sql.indexOf(setting)).toBeGreaterThan(-1);
      expect(sql.indexOf(setting)).toBeLessThan(firstPassword);
    }
    // Passwords are set in the first session only: a \connect would reset the settings.
    expect(sql.indexOf("\\connect")).toBeGreaterThan(sql.lastIndexOf("PASSWORD :'fitness_password'"));
  });

  it("closes every database to PUBLIC and gives each schema to its role alone", () => {
    for (const name of ["users", "orders"]) {
      expect(sql).toContain(`REVOKE ALL ON DATABASE "${name}" FROM PUBLIC;`);
      expect(sql).toContain(`GRANT CONNECT, TEMPORARY ON DATABASE "${name}" TO "${name}";`);
      expect(sql).toContain(`CREATE SCHEMA IF NOT EXISTS "${name}" AUTHORIZATION "${name}";`);
      expect(sql).toContain(`REVOKE ALL ON SCHEMA "${name}" FROM PUBLIC;`);
    }
    expect(sql).toContain("REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
    expect(sql).not.toMatch(/GRANT [^;]* TO PUBLIC/);
    for (const line of sql.split("\n").filter((l) => l.startsWith("ALTER ROLE") && l.includes("LOGIN"))) {
      expect(line).toContain("NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS");
    }
  });

  it("refuses the same database twice", () => {
    expect(() => renderRolesSql([databaseIdentity("users"), databaseIdentity("users")])).toThrow(/appears twice/);
  });

  it("leaves Patroni's pg_rewind role CONNECT on postgres after closing it to PUBLIC (a rewind connects there)", () => {
    const patroni = renderRolesSql([databaseIdentity("users")], { maintenanceConnect: ["rewinder"] });
    const revoke = patroni.indexOf("REVOKE ALL ON DATABASE postgres FROM PUBLIC;");
    expect(revoke).toBeGreaterThan(-1);
    expect(patroni.indexOf('GRANT CONNECT ON DATABASE postgres TO "rewinder";')).toBeGreaterThan(revoke);
    expect(sql).not.toContain("ON DATABASE postgres TO");
    expect(() => renderRolesSql([databaseIdentity("users")], { maintenanceConnect: ["rewinder; drop"] })).toThrow(/SQL identifier "rewinder; drop": allowed:/);
  });
});

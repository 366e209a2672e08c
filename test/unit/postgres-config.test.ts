import { describe, expect, it } from "vitest";
import { instanceMemoryMiB, KNOWN_DB_INSTANCE_TYPES } from "../../src/databases/instance-memory";
import { memorySettings } from "../../src/databases/memory-settings";
import { renderPgHba } from "../../src/databases/pg-hba";
import { type PostgresqlConfParams, renderPostgresqlConf, SECURITY_SETTINGS } from "../../src/databases/postgresql-conf";

/** Parses postgresql.conf's `key = value` lines into a map (last one wins, as in PostgreSQL). */
function settings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)\s*=\s*(.+)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

const params = (over: Partial<PostgresqlConfParams> = {}): PostgresqlConfParams => ({
  listenAddress: "10.20.136.77",
  port: 5432,
  maxConnections: 200,
  memory: memorySettings(8192, 200),
  paths: {
    dataDirectory: "/srv/postgresql/15/main",
    hbaFile: "/etc/postgresql/15/main/pg_hba.conf",
    identFile: "/etc/postgresql/15/main/pg_ident.conf",
    sslCertFile: "/etc/postgresql/15/main/tls/server.crt",
    sslKeyFile: "/etc/postgresql/15/main/tls/server.key",
    unixSocketDirectory: "/var/run/postgresql",
  },
  ...over,
});

describe("memory settings from the instance size", () => {
  it.each([
    // type, max_connections, shared_buffers MiB, effective_cache_size MiB, maintenance MiB, work_mem KiB
    ["t3.medium", 200, 1024, 3072, 256, 5242],
    ["t3.large", 200, 2048, 6144, 512, 10485],
    ["r6i.large", 400, 4096, 12288, 1024, 10485],
    ["r6i.xlarge", 400, 8192, 24576, 2048, 20971],
    ["r7i.4xlarge", 100, 32768, 98304, 2048, 262144],
  ] as const)("%s with %i connections", (type, conns, shared, cache, maint, work) => {
    const m = memorySettings(instanceMemoryMiB(type), conns);
    expect(m).toEqual({ sharedBuffersMiB: shared, effectiveCacheSizeMiB: cache, maintenanceWorkMemMiB: maint, workMemKiB: work });
  });

  it("never lets every connection's sorts together exceed what shared buffers leave", () => {
    for (const type of KNOWN_DB_INSTANCE_TYPES) {
      for (const conns of [20, 200, 1000, 5000]) {
        const mem = instanceMemoryMiB(type);
        const m = memorySettings(mem, conns);
        expect(m.sharedBuffersMiB + m.effectiveCacheSizeMiB).toBe(mem);
        // The floor of 4 MiB per sort may exceed the budget only when connections are very many.
        if (m.workMemKiB > 4096) expect((m.workMemKiB * conns * 3) / 1024).toBeLessThanOrEqual(mem - m.sharedBuffersMiB);
      }
    }
  });

  it("refuses an instance type of unknown memory, naming the allowed ones", () => {
    expect(() => instanceMemoryMiB("x9.huge")).toThrow(/^instance type "x9.huge" has no known memory size; allowed: t3.medium, /);
  });
});

describe("postgresql.conf", () => {
  it("listens on the host's address only, requires TLS 1.2+, SCRAM, and logs connections and DDL", () => {
    const s = settings(renderPostgresqlConf(params()));
    expect(s.get("listen_addresses")).toBe("'10.20.136.77'");
    expect(s.get("ssl")).toBe("on");
    expect(s.get("ssl_min_protocol_version")).toBe("'TLSv1.2'");
    expect(s.get("password_encryption")).toBe("'scram-sha-256'");
    expect(s.get("log_connections")).toBe("on");
    expect(s.get("log_disconnections")).toBe("on");
    expect(s.get("log_statement")).toBe("'ddl'");
    expect(s.get("max_connections")).toBe("200");
    expect(s.get("shared_buffers")).toBe("'2048MB'");
    expect(s.get("effective_cache_size")).toBe("'6144MB'");
    expect(s.get("work_mem")).toBe("'10485kB'");
    for (const [key, value] of Object.entries(SECURITY_SETTINGS)) expect(s.get(key), key).toBe(value);
  });

  it("puts drop-ins last, so that backups can add archive settings without editing this file", () => {
    const text = renderPostgresqlConf(params({ paths: { ...params().paths, includeDir: "/etc/postgresql/15/main/conf.d" } }));
    const lines = text.trim().split("\n");
    expect(lines[lines.length - 1]).toBe("include_dir = '/etc/postgresql/15/main/conf.d'");
  });

  it.each(["*", "0.0.0.0", "10.0.0.0/8", "localhost", "10.20.136.300"])("refuses listen address %s", (address) => {
    expect(() => renderPostgresqlConf(params({ listenAddress: address }))).toThrow(/allowed: the host's own IPv4 address/);
  });

  it("quotes paths so that a quote cannot end the value", () => {
    const text = renderPostgresqlConf(params({ paths: { ...params().paths, dataDirectory: "/srv/it's" } }));
    expect(text).toContain("data_directory = '/srv/it''s'");
  });

  it("is deterministic", () => {
    expect(renderPostgresqlConf(params())).toBe(renderPostgresqlConf(params()));
  });
});

/** pg_hba.conf's first-match rule, for the line types we render. */
function decide(hba: string, conn: { local?: boolean; ssl: boolean; database: string; user: string; address: string }): string {
  const toInt = (ip: string) => ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  for (const raw of hba.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [type, database, user, ...rest] = line.split(/\s+/);
    if (Boolean(conn.local) !== (type === "local")) continue;
    if (type === "hostssl" && !conn.ssl) continue;
    if (type === "hostnossl" && conn.ssl) continue;
    if (database !== "all" && database !== conn.database) continue;
    if (user !== "all" && user !== conn.user) continue;
    if (type !== "local") {
      const [net, bits] = rest[0].split("/");
      if (net.includes(":")) continue;
      const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
      if (((toInt(conn.address) & mask) >>> 0) !== ((toInt(net) & mask) >>> 0)) continue;
      return rest[1];
    }
    return rest[0];
  }
  return "no entry";
}

describe("pg_hba.conf", () => {
  const hba = renderPgHba({
    appCidrs: ["10.20.0.0/20", "10.20.16.0/20"],
    grants: [
      { database: "users", role: "users" },
      { database: "orders", role: "orders" },
    ],
  });
  const app = "10.20.17.9";

  it("admits each role to its own database only, over TLS, from the app zone, with SCRAM", () => {
    expect(decide(hba, { ssl: true, database: "users", user: "users", address: app })).toBe("scram-sha-256");
    expect(decide(hba, { ssl: true, database: "orders", user: "orders", address: "10.20.0.1" })).toBe("scram-sha-256");
    expect(decide(hba, { ssl: true, database: "orders", user: "users", address: app })).toBe("reject");
    expect(decide(hba, { ssl: true, database: "users", user: "orders", address: app })).toBe("reject");
    expect(decide(hba, { ssl: true, database: "postgres", user: "users", address: app })).toBe("reject");
  });

  it("rejects plain text from anywhere, even the app zone", () => {
    expect(decide(hba, { ssl: false, database: "users", user: "users", address: app })).toBe("reject");
  });

  it("rejects other networks: dmz, data zone, the internet", () => {
    for (const address of ["10.20.128.5", "10.20.136.10", "203.0.113.7"]) {
      expect(decide(hba, { ssl: true, database: "users", user: "users", address })).toBe("reject");
    }
  });

  it("admits only the postgres OS user locally, by peer", () => {
    expect(decide(hba, { local: true, ssl: false, database: "users", user: "postgres", address: "" })).toBe("peer");
    expect(decide(hba, { local: true, ssl: false, database: "users", user: "users", address: "" })).toBe("reject");
  });

  it("uses no weak or open method anywhere", () => {
    expect(hba).not.toMatch(/\b(trust|md5|password|ident)\s*$/m);
    const methods = hba.split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.trim().split(/\s+/).at(-1));
    expect(new Set(methods)).toEqual(new Set(["peer", "reject", "scram-sha-256"]));
  });

  it("refuses the internet or a malformed block as a client network", () => {
    expect(() => renderPgHba({ appCidrs: ["0.0.0.0/0"], grants: [] })).toThrow(/allowed: an app zone subnet, never the internet/);
    expect(() => renderPgHba({ appCidrs: ["10.20.0.1/20"], grants: [] })).toThrow(/allowed: an IPv4 CIDR block/);
    expect(() => renderPgHba({ appCidrs: [], grants: [] })).toThrow(/at least one app zone CIDR/);
  });

  it("refuses names that could inject another line or keyword", () => {
    expect(() => renderPgHba({ appCidrs: ["10.20.0.0/20"], grants: [{ database: "all users", role: "x" }] })).toThrow(/allowed: lower-case/);
  });
});

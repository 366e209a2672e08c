import { describe, expect, it } from "vitest";
import { replicationSchema } from "../../src/config/sections/databases";
import { dbClientSettings, keepaliveDetectSeconds, renderPgServiceFile } from "../../src/services/db-client-settings";

describe("database client timeouts", () => {
  it("notices a dead peer within the failover manager's ttl, for every ttl the config accepts", () => {
    const ttls = Array.from({ length: 111 }, (_, i) => i + 10);
    // The bounds come from the schema itself: 9 and 121 are refused, so nothing outside the loop can be configured.
    for (const bad of [9, 121]) expect(replicationSchema.safeParse({ synchronous: true, ttlSeconds: bad, loopWaitSeconds: 1, retryTimeoutSeconds: 1, maximumLagOnFailoverMiB: 1, lagAlarmMiB: 1 }).success).toBe(false);
    for (const ttl of ttls) {
      const s = dbClientSettings({ ttlSeconds: ttl });
      expect(keepaliveDetectSeconds(s), `ttl ${ttl}`).toBeLessThanOrEqual(ttl);
      expect(s.keepalives_idle).toBeGreaterThanOrEqual(1);
      expect(s.keepalives_interval).toBeGreaterThanOrEqual(1);
      expect(s.tcp_user_timeout).toBe(ttl * 1000);
      // libpq treats connect_timeout below 2 as 2; a failover candidate is tried well within the ttl.
      expect(s.connect_timeout).toBeGreaterThanOrEqual(2);
      expect(s.connect_timeout).toBeLessThan(ttl);
    }
  });

  it("bounds a single host's clients too (no failover manager: the kernel's two-hour keepalive default is what it replaces)", () => {
    const s = dbClientSettings(undefined);
    expect(keepaliveDetectSeconds(s)).toBeLessThanOrEqual(60);
    expect(s.tcp_user_timeout).toBeGreaterThan(0);
  });

  it("renders one section named after the service, key=value lines libpq parses", () => {
    const text = renderPgServiceFile("orders", dbClientSettings({ ttlSeconds: 30 }));
    const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines[0]).toBe("[orders]");
    for (const line of lines.slice(1)) expect(line).toMatch(/^[a-z_]+=\d+$/);
    expect(lines).toContain("tcp_user_timeout=30000");
    expect(() => renderPgServiceFile("Orders]\n[evil", dbClientSettings(undefined))).toThrow(/pg_service.conf: section/);
  });
});

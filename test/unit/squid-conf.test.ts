import { describe, expect, it } from "vitest";
import { allowlistFile, HOST_PATHS } from "../../src/dmz/squid/paths";
import { ALWAYS_BLOCKED, blockedRanges, renderSquidConf } from "../../src/dmz/squid/squid-conf";

const APP = ["10.20.0.0/20", "10.20.16.0/20"];
const DATA = ["10.20.136.0/24", "10.20.137.0/24"];

const conf = renderSquidConf({
  sources: [
    { zone: "data", cidrs: DATA },
    { zone: "app", cidrs: APP },
  ],
  blockedDestinations: ["10.20.0.0/16"],
});
const lines = conf.split("\n");
const access = lines.filter((l) => l.startsWith("http_access "));

describe("squid.conf of the egress proxy", () => {
  it("refuses anything but CONNECT to port 443 of a DNS name before any allow rule", () => {
    expect(access.slice(0, 3)).toEqual(["http_access deny !CONNECT", "http_access deny !tls_port", "http_access deny ip_literal"]);
    expect(lines).toContain("acl tls_port port 443");
    expect(lines).toContain("acl CONNECT method CONNECT");
    expect(access.at(-1)).toBe("http_access deny all");
    // Nothing is allowed without a zone's source ACL and its allowlist.
    for (const rule of access.filter((l) => l.startsWith("http_access allow"))) {
      expect(rule).toMatch(/^http_access allow from_(app|data) allow_\1 !inward_dst$/);
    }
  });

  it("holds each zone's clients to that zone's allowlist file, by name only", () => {
    expect(lines).toContain(`acl from_app src ${APP.join(" ")}`);
    expect(lines).toContain(`acl from_data src ${DATA.join(" ")}`);
    expect(lines).toContain(`acl allow_app dstdomain -n "${allowlistFile(HOST_PATHS, "app")}"`);
    expect(lines).toContain(`acl allow_data dstdomain -n "/etc/squid/egress/allow-data.domains"`);
    expect(access).toContain("http_access allow from_app allow_app !inward_dst");
    expect(access).toContain("http_access allow from_data allow_data !inward_dst");
  });

  it("admits no zone that no live exception names", () => {
    const appOnly = renderSquidConf({ sources: [{ zone: "app", cidrs: APP }], blockedDestinations: ["10.20.0.0/16"] });
    expect(appOnly).not.toContain("from_data");
    expect(appOnly).not.toContain("allow-data");
    const none = renderSquidConf({ sources: [], blockedDestinations: ["10.20.0.0/16"] });
    expect(none.split("\n").filter((l) => l.startsWith("http_access allow"))).toEqual([]);
    expect(none).toContain("http_access deny all");
  });

  it("recognises IP literals of every shape as raw addresses", () => {
    const acl = lines.find((l) => l.startsWith("acl ip_literal dstdom_regex -i "));
    expect(acl).toBeDefined();
    const patterns = (acl ?? "").replace("acl ip_literal dstdom_regex -i ", "").split(" ").map((p) => new RegExp(p, "i"));
    const isLiteral = (host: string) => patterns.some((p) => p.test(host));
    for (const host of ["10.99.200.10", "3232235777", "0x7f000001", "::1", "[2001:db8::1]", "2001:db8::1"]) expect(isLiteral(host), host).toBe(true);
    for (const host of ["pypi.org", "files.pythonhosted.org", "a1.example.com", "123.example.com"]) expect(isLiteral(host), host).toBe(false);
  });

  it("never reaches back into the VPC, the metadata service, loopback or private space, whatever a name resolves to", () => {
    const acl = lines.find((l) => l.startsWith("acl inward_dst dst "));
    // The VPC (10.20.0.0/16) is inside 10.0.0.0/8, which is listed once: Squid warns about a subnetwork of another.
    expect(acl?.split(" ").slice(3)).toEqual([...ALWAYS_BLOCKED]);
    for (const range of ["169.254.0.0/16", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "::1/128", "fe80::/10", "fc00::/7"]) {
      expect(ALWAYS_BLOCKED, range).toContain(range);
    }
  });

  it("blocks a VPC outside private space too, and lists each range once", () => {
    expect(blockedRanges(["198.18.0.0/16"])).toEqual([...ALWAYS_BLOCKED, "198.18.0.0/16"]);
    expect(blockedRanges(["172.31.0.0/16", "10.0.0.0/8"])).toEqual([...ALWAYS_BLOCKED]);
  });

  it("logs every request to the access log and keeps no cache", () => {
    expect(lines).toContain("access_log stdio:/var/log/squid/access.log egress");
    expect(lines.find((l) => l.startsWith("logformat egress "))).toContain("%>a %rm %ru %>Hs %Ss");
    expect(lines).toContain("cache deny all");
    expect(lines).toContain("http_port 3128");
    expect(lines).toContain("hosts_file /etc/hosts");
  });

  it("takes the lab's paths, listening address and name table as parameters, leaving the rules alone", () => {
    const lab = renderSquidConf({
      sources: [
        { zone: "data", cidrs: DATA },
        { zone: "app", cidrs: APP },
      ],
      blockedDestinations: ["10.20.0.0/16"],
      listen: { address: "10.99.1.1", port: 3128 },
      paths: { allowlistDir: "/tmp/lab", accessLog: "/tmp/lab/access.log", hostsFile: "/tmp/lab/hosts" },
    });
    expect(lab).toContain("http_port 10.99.1.1:3128");
    expect(lab).toContain('acl allow_app dstdomain -n "/tmp/lab/allow-app.domains"');
    expect(lab).toContain("hosts_file /tmp/lab/hosts");
    const rules = (text: string) => text.split("\n").filter((l) => l.startsWith("http_access") || l.startsWith("acl") && !l.includes("dstdomain"));
    expect(rules(lab)).toEqual(rules(conf));
  });

  it("is deterministic and independent of the order zones are given in", () => {
    const again = renderSquidConf({
      sources: [
        { zone: "app", cidrs: APP },
        { zone: "data", cidrs: DATA },
      ],
      blockedDestinations: ["10.20.0.0/16"],
    });
    expect(again).toBe(conf);
  });

  it("rejects malformed input with a one-line reason", () => {
    expect(() => renderSquidConf({ sources: [{ zone: "app", cidrs: ["10.20.0.1/20"] }], blockedDestinations: [] })).toThrow(/not an IPv4 CIDR/);
    expect(() => renderSquidConf({ sources: [{ zone: "app", cidrs: [] }], blockedDestinations: [] })).toThrow(/zone "app" has no source CIDRs/);
    expect(() =>
      renderSquidConf({
        sources: [
          { zone: "app", cidrs: APP },
          { zone: "app", cidrs: APP },
        ],
        blockedDestinations: [],
      }),
    ).toThrow(/listed twice/);
    expect(() => renderSquidConf({ sources: [], blockedDestinations: ["everything"] })).toThrow(/not an IPv4 CIDR/);
  });
});

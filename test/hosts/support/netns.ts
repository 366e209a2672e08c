import { spawnSync } from "node:child_process";
import * as fs from "node:fs";

/**
 * Network namespaces for host labs. Every name a lab creates starts with its prefix (namespaces, veth
 * ends ≤ 15 characters), so a crashed run's leftovers are found and removed by the next one.
 */
export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Run {
  const r = spawnSync(cmd, [...args], { encoding: "utf8", input: opts.input, timeout: opts.timeoutMs ?? 120_000, env: opts.env ?? process.env });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error?.message ?? "") };
}

export function must(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export const inNs = (ns: string, cmd: string, args: readonly string[], opts: { timeoutMs?: number } = {}): Run => run("ip", ["netns", "exec", ns, cmd, ...args], opts);

/** Removes the namespaces with this prefix (ending what still runs in them) and root-namespace links with it. */
export function removeNamespaces(prefix: string): void {
  const names = run("ip", ["netns", "list"]).stdout.split("\n").map((l) => l.split(" ")[0] ?? "").filter((n) => n.startsWith(`${prefix}-`));
  for (const name of names) {
    for (const pid of run("ip", ["netns", "pids", name]).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
    run("ip", ["netns", "del", name]);
    fs.rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
  for (const line of run("ip", ["-o", "link", "show"]).stdout.split("\n")) {
    const link = /^\d+:\s+([^@:]+)/.exec(line)?.[1];
    if (link?.startsWith(prefix)) run("ip", ["link", "del", link]);
  }
}

export function addNamespace(name: string): void {
  must("ip", ["netns", "add", name]);
  must("ip", ["-n", name, "link", "set", "lo", "up"]);
}

export interface VethEnd {
  /** A namespace, or undefined for the root namespace. */
  readonly ns?: string;
  readonly ifname: string;
  readonly addresses: readonly string[];
}

/** A veth pair between two namespaces, with addresses (IPv6 without duplicate detection, usable at once). */
export function link(a: VethEnd, b: VethEnd): void {
  must("ip", ["link", "add", a.ifname, "type", "veth", "peer", "name", b.ifname]);
  for (const end of [a, b]) {
    if (end.ns !== undefined) must("ip", ["link", "set", end.ifname, "netns", end.ns]);
    const ip = (...args: string[]) => must("ip", [...(end.ns === undefined ? [] : ["-n", end.ns]), ...args]);
    for (const address of end.addresses) ip(...(address.includes(":") ? ["-6", "addr", "add", address, "dev", end.ifname, "nodad"] : ["addr", "add", address, "dev", end.ifname]));
    ip("link", "set", end.ifname, "up");
  }
}

export function ipIn(ns: string, ...args: string[]): void {
  must("ip", ["-n", ns, ...args]);
}

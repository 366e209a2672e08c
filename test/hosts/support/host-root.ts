import { type ChildProcess, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A lab "host": a network namespace plus a private mount namespace in which the production paths
 * (/etc, /srv, /usr/local, /var/lib/postgresql, /var/log, /var/spool) are overlays of this machine's
 * own directories, so the shipped files are written and run at their real paths without touching the
 * machine. A `sleep` holds the mount namespace; every command enters it with nsenter.
 */
const OVERLAYS = ["/etc", "/srv", "/usr/local", "/var/lib/postgresql", "/var/log", "/var/spool"];
const TMPFS = ["/run/postgresql", "/tmp"];
/** A Debian host's PATH, as systemd and cloud-init give it: /usr/local first (the lab's stub `aws` lives there). */
export const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly timeoutMs?: number;
}

export class HostRoot {
  private holder?: ChildProcess;
  readonly daemons: ChildProcess[] = [];

  constructor(
    readonly ns: string,
    readonly dir: string,
  ) {}

  get pid(): number {
    if (this.holder?.pid === undefined) throw new Error(`host ${this.ns} is not started`);
    return this.holder.pid;
  }

  start(hostsFile: string): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const prelude = OVERLAYS.map((p, i) => {
      const upper = path.join(this.dir, `o${i}`, "upper");
      const work = path.join(this.dir, `o${i}`, "work");
      fs.mkdirSync(upper, { recursive: true });
      fs.mkdirSync(work, { recursive: true });
      // An overlay's root takes the upper directory's owner and mode: keep the real directory's
      // (/var/lib/postgresql belongs to postgres, and Patroni writes its pgpass there).
      const lower = fs.statSync(p);
      fs.chownSync(upper, lower.uid, lower.gid);
      fs.chmodSync(upper, lower.mode & 0o7777);
      return `mount -t overlay overlay -o lowerdir=${p},upperdir=${upper},workdir=${work} ${p}`;
    });
    const etcUpper = path.join(this.dir, "o0", "upper");
    fs.writeFileSync(path.join(etcUpper, "hosts"), hostsFile);
    const script = [...prelude, ...TMPFS.map((p) => `mount -t tmpfs -o mode=1777 tmpfs ${p}`), "chown postgres:postgres /run/postgresql && chmod 2775 /run/postgresql", "exec sleep infinity"].join(" && ");
    this.holder = spawn("ip", ["netns", "exec", this.ns, "unshare", "-m", "--propagation", "private", "bash", "-c", script], { detached: true, stdio: "ignore" });
    for (let i = 0; i < 50; i++) {
      if (this.run("test", ["-d", "/etc/patroni", "-a", "-e", path.join("/etc", "hosts")]).status === 0 && this.run("grep", ["-q", "fitness lab", "/etc/hosts"]).status === 0) return;
      spawnSync("sleep", ["0.1"]);
    }
    throw new Error(`host ${this.ns}: its mount namespace did not come up`);
  }

  run(cmd: string, args: readonly string[], opts: RunOptions = {}): SpawnSyncReturns<string> {
    return spawnSync("nsenter", ["-t", String(this.pid), "-m", "-n", "--", cmd, ...args], {
      encoding: "utf8",
      env: opts.env ?? { PATH: HOST_PATH, HOME: "/root", LANG: "C.UTF-8" },
      input: opts.input,
      timeout: opts.timeoutMs ?? 120_000,
    });
  }

  must(cmd: string, args: readonly string[], opts: RunOptions = {}): string {
    const r = this.run(cmd, args, opts);
    if (r.status !== 0) throw new Error(`${this.ns}: ${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.stdout || r.error?.message}`);
    return r.stdout;
  }

  /** Writes a file at its real path inside the host, with its mode and owner. */
  write(file: string, content: string, mode: string, owner: string): void {
    this.must("bash", ["-c", `install -d -m 0755 "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1" && chown "$3" "$1"`, "write", file, mode, owner], { input: content });
  }

  /** Starts a long-running process inside the host (its own process group, so it can be killed whole). */
  daemon(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
    const out = fs.openSync(logFile, "a");
    const child = spawn("nsenter", ["-t", String(this.pid), "-m", "-n", "--", cmd, ...args], { detached: true, env, stdio: ["ignore", out, out] });
    this.daemons.push(child);
    return child;
  }

  /** SIGKILL to every process in the network namespace but the mount holder: the host's sudden death. */
  killAll(): void {
    const pids = spawnSync("ip", ["netns", "pids", this.ns], { encoding: "utf8" }).stdout.split(/\s+/).filter((p) => /^\d+$/.test(p)).map(Number);
    for (const pid of pids) {
      if (pid === this.holder?.pid) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }

  stop(): void {
    this.killAll();
    if (this.holder?.pid !== undefined) {
      try {
        process.kill(this.holder.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { must, type Run, run } from "./netns";

/**
 * A Debian 12 machine for host tests: a debootstrapped bookworm root (what the pinned AMI is: systemd,
 * cloud-init, curl, ca-certificates), booted with systemd-nspawn inside a lab network namespace, its
 * changes kept in an overlay so every test starts from the same image. cloud-init reads the shipped
 * user-data from a NoCloud seed, exactly as it reads EC2's on the real host.
 *
 * The root is built once and cached under /var/cache/fitness-hostlab (a few minutes: debootstrap from
 * the Debian mirror); reruns reuse it. This machine runs no systemd of its own, so nspawn runs without
 * machined (--register=no --keep-unit); commands enter the container's namespaces with nsenter.
 */
export const ROOTFS = "/var/cache/fitness-hostlab/bookworm-v2";
const READY = ".fitness-rootfs-ready";
/** What the image holds besides debootstrap's minimal base: the AMI's boot tooling (cloud-init sets LANG=en_US.UTF-8, so that locale is generated), and libfaketime for the lab's clock. */
const IMAGE_PACKAGES = ["systemd", "systemd-sysv", "udev", "dbus", "ca-certificates", "iproute2", "netbase", "curl", "locales"];
const LATER_PACKAGES = ["cloud-init", "libfaketime"];
const MIRROR = "http://deb.debian.org/debian";

const NSPAWN = ["--quiet", "--register=no", "--keep-unit"];

/**
 * Where each machine gets a cgroup of its own, in every hierarchy that tracks systemd units (name=systemd
 * and the unified one of a hybrid host, or the unified root alone). With --keep-unit, nspawn puts its
 * container in a "payload" cgroup under the cgroup nspawn runs in; machines started from one process
 * would share that one tree, and their systemds each other's unit cgroups: with eight members running
 * the same units, one machine's stop removed the cgroup of another's run (status 219/CGROUP).
 */
function cgroupDirs(name: string): string[] {
  const hybrid = ["/sys/fs/cgroup/systemd", "/sys/fs/cgroup/unified"].filter((d) => fs.existsSync(path.join(d, "cgroup.procs")));
  const roots = hybrid.length > 0 ? hybrid : ["/sys/fs/cgroup"];
  return roots.map((r) => path.join(r, "fitness-hostlab", name));
}

export function ensureRootfs(): string {
  if (fs.existsSync(path.join(ROOTFS, READY))) return ROOTFS;
  const build = `${ROOTFS}.build-${process.pid}`;
  fs.rmSync(build, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(ROOTFS), { recursive: true });
  must("debootstrap", ["--variant=minbase", `--include=${IMAGE_PACKAGES.join(",")}`, "bookworm", build, MIRROR], { timeoutMs: 30 * 60_000 });
  // debootstrap cannot resolve cloud-init's virtual dependencies; apt inside the root can.
  must(
    "systemd-nspawn",
    [...NSPAWN, "-D", build, "--pipe", "env", "DEBIAN_FRONTEND=noninteractive", "sh", "-c", `apt-get -q update && apt-get -q install -y --no-install-recommends ${LATER_PACKAGES.join(" ")} && apt-get clean && sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen && locale-gen`],
    { timeoutMs: 30 * 60_000 },
  );
  fs.writeFileSync(path.join(build, READY), `${new Date().toISOString()}\n`);
  fs.rmSync(ROOTFS, { recursive: true, force: true });
  fs.renameSync(build, ROOTFS);
  return ROOTFS;
}

export interface MachineOptions {
  /** Container (and host name) of the machine. */
  readonly name: string;
  /** The lab namespace it lives in (its network). */
  readonly netns: string;
  /** Working directory: overlay upper and work dirs, the merged root, the console log. */
  readonly dir: string;
  /** More systemd-nspawn options (e.g. `--bind=` of a block device standing in for an EBS volume). */
  readonly nspawnArgs?: readonly string[];
}

export class Machine {
  readonly root: string;
  readonly upper: string;
  readonly consoleLog: string;
  private nspawn: ChildProcess | undefined;
  private leader = 0;

  constructor(readonly options: MachineOptions) {
    this.root = path.join(options.dir, "root");
    this.upper = path.join(options.dir, "upper");
    this.consoleLog = path.join(options.dir, "console.log");
  }

  /** Mounts the overlay (image below, this machine's changes above); files can be placed before boot. */
  mount(): void {
    for (const d of [this.upper, path.join(this.options.dir, "work"), this.root]) fs.mkdirSync(d, { recursive: true });
    if (run("mountpoint", ["-q", this.root]).status !== 0) {
      must("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${ensureRootfs()},upperdir=${this.upper},workdir=${path.join(this.options.dir, "work")}`, this.root]);
    }
  }

  /** Writes a file into the machine's root (before boot, or while it runs: the overlay is the same). */
  write(file: string, content: string, mode = 0o644): void {
    const target = path.join(this.root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    fs.chmodSync(target, mode);
  }

  read(file: string): string {
    return fs.readFileSync(path.join(this.root, file), "utf8");
  }

  exists(file: string): boolean {
    return fs.existsSync(path.join(this.root, file));
  }

  /** Runs a command in the image's root before boot (chroot), e.g. update-ca-certificates. */
  chroot(args: readonly string[]): string {
    return must("chroot", [this.root, ...args]);
  }

  /**
   * Prepares the first boot as EC2 would have it: the lab's names in /etc/hosts (`address name...`
   * lines; localhost and the machine's own name come first), the lab CA in the system trust store
   * (where a host finds the public CAs of AWS and the mirror), and the user-data in a NoCloud seed: the
   * image's datasource is EC2; in the lab cloud-init reads the same user-data from the seed.
   */
  seed(options: { readonly hosts: readonly string[]; readonly caPem: string; readonly userData: string; readonly instanceId: string }): void {
    const name = this.options.name;
    this.mount();
    this.write("/etc/hosts", ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback", `127.0.1.1 ${name}`, ...options.hosts, ""].join("\n"));
    this.write("/etc/hostname", `${name}\n`);
    this.write("/usr/local/share/ca-certificates/fitness-lab.crt", options.caPem);
    this.chroot(["update-ca-certificates"]);
    this.write("/etc/cloud/cloud.cfg.d/99-fitness-lab.cfg", "datasource_list: [ NoCloud, None ]\nnetwork: {config: disabled}\n");
    this.write("/var/lib/cloud/seed/nocloud/meta-data", `instance-id: ${options.instanceId}\nlocal-hostname: ${name}\n`);
    this.write("/var/lib/cloud/seed/nocloud/user-data", options.userData);
  }

  /** Waits until cloud-init has run the user-data; throws with the tail of `log` when it did not finish well. */
  awaitCloudInit(log = "/var/log/fitness-bootstrap.log", timeoutMs = 1_500_000): void {
    const status = this.exec(["cloud-init", "status", "--wait", "--long"], { timeoutMs });
    if (!/status: done/.test(status.stdout)) {
      throw new Error(`${this.options.name}: cloud-init did not finish the shipped bootstrap:\n${status.stdout}\n${this.exec(["tail", "-n", "80", log]).stdout}`);
    }
  }

  /** Boots systemd in the container and waits until the boot has finished (running or degraded). */
  async boot(): Promise<void> {
    this.mount();
    const out = fs.openSync(this.consoleLog, "a");
    // The shell moves itself into the machine's cgroups, then becomes nspawn (same pid).
    const enter = 'for d in $CGROUPS; do mkdir -p "$d" && echo $$ > "$d/cgroup.procs" || exit 1; done; exec systemd-nspawn "$@"';
    this.nspawn = spawn(
      "sh",
      ["-c", enter, "sh", ...NSPAWN, "--boot", "-D", this.root, `--machine=${this.options.name}`, `--network-namespace-path=/run/netns/${this.options.netns}`, "--console=read-only", "--resolv-conf=off", "--timezone=off", ...(this.options.nspawnArgs ?? [])],
      { stdio: ["ignore", out, out], env: { ...process.env, CGROUPS: cgroupDirs(this.options.name).join(" ") } },
    );
    fs.closeSync(out);
    const pid = this.nspawn.pid;
    if (pid === undefined) throw new Error("systemd-nspawn did not start");
    for (let i = 0; i < 600 && this.leader === 0; i++) {
      const child = run("ps", ["--ppid", String(pid), "-o", "pid=,comm="]).stdout.trim().split("\n").find((l) => l.trim().endsWith("systemd"));
      if (child !== undefined) this.leader = Number(child.trim().split(/\s+/)[0]);
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (this.leader === 0) throw new Error(`machine ${this.options.name} did not boot: ${fs.readFileSync(this.consoleLog, "utf8").slice(-2000)}`);
    // Until the container's manager has its socket up, systemctl cannot ask. Boot itself may still run
    // (cloud-init is part of it): callers wait for what they need.
    for (let i = 0; i < 600; i++) {
      if (this.exec(["systemctl", "is-system-running"]).stdout.trim() !== "") return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`machine ${this.options.name}: its systemd never answered`);
  }

  /** A command inside the running machine, as root, in all its namespaces. */
  exec(args: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Run {
    if (this.leader === 0) throw new Error(`machine ${this.options.name} is not running`);
    return run("nsenter", ["-t", String(this.leader), "-m", "-u", "-i", "-n", "-p", "--", ...args], opts);
  }

  /** Like exec, without blocking: a long command runs while the test goes on. */
  execAsync(args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<Run> {
    if (this.leader === 0) throw new Error(`machine ${this.options.name} is not running`);
    const child = spawn("nsenter", ["-t", String(this.leader), "-m", "-u", "-i", "-n", "-p", "--", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    return new Promise((resolve) =>
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ status: code ?? -1, stdout, stderr });
      }),
    );
  }

  /** Like exec, but throws with the output when the command fails. */
  must(args: readonly string[], opts: { timeoutMs?: number } = {}): string {
    const r = this.exec(args, opts);
    if (r.status !== 0) throw new Error(`${this.options.name}: ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  /** Shuts the machine down cleanly (stop jobs run), waiting for nspawn to exit. */
  async poweroff(): Promise<void> {
    const child = this.nspawn;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    this.exec(["systemctl", "poweroff"]);
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    await exited;
    clearTimeout(timer);
    this.leader = 0;
  }

  /** Ends the machine however it is and unmounts its root; safe to call twice. */
  async destroy(): Promise<void> {
    try {
      await this.poweroff();
    } catch {
      this.nspawn?.kill("SIGKILL");
    }
    if (run("mountpoint", ["-q", this.root]).status === 0) run("umount", ["-l", this.root]);
    // Empty once the machine is gone; removed leaves first.
    for (const d of cgroupDirs(this.options.name)) if (fs.existsSync(d)) run("find", [d, "-depth", "-type", "d", "-exec", "rmdir", "{}", ";"]);
  }
}

/** The pgBackRest files of a database host, rendered from config: what they say, and what they refuse. */
import { describe, expect, it } from "vitest";
import { renderHostScript } from "../../src/backups/host-script";
import { renderArchiveDropIn, renderPgbackrestConf } from "../../src/backups/pgbackrest-conf";
import { planPitrHost, SETUP_PARAMETER_LIMIT } from "../../src/backups/pitr-plan";
import { maxGapDays } from "../../src/backups/schedule";
import { renderSystemdUnits } from "../../src/backups/systemd-units";
import { renderUserData, USER_DATA_LIMIT_BYTES } from "../../src/databases/bootstrap";

const PITR = { fullSchedule: "Sun *-*-* 01:00:00", differentialSchedule: "Mon..Sat *-*-* 01:00:00", verifySchedule: "Sat *-*-* 04:00:00", retentionFullCount: 5, retentionDays: 35, archivePushQueueMaxMiB: 16384, processMax: 3 };
const PATHS = { pgDataPath: "/srv/postgresql/15/main", pgSocketPath: "/var/run/postgresql", pgPort: 5432, spoolPath: "/var/spool/pgbackrest", logPath: "/var/log/pgbackrest", lockPath: "/tmp/pgbackrest" };
const conf = (over: Partial<Parameters<typeof renderPgbackrestConf>[0]> = {}) =>
  renderPgbackrestConf({ stanza: "personal-data", region: "eu-central-1", bucket: "fitness-platform-prod-backups-pitr", repoPath: "/personal-data", retentionFullCount: 5, archivePushQueueMaxMiB: 16384, processMax: 3, paths: PATHS, ...over });
const lines = (text: string) => text.split("\n").filter((l) => !l.startsWith("#") && l.includes("="));

describe("pgbackrest.conf", () => {
  it("puts the repository in the backup bucket through the regional S3 endpoint with the instance role, encrypted client-side", () => {
    const l = lines(conf());
    for (const expected of [
      "repo1-type=s3",
      "repo1-path=/personal-data",
      "repo1-s3-bucket=fitness-platform-prod-backups-pitr",
      "repo1-s3-endpoint=s3.eu-central-1.amazonaws.com",
      "repo1-s3-region=eu-central-1",
      "repo1-s3-key-type=auto",
      "repo1-storage-verify-tls=y",
      "repo1-cipher-type=aes-256-cbc",
      "archive-async=y",
      "archive-push-queue-max=16384MB",
      "process-max=3",
      "start-fast=y",
      "repo1-retention-full=5",
      "repo1-retention-archive=5",
      "expire-auto=n",
      "log-level-file=detail",
      "pg1-path=/srv/postgresql/15/main",
    ]) {
      expect(l).toContain(expected);
    }
    // The passphrase and any static credential never appear in the rendered file.
    expect(conf()).not.toMatch(/cipher-pass=|repo1-s3-key=|key-secret/);
  });

  it("turns archiving on through the drop-in, into the host's stanza", () => {
    expect(renderArchiveDropIn("personal-data")).toContain("archive_mode = on\narchive_command = 'pgbackrest --stanza=personal-data archive-push %p'");
  });

  it.each([
    [{ stanza: "Personal" }, 'stanza "Personal": allowed: lower-case letters, digits and hyphens, starting with a letter'],
    [{ bucket: "my.bucket" }, 'backup bucket "my.bucket": allowed: an S3 bucket name without dots (virtual-host addressing over TLS)'],
    [{ region: "europe" }, 'region "europe": allowed: an AWS region name such as eu-central-1'],
    [{ processMax: 0 }, "pgbackrest.conf process-max 0: allowed: 1..16"],
    [{ repoPath: "personal-data" }, 'repository path "personal-data": allowed: /<lower-case name>'],
  ])("refuses %j with a one-line error", (over, message) => {
    expect(() => conf(over)).toThrow(message);
  });
});

describe("systemd units", () => {
  const units = renderSystemdUnits({ full: PITR.fullSchedule, differential: PITR.differentialSchedule, verify: PITR.verifySchedule });
  const unit = (name: string) => units.find((u) => u.name === name)?.content ?? "";

  it("schedules full, differential and verify from config, persistent across downtime", () => {
    expect(unit("fitness-pgbackrest-full.timer")).toContain("OnCalendar=Sun *-*-* 01:00:00\nPersistent=true\nUnit=fitness-pgbackrest@full.service");
    expect(unit("fitness-pgbackrest-diff.timer")).toContain("OnCalendar=Mon..Sat *-*-* 01:00:00\nPersistent=true\nUnit=fitness-pgbackrest@diff.service");
    expect(unit("fitness-pgbackrest-verify.timer")).toContain("OnCalendar=Sat *-*-* 04:00:00");
    expect(unit("fitness-pgbackrest-monitor.timer")).toContain("OnUnitActiveSec=5min");
  });

  it("reports every job unit that fails, even when killed, and fetches the passphrase before PostgreSQL", () => {
    expect(unit("fitness-pgbackrest@.service")).toContain("OnFailure=fitness-pgbackrest-failed@%n.service");
    expect(unit("fitness-pgbackrest@.service")).toContain("ExecStart=/usr/local/sbin/fitness-pgbackrest job %i");
    // Before both ways PostgreSQL starts, so archive-push never runs without its passphrase.
    expect(unit("fitness-pgbackrest-passphrase.service")).toContain("Before=postgresql@15-main.service patroni@15-main.service");
  });

  it("refuses a schedule that is not an OnCalendar expression", () => {
    expect(() => renderSystemdUnits({ full: "Sun; rm -rf /", differential: "daily", verify: "weekly" })).toThrow(
      "full backup schedule \"Sun; rm -rf /\": allowed: a systemd OnCalendar expression such as 'Sun *-*-* 01:00:00'",
    );
  });
});

describe("the host script", () => {
  const script = renderHostScript({
    stanza: "personal-data",
    host: "personal-data",
    region: "eu-central-1",
    passphraseSecretId: "fitness-platform-prod-backups-personal-data-cipher",
    archivePushQueueMaxMiB: 4096,
    paths: { cipherFile: "/etc/pgbackrest/conf.d/cipher.conf", logPath: "/var/log/pgbackrest", stateDirectory: "/var/lib/fitness/pgbackrest", pgDataPath: "/srv/postgresql/15/main", pgSocketPath: "/var/run/postgresql", pgPort: 5432 },
  });
  it("alarms on half the queue limit and never traces commands (no secret in the journal)", () => {
    expect(script).toContain(`QUEUE_MAX_BYTES='${4096 * 1024 * 1024}'`);
    expect(script).not.toMatch(/set -x|set -o xtrace/);
    expect(script).toContain('chmod 0440 "$CIPHER_FILE.new"');
  });
  it("refuses a secret id that could break out of the script", () => {
    expect(() => renderHostScript({ ...{ stanza: "a", host: "a", region: "eu-central-1", archivePushQueueMaxMiB: 256, paths: { cipherFile: "/c", logPath: "/l", stateDirectory: "/s", pgDataPath: "/d", pgSocketPath: "/r", pgPort: 5432 } }, passphraseSecretId: "x'; rm -rf /" })).toThrow(
      `secret id "x'; rm -rf /": allowed: a Secrets Manager name or ARN`,
    );
  });
});

describe("the plug-in into a host's bootstrap", () => {
  const plan = planPitrHost({ project: "fitness-platform", stack: "prod", domain: "training-records", region: "eu-central-1", bucket: "fitness-platform-prod-backups-pitr", passphraseSecretName: "fitness-platform-prod-backups-training-records-cipher", config: PITR });

  it("keeps the host's user-data under EC2's limit: large files travel as SSM setup parameters", () => {
    const userData = renderUserData({
      domain: "training-records",
      region: "eu-central-1",
      volumeId: "vol-0123456789abcdef0",
      packageSource: { kind: "mirror", mirrorUrl: "https://fitness-debian-mirror-222222222222.s3.eu-central-1.amazonaws.com" },
      // The largest rendered files of the committed stacks (dev's standalone postgresql.conf, prod's pg_hba.conf with
      // its cluster peers, the roles SQL), with some headroom.
      postgresqlConf: "x".repeat(1800),
      pgHba: "y".repeat(1500),
      rolesParameter: "/fitness-platform/prod/databases/training-records/roles",
      tlsSecretId: "fitness-platform-prod-databases-training-records-tls",
      credentials: [{ secretId: "fitness-platform-prod-databases-training-records-trainings", passwordEnv: "FITNESS_DB_PASSWORD_TRAININGS" }],
      extras: plan.extras,
    });
    expect(Buffer.byteLength(userData)).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    expect(userData).toContain("archive_command = 'pgbackrest --stanza=training-records archive-push %p'");
    expect(userData).toContain("fitness_pgbackrest_setup '/fitness-platform/prod/backups/training-records/config'");
    for (const p of plan.setupParameters) expect(Buffer.byteLength(p.script)).toBeLessThanOrEqual(SETUP_PARAMETER_LIMIT);
    expect(plan.setupParameters.map((p) => p.name)).toEqual(["config", "script", "units"].map((part) => `/fitness-platform/prod/backups/training-records/${part}`));
  });

  it("creates the stanza, checks it and starts the first full backup, after the passphrase", () => {
    const cmds = plan.extras.extraCommands ?? [];
    const at = (text: string) => cmds.findIndex((c) => c.includes(text));
    expect(at("fitness-pgbackrest passphrase")).toBeLessThan(at("fitness-pgbackrest stanza"));
    expect(at("fitness-pgbackrest stanza")).toBeLessThan(at("start --no-block fitness-pgbackrest@full.service"));
    expect(plan.extras.extraPackages).toEqual(["pgbackrest"]);
  });
});

describe("the gap between full backups", () => {
  it.each([
    ["Sun *-*-* 01:00:00", 7],
    ["Mon..Sat *-*-* 01:00:00", 2],
    ["Mon,Thu *-*-* 02:00:00", 4],
    ["*-*-* 03:00:00", 1],
    ["daily", 1],
    ["weekly", 7],
    ["*-*-01 00:00:00", 31],
  ])("%s → %i day(s)", (expr, days) => {
    expect(maxGapDays(expr)).toBe(days);
  });
});

import { HOST_LAYOUT } from "../databases/host-layout";
import { PGBACKREST_LAYOUT } from "./layout";

/**
 * The systemd units of a host's backups: timers for the full and differential backups and the weekly
 * verify (OnCalendar from config), the archive monitor every five minutes, the cipher passphrase at
 * boot, and an OnFailure hook that reports any unit that died without reporting itself (killed,
 * timed out). Output goes to the journal; metrics to CloudWatch (src/backups/host-script.ts).
 */
export interface BackupSchedules {
  readonly full: string;
  readonly differential: string;
  readonly verify: string;
}

export interface SystemdUnit {
  readonly name: string;
  readonly content: string;
}

function calendar(value: string, what: string): string {
  if (!/^[A-Za-z0-9*:,./ -]+$/.test(value)) throw new Error(`${what} schedule "${value}": allowed: a systemd OnCalendar expression such as 'Sun *-*-* 01:00:00'`);
  return value;
}

const S = PGBACKREST_LAYOUT.script;
const PG = HOST_LAYOUT.systemdUnit;
const FAILED = "OnFailure=fitness-pgbackrest-failed@%n.service";

function service(description: string, exec: string, extra: readonly string[] = []): string {
  return [
    "[Unit]",
    `Description=${description}`,
    `After=${PG} network-online.target`,
    "Wants=network-online.target",
    FAILED,
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${exec}`,
    ...extra,
    "",
  ].join("\n");
}

function timer(description: string, onCalendar: string, unit: string): string {
  return ["[Unit]", `Description=${description}`, "", "[Timer]", `OnCalendar=${onCalendar}`, "Persistent=true", `Unit=${unit}`, "", "[Install]", "WantedBy=timers.target", ""].join("\n");
}

export const BACKUP_TIMERS = ["fitness-pgbackrest-full.timer", "fitness-pgbackrest-diff.timer", "fitness-pgbackrest-verify.timer", "fitness-pgbackrest-monitor.timer"] as const;
export const PASSPHRASE_UNIT = "fitness-pgbackrest-passphrase.service";

/** `fitness-pgbackrest@<job>.service` runs `fitness-pgbackrest job <job>`: full, diff, verify or monitor. */
export function jobUnit(job: "full" | "diff" | "verify" | "monitor"): string {
  return `fitness-pgbackrest@${job}.service`;
}

export function renderSystemdUnits(schedules: BackupSchedules): SystemdUnit[] {
  return [
    {
      name: "fitness-pgbackrest@.service",
      content: service("pgBackRest job %i (D7)", `${S} job %i`, ["Nice=10", "IOSchedulingClass=best-effort", "IOSchedulingPriority=7", "TimeoutStartSec=12h"]),
    },
    { name: "fitness-pgbackrest-full.timer", content: timer("Full pgBackRest backup", calendar(schedules.full, "full backup"), jobUnit("full")) },
    { name: "fitness-pgbackrest-diff.timer", content: timer("Differential pgBackRest backup", calendar(schedules.differential, "differential backup"), jobUnit("diff")) },
    { name: "fitness-pgbackrest-verify.timer", content: timer("pgBackRest verify of the repository", calendar(schedules.verify, "verify"), jobUnit("verify")) },
    {
      name: "fitness-pgbackrest-monitor.timer",
      content: ["[Unit]", "Description=WAL archive monitor every five minutes", "", "[Timer]", "OnBootSec=5min", "OnUnitActiveSec=5min", `Unit=${jobUnit("monitor")}`, "", "[Install]", "WantedBy=timers.target", ""].join("\n"),
    },
    {
      name: PASSPHRASE_UNIT,
      content: [
        "[Unit]",
        "Description=pgBackRest cipher passphrase from Secrets Manager",
        "After=network-online.target",
        "Wants=network-online.target",
        // Both ways PostgreSQL starts: Debian's cluster unit (single host) and Patroni's (HA members).
        `Before=${PG} ${HOST_LAYOUT.patroniUnit}`,
        FAILED,
        "",
        "[Service]",
        "Type=oneshot",
        `ExecStart=${S} passphrase`,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
      ].join("\n"),
    },
    {
      name: "fitness-pgbackrest-failed@.service",
      content: ["[Unit]", "Description=Report failed backup unit %i", "", "[Service]", "Type=oneshot", `ExecStart=${S} failed %i`, ""].join("\n"),
    },
  ];
}

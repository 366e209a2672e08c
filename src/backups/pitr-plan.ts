import type { BackupsConfig } from "../config/sections/backups";
import type { BootstrapExtras, BootstrapFile } from "../databases/bootstrap-extras";
import { HOST_LAYOUT } from "../databases/host-layout";
import { shQuote, WRITE_FILE_FUNCTION, writeFileBlock } from "../databases/shell";
import { FULL_BACKUP_UNIT, renderHostScript } from "./host-script";
import { PGBACKREST_LAYOUT } from "./layout";
import { renderArchiveDropIn, renderPgbackrestConf } from "./pgbackrest-conf";
import { BACKUP_TIMERS, PASSPHRASE_UNIT, renderSystemdUnits } from "./systemd-units";

/**
 * Point-in-time recovery of one database host, as data: what plugs pgBackRest into the host's bootstrap
 * (the databases component's `bootstrapExtras` hook) and the names IAM and the alarms use. Pure: the
 * same text runs on the host and in the host tests.
 *
 * EC2 caps user-data at 16 KiB and the database bootstrap already uses most of it, so only the archive
 * drop-in (needed before PostgreSQL first starts) and the commands travel in user-data. pgbackrest.conf,
 * the job script and the systemd units are setup scripts in SSM parameters (plain text, no secret,
 * reviewable in the stack like user-data), which the bootstrap fetches through the ssm endpoint.
 */
export interface PitrHostInput {
  readonly project: string;
  readonly stack: string;
  readonly domain: string;
  readonly region: string;
  readonly bucket: string;
  readonly passphraseSecretName: string;
  readonly config: BackupsConfig["pitr"];
}

export interface SetupParameter {
  /** SSM parameter name, `/<project>/<stack>/backups/<domain>/<part>`. */
  readonly name: string;
  /** A self-contained, idempotent bash script writing files. */
  readonly script: string;
}

export interface PitrHostPlan {
  readonly domain: string;
  readonly stanza: string;
  /** The host's key prefix in the bucket: its role may read and write only below `<repoPrefix>/`. */
  readonly repoPrefix: string;
  readonly files: { readonly pgbackrestConf: string; readonly archiveDropIn: string; readonly hostScript: string };
  readonly setupParameters: readonly SetupParameter[];
  readonly extras: BootstrapExtras;
}

const L = PGBACKREST_LAYOUT;
/** SSM standard parameters hold 4 KiB, advanced 8 KiB; each setup script must fit one. */
export const SETUP_PARAMETER_LIMIT = 8192;

function installer(part: string, files: readonly BootstrapFile[]): string {
  return [
    "#!/bin/bash",
    `# pgBackRest setup (${part}), rendered by src/backups/pitr-plan.ts. Idempotent; holds no secret.`,
    "set -euo pipefail",
    ...WRITE_FILE_FUNCTION,
    ...files.map((f) => writeFileBlock(f.path, f.mode, f.owner ?? "root:root", f.content)),
    "",
  ].join("\n");
}

export function planPitrHost(input: PitrHostInput): PitrHostPlan {
  const stanza = input.domain;
  const repoPrefix = input.domain;
  const pgbackrestConf = renderPgbackrestConf({
    stanza,
    region: input.region,
    bucket: input.bucket,
    repoPath: `/${repoPrefix}`,
    retentionFullCount: input.config.retentionFullCount,
    archivePushQueueMaxMiB: input.config.archivePushQueueMaxMiB,
    processMax: input.config.processMax,
    paths: {
      pgDataPath: HOST_LAYOUT.dataDirectory,
      pgSocketPath: HOST_LAYOUT.socketDirectory,
      pgPort: HOST_LAYOUT.port,
      spoolPath: L.spoolPath,
      logPath: L.logPath,
      lockPath: L.lockPath,
    },
  });
  const archiveDropIn = renderArchiveDropIn(stanza);
  const hostScript = renderHostScript({
    stanza,
    host: input.domain,
    region: input.region,
    passphraseSecretId: input.passphraseSecretName,
    archivePushQueueMaxMiB: input.config.archivePushQueueMaxMiB,
    paths: {
      cipherFile: L.cipherFile,
      logPath: L.logPath,
      stateDirectory: L.stateDirectory,
      pgDataPath: HOST_LAYOUT.dataDirectory,
      pgSocketPath: HOST_LAYOUT.socketDirectory,
      pgPort: HOST_LAYOUT.port,
    },
  });
  const units = renderSystemdUnits({ full: input.config.fullSchedule, differential: input.config.differentialSchedule, verify: input.config.verifySchedule });

  const prefix = `/${input.project}/${input.stack}/backups/${input.domain}`;
  const setupParameters: SetupParameter[] = [
    { name: `${prefix}/config`, script: installer("configuration", [{ path: `${L.configPath}/pgbackrest.conf`, mode: "0640", owner: "root:postgres", content: pgbackrestConf }]) },
    { name: `${prefix}/script`, script: installer("job script", [{ path: L.script, mode: "0750", content: hostScript }]) },
    { name: `${prefix}/units`, script: installer("systemd units", units.map((u) => ({ path: `${L.systemdDirectory}/${u.name}`, mode: "0644", content: u.content }))) },
  ];
  for (const p of setupParameters) {
    const bytes = Buffer.byteLength(p.script, "utf8");
    if (bytes > SETUP_PARAMETER_LIMIT) throw new Error(`setup parameter ${p.name} is ${bytes} bytes: allowed: at most ${SETUP_PARAMETER_LIMIT} (SSM advanced parameter)`);
  }

  const fetchAndRun = [
    "fitness_pgbackrest_setup() { # parameter name: fetch (IAM may lag behind a new role) and run",
    "  local i",
    "  for i in $(seq 1 30); do",
    `    if aws --region ${shQuote(input.region)} ssm get-parameter --name "$1" --query Parameter.Value --output text > /run/fitness-pgbackrest-setup; then bash /run/fitness-pgbackrest-setup; return; fi`,
    "    sleep 10",
    "  done",
    '  echo "fitness bootstrap: setup parameter $1 not readable" >&2; return 1',
    "}",
  ].join("\n");
  const extras: BootstrapExtras = {
    extraPackages: ["pgbackrest"],
    extraFiles: [{ path: L.archiveDropIn, mode: "0644", owner: "postgres:postgres", content: archiveDropIn }],
    extraCommands: [
      "# pgBackRest (D7): setup from SSM, cipher passphrase, timers, stanza and check, first full backup.",
      fetchAndRun,
      ...setupParameters.map((p) => `fitness_pgbackrest_setup ${shQuote(p.name)}`),
      "rm -f /run/fitness-pgbackrest-setup",
      `install -d -m 0750 -o postgres -g postgres ${L.spoolPath} ${L.logPath}`,
      `${L.script} passphrase`,
      "systemctl daemon-reload",
      `systemctl enable ${PASSPHRASE_UNIT}`,
      `systemctl enable --now ${BACKUP_TIMERS.join(" ")}`,
      `${L.script} stanza`,
      // A new host has no recovery point until its first full backup: take it now, not at the next timer.
      `systemctl start --no-block ${FULL_BACKUP_UNIT}`,
    ],
  };
  return { domain: input.domain, stanza, repoPrefix, files: { pgbackrestConf, archiveDropIn, hostScript }, setupParameters, extras };
}

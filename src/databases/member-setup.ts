import { HOST_LAYOUT } from "./host-layout";
import { renderEventScript, renderMonitorScript, renderPatroniUnits } from "./patroni-scripts";
import { shQuote, WRITE_FILE_FUNCTION, writeFileBlock } from "./shell";

/**
 * A Patroni member's own files (patroni.yml, its callback and monitor, their units) as one idempotent
 * setup script. EC2 caps user-data at 16 KiB and the database bootstrap already uses most of it, so the
 * script travels in an SSM parameter (plain text, no secret, reviewable in the stack like user-data)
 * that the bootstrap fetches through the ssm endpoint, as the backups' setup does.
 */
export interface MemberSetupParams {
  readonly domain: string;
  readonly member: string;
  readonly privateIp: string;
  readonly region: string;
  readonly patroniConf: string;
}

/** SSM advanced parameters hold 8 KiB. */
export const MEMBER_SETUP_LIMIT = 8192;

const L = HOST_LAYOUT;

export function memberSetupParameterName(project: string, stack: string, member: string): string {
  return `/${project}/${stack}/databases/${member}/patroni`;
}

export function renderMemberSetup(p: MemberSetupParams): string {
  const scripts = { domain: p.domain, member: p.member, privateIp: p.privateIp, region: p.region };
  const script = [
    "#!/bin/bash",
    `# Patroni member ${p.member} (${p.domain}): its files, rendered by src/databases/member-setup.ts. Idempotent; holds no secret.`,
    "set -euo pipefail",
    ...WRITE_FILE_FUNCTION,
    writeFileBlock(L.patroniConfig, "0640", "root:postgres", p.patroniConf),
    writeFileBlock(L.patroniEventScript, "0755", "root:root", renderEventScript(scripts)),
    writeFileBlock(L.patroniMonitorScript, "0755", "root:root", renderMonitorScript(scripts)),
    ...renderPatroniUnits().map((u) => writeFileBlock(u.path, "0644", "root:root", u.content)),
    "",
  ].join("\n");
  const bytes = Buffer.byteLength(script, "utf8");
  if (bytes > MEMBER_SETUP_LIMIT) throw new Error(`setup of Patroni member ${p.member} is ${bytes} bytes: allowed: at most ${MEMBER_SETUP_LIMIT} (SSM advanced parameter)`);
  return script;
}

/** The user-data lines that fetch a setup parameter (IAM may lag behind a new role) and run it. */
export function fetchSetup(region: string, parameter: string): string[] {
  return [
    "for i in $(seq 1 30); do",
    `  if aws --region ${shQuote(region)} ssm get-parameter --name ${shQuote(parameter)} --query Parameter.Value --output text > /run/fitness-setup; then break; fi`,
    `  [ "$i" -lt 30 ] || { echo "fitness bootstrap: setup parameter ${parameter} not readable" >&2; exit 1; }`,
    "  sleep 10",
    "done",
    "bash /run/fitness-setup",
    "rm -f /run/fitness-setup",
  ];
}

/** The domain's roles SQL as a setup script (kept out of user-data, which EC2 caps at 16 KiB). */
export function rolesSetupParameterName(project: string, stack: string, domain: string): string {
  return `/${project}/${stack}/databases/${domain}/roles`;
}

export function renderRolesSetup(domain: string, rolesSql: string): string {
  return [
    "#!/bin/bash",
    `# The service roles and databases of ${domain}, rendered by src/databases/member-setup.ts. Idempotent; holds no secret.`,
    "set -euo pipefail",
    ...WRITE_FILE_FUNCTION,
    writeFileBlock(L.rolesSql, "0644", "root:root", rolesSql),
    "",
  ].join("\n");
}

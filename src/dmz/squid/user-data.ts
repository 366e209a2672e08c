import { InputError } from "../../config/input-error";
import { parseYaml, renderYaml } from "../../config/yaml-reader";
import { BOOTSTRAP_PATH, renderProxyBootstrap } from "./bootstrap";
import { APT_SOURCES_FILE, renderAptSources } from "./debian";
import { EXPIRY_SCRIPT_PATH, EXPIRY_UNIT, renderExpiryUnits } from "./expiry";
import { LOG_SHIPPER_PATH, LOG_SHIPPER_UNIT, renderLogShipperUnits } from "./log-shipping";
import { allowlistFile, DEPLOYER_CLIENT, HOST_PATHS } from "./paths";

/** The rendered texts the proxy host needs; nothing secret goes in here (EC2-05). */
export interface ProxyHostFiles {
  readonly squidConf: string;
  readonly exceptionsFile: string;
  readonly expiryScript: string;
  readonly logShipper: string;
  /** The in-VPC deployer's fixed allowlist (one name per line), when the stack has a deployer. */
  readonly deployerAllowlist?: string;
}

interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
}

// Written before the packages are installed; the bootstrap keeps them over the package's conffiles.
const file = (path: string, content: string, permissions = "0644"): WriteFile => ({ path, permissions, owner: "root:root", content });

/**
 * cloud-init user-data of the proxy host (Debian 12): write the rendered files, units and the bootstrap,
 * then run the bootstrap (install Squid, check, build today's allowlists, start Squid and the timers).
 * Deterministic text.
 */
export function renderProxyUserData(files: ProxyHostFiles): string {
  const expiry = renderExpiryUnits();
  const shipper = renderLogShipperUnits();
  const units = "/etc/systemd/system";
  const doc = {
    // Packages are the bootstrap's job, so that an unreachable archive fails the boot loudly.
    package_update: false,
    write_files: [
      file(APT_SOURCES_FILE, renderAptSources()),
      file(HOST_PATHS.configFile, files.squidConf),
      file(HOST_PATHS.exceptionsFile, files.exceptionsFile),
      ...(files.deployerAllowlist === undefined ? [] : [file(allowlistFile(HOST_PATHS, DEPLOYER_CLIENT), files.deployerAllowlist)]),
      file(EXPIRY_SCRIPT_PATH, files.expiryScript, "0755"),
      file(LOG_SHIPPER_PATH, files.logShipper, "0755"),
      file(`${units}/${EXPIRY_UNIT}.service`, expiry.service),
      file(`${units}/${EXPIRY_UNIT}.timer`, expiry.timer),
      file(`${units}/squid.service.d/10-fitness-allowlist.conf`, expiry.squidDropIn),
      file(`${units}/${LOG_SHIPPER_UNIT}.service`, shipper.service),
      file(`${units}/${LOG_SHIPPER_UNIT}.timer`, shipper.timer),
      file(`${units}/${LOG_SHIPPER_UNIT}-on-stop.service`, shipper.onStop),
      // The distribution's rotation would rename the log under the shipper's feet.
      file("/etc/logrotate.d/squid", `# Squid's access log is rotated and shipped by ${LOG_SHIPPER_UNIT}.timer.\n`),
      file(BOOTSTRAP_PATH, renderProxyBootstrap(), "0755"),
    ],
    runcmd: [[BOOTSTRAP_PATH]],
  };
  const body = renderYaml(doc);
  const text = `#cloud-config\n# Egress proxy (D6), rendered by the fitness-platform program. No secrets in here.\n${body}`;
  const size = Buffer.byteLength(text, "utf8");
  if (size > USER_DATA_LIMIT) {
    throw new Error(`egress proxy user-data is ${size} bytes, EC2 allows ${USER_DATA_LIMIT}: too many egress exceptions at once; remove some`);
  }
  return text;
}

/** EC2's limit on user-data, before base64 encoding. */
export const USER_DATA_LIMIT = 16_384;

/** The file a user-data document writes at `path`, or undefined (not cloud-config, or no such file). */
export function fileFromUserData(userData: string, path: string): string | undefined {
  if (!userData.startsWith("#cloud-config")) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(userData, "user-data");
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
  const files = (doc as { write_files?: unknown } | null)?.write_files;
  if (!Array.isArray(files)) return undefined;
  const found = files.find((f): f is { content: string } => (f as { path?: unknown }).path === path && typeof (f as { content?: unknown }).content === "string");
  return found?.content;
}

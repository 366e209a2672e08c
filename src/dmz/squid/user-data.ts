import { InputError } from "../../config/input-error";
import { parseYaml, renderYaml } from "../../config/yaml-reader";
import { EXPIRY_SCRIPT_PATH, EXPIRY_UNIT, renderExpiryUnits } from "./expiry";
import { LOG_SHIPPER_PATH, LOG_SHIPPER_UNIT, renderLogShipperUnits } from "./log-shipping";
import { HOST_PATHS } from "./paths";

/** The rendered texts the proxy host needs; nothing secret goes in here (EC2-05). */
export interface ProxyHostFiles {
  readonly squidConf: string;
  readonly exceptionsFile: string;
  readonly expiryScript: string;
  readonly logShipper: string;
}

interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
  defer: boolean;
}

const file = (path: string, content: string, permissions = "0644"): WriteFile =>
  // defer: written after the squid package is installed, so the package cannot overwrite them.
  ({ path, permissions, owner: "root:root", content, defer: true });

/**
 * cloud-init user-data of the proxy host: install Squid, write the rendered files and units, build the
 * allowlists for today, start Squid and the expiry and log-shipping timers. Deterministic text.
 */
export function renderProxyUserData(files: ProxyHostFiles): string {
  const expiry = renderExpiryUnits();
  const shipper = renderLogShipperUnits();
  const units = "/etc/systemd/system";
  const doc = {
    package_update: false,
    packages: ["squid"],
    write_files: [
      file(HOST_PATHS.configFile, files.squidConf),
      file(HOST_PATHS.exceptionsFile, files.exceptionsFile),
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
    ],
    runcmd: [
      ["systemctl", "daemon-reload"],
      [EXPIRY_SCRIPT_PATH, "--no-reload"],
      ["systemctl", "enable", "--now", "squid.service"],
      ["systemctl", "enable", "--now", `${EXPIRY_UNIT}.timer`, `${LOG_SHIPPER_UNIT}.timer`, `${LOG_SHIPPER_UNIT}-on-stop.service`],
    ],
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

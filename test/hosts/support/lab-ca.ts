import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A throwaway certificate authority for a lab: the lab's stand-ins for outside services (the Debian
 * archive, S3, test sites) present certificates for their real names, and the lab machine trusts this
 * CA the way it trusts any other (its system store). Keys never leave the lab directory.
 */
export interface LabCa {
  readonly dir: string;
  readonly certFile: string;
  /** A server certificate for these DNS names: { cert, key } file paths. */
  issue(label: string, names: readonly string[]): { cert: string; key: string };
}

const openssl = (args: readonly string[]): void => {
  execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
};

export function createLabCa(dir: string, subject: string): LabCa {
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.crt"), "-subj", `/CN=${subject}`, "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  fs.chmodSync(f("ca.crt"), 0o644);
  return {
    dir,
    certFile: f("ca.crt"),
    issue(label, names) {
      const key = f(`${label}.key`);
      const cert = f(`${label}.crt`);
      // A CN holds at most 64 characters (RFC 5280 ub-common-name); the names that matter are in the SAN.
      openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", f(`${label}.csr`), "-subj", `/CN=${(names[0] ?? label).length <= 64 ? (names[0] ?? label) : label}`]);
      fs.writeFileSync(f(`${label}.ext`), `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\n`);
      openssl(["x509", "-req", "-in", f(`${label}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f(`${label}.ext`), "-out", cert]);
      return { cert, key };
    },
  };
}

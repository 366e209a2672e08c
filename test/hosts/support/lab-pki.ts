import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { ResourceState, StackExport } from "../../../src/offline/snapshot/types";

/**
 * Certificates for a lab, issued by openssl from what the synthesised stack asks @pulumi/tls for: each
 * CertRequest's names and addresses and its LocallySignedCert's allowed uses. The mapping of the TLS
 * provider's allowed-use names to X.509 extensions is the provider's (terraform-provider-tls,
 * "allowed_uses"), not ours. Key type as the stack's PrivateKey resources: ECDSA P-256.
 */
const USES: Record<string, { keyUsage?: string; extendedKeyUsage?: string }> = {
  cert_signing: { keyUsage: "keyCertSign" },
  crl_signing: { keyUsage: "cRLSign" },
  digital_signature: { keyUsage: "digitalSignature" },
  key_encipherment: { keyUsage: "keyEncipherment" },
  server_auth: { extendedKeyUsage: "serverAuth" },
  client_auth: { extendedKeyUsage: "clientAuth" },
};

export interface IssuedPem {
  readonly keyPem: string;
  readonly certPem: string;
}

function must(args: string[]): void {
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
}

const CSR = "tls:index/certRequest:CertRequest";
const SIGNED = "tls:index/locallySignedCert:LocallySignedCert";

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export class LabPki {
  readonly caCertPem: string;
  private readonly caKey: string;
  private readonly caCert: string;
  private serial = 1;

  constructor(
    private readonly dir: string,
    private readonly snapshot: StackExport,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.caKey = path.join(dir, "ca.key");
    this.caCert = path.join(dir, "ca.crt");
    must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", this.caKey]);
    must(["req", "-x509", "-new", "-key", this.caKey, "-subj", "/O=fitness-platform/CN=fitness lab internal database CA", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", this.caCert]);
    this.caCertPem = fs.readFileSync(this.caCert, "utf8");
  }

  /** The certificate the stack requests for `address` (a member's or node's IP), issued by the lab CA. */
  issueFor(address: string): IssuedPem & { dnsNames: string[]; allowedUses: string[] } {
    const resources = this.snapshot.deployment.resources;
    const csr = resources.find((r) => r.type === CSR && strings(r.inputs?.ipAddresses).includes(address));
    if (csr === undefined) throw new Error(`lab PKI: the stack requests no certificate for ${address}`);
    const stem = csr.urn.split("::").pop()?.replace(/-csr$/, "") ?? "";
    const signed = resources.find((r: ResourceState) => r.type === SIGNED && r.urn.endsWith(`::${stem}-cert`));
    const uses = strings(signed?.inputs?.allowedUses);
    const dnsNames = strings(csr.inputs?.dnsNames);
    const ku = uses.map((u) => USES[u]?.keyUsage).filter(Boolean);
    const eku = uses.map((u) => USES[u]?.extendedKeyUsage).filter(Boolean);
    const n = this.serial++;
    const f = (x: string) => path.join(this.dir, `${n}.${x}`);
    const subject = csr.inputs?.subject as { commonName?: string } | undefined;
    must(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("key")]);
    must(["req", "-new", "-key", f("key"), "-subj", `/O=fitness-platform/CN=${subject?.commonName ?? dnsNames[0] ?? address}`, "-out", f("csr")]);
    fs.writeFileSync(
      f("ext"),
      [
        "basicConstraints = critical, CA:FALSE",
        ...(ku.length > 0 ? [`keyUsage = critical, ${ku.join(", ")}`] : []),
        ...(eku.length > 0 ? [`extendedKeyUsage = ${eku.join(", ")}`] : []),
        `subjectAltName = ${[...dnsNames.map((d) => `DNS:${d}`), ...strings(csr.inputs?.ipAddresses).map((ip) => `IP:${ip}`)].join(", ")}`,
      ].join("\n"),
    );
    must(["x509", "-req", "-in", f("csr"), "-CA", this.caCert, "-CAkey", this.caKey, "-set_serial", String(1000 + n), "-days", "2", "-extfile", f("ext"), "-out", f("crt")]);
    return { keyPem: fs.readFileSync(f("key"), "utf8"), certPem: fs.readFileSync(f("crt"), "utf8"), dnsNames, allowedUses: uses };
  }
}

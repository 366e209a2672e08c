/**
 * The internal CA and the database servers' certificates, as data. The component turns these into
 * @pulumi/tls resources; the host tests issue the same shape with openssl, so that what they prove
 * (libpq `sslmode=verify-full` by DNS name) holds for the real certificates.
 */
export interface CertificateSpec {
  readonly commonName: string;
  readonly organization: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly validityHours: number;
  /** Re-issued by the next `pulumi up` once fewer hours than this remain. */
  readonly earlyRenewalHours: number;
  readonly allowedUses: readonly string[];
}

export const KEY_ALGORITHM = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

const ORGANIZATION = "fitness-platform";

export function caCertificateSpec(stack: string): CertificateSpec {
  return {
    commonName: `fitness-platform ${stack} internal database CA`,
    organization: ORGANIZATION,
    dnsNames: [],
    ipAddresses: [],
    validityHours: 10 * 365 * 24,
    earlyRenewalHours: 365 * 24,
    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
  };
}

/** The name services connect to: `<domain>.db.<private zone>`, e.g. personal-data.db.dev.fitness.internal. */
export function hostDnsName(domain: string, privateZoneName: string): string {
  return `${domain}.db.${privateZoneName.replace(/\.$/, "")}`;
}

/** A member's own name, `<member>.db.<private zone>` (e.g. personal-data-a.db.prod.fitness.internal). */
export function memberDnsName(member: string, privateZoneName: string): string {
  return hostDnsName(member, privateZoneName);
}

/**
 * A PostgreSQL server's certificate. Every member of a domain names the domain's DNS name (what services
 * connect to, whichever member leads: verify-full keeps working after a failover), its own name and its
 * address (what the other members connect to for replication and pg_rewind). Members of a replicated
 * cluster also authenticate to etcd with it (client_auth).
 */
export function serverCertificateSpec(dnsName: string, privateIp: string, extra: { readonly dnsNames?: readonly string[]; readonly clientAuth?: boolean } = {}): CertificateSpec {
  return {
    commonName: dnsName,
    organization: ORGANIZATION,
    dnsNames: [dnsName, ...(extra.dnsNames ?? []).filter((n) => n !== dnsName)],
    ipAddresses: [privateIp],
    validityHours: 2 * 365 * 24,
    earlyRenewalHours: 30 * 24,
    allowedUses: ["digital_signature", "key_encipherment", "server_auth", ...(extra.clientAuth === true ? ["client_auth"] : [])],
  };
}

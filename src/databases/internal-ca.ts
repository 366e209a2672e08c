import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { type CertificateSpec, caCertificateSpec, KEY_ALGORITHM } from "./certificates";

export interface InternalCaArgs {
  readonly stack: string;
}

/** A server key and the certificate the internal CA issued for it. */
export interface IssuedCertificate {
  readonly privateKeyPem: pulumi.Output<string>;
  readonly certificatePem: pulumi.Output<string>;
}

/**
 * The stack's internal CA for database TLS. Services trust only this CA (`sslmode=verify-full`), so a
 * host can be impersonated only by someone holding its key, which lives in Secrets Manager and in the
 * (encrypted) Pulumi state. The CA key never leaves the state.
 */
export class InternalCa extends pulumi.ComponentResource {
  readonly certificatePem: pulumi.Output<string>;
  private readonly key: tls.PrivateKey;

  constructor(name: string, args: InternalCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:databases:InternalCa", name, {}, opts);
    const spec = caCertificateSpec(args.stack);
    this.key = new tls.PrivateKey(`${name}-key`, { ...KEY_ALGORITHM }, { parent: this });
    const cert = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: this.key.privateKeyPem,
        isCaCertificate: true,
        subject: { commonName: spec.commonName, organization: spec.organization },
        validityPeriodHours: spec.validityHours,
        earlyRenewalHours: spec.earlyRenewalHours,
        allowedUses: [...spec.allowedUses],
        setSubjectKeyId: true,
      },
      { parent: this },
    );
    this.certificatePem = cert.certPem;
    this.registerOutputs({ certificatePem: this.certificatePem });
  }

  /** Issues a server certificate; its resources belong to `parent` (the host it is for). */
  issue(name: string, spec: CertificateSpec, parent: pulumi.Resource): IssuedCertificate {
    const key = new tls.PrivateKey(`${name}-key`, { ...KEY_ALGORITHM }, { parent });
    const request = new tls.CertRequest(
      `${name}-csr`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: spec.commonName, organization: spec.organization },
        dnsNames: [...spec.dnsNames],
        ipAddresses: [...spec.ipAddresses],
      },
      { parent },
    );
    const cert = new tls.LocallySignedCert(
      `${name}-cert`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: this.key.privateKeyPem,
        caCertPem: this.certificatePem,
        validityPeriodHours: spec.validityHours,
        earlyRenewalHours: spec.earlyRenewalHours,
        allowedUses: [...spec.allowedUses],
      },
      { parent },
    );
    return { privateKeyPem: key.privateKeyPem, certificatePem: cert.certPem };
  }
}

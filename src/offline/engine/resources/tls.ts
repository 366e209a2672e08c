import { hexFrom } from "../deterministic";
import { type MockedResource, type ResourceContext } from "./context";

/**
 * @pulumi/tls outputs as well-formed placeholders. No key material is generated: the offline engine
 * needs the shapes (PEM blocks, fingerprints), and the private parts are written as secrets anyway.
 */
function pem(label: string, ...seed: string[]): string {
  const body = Buffer.from(hexFrom(192, ...seed), "hex").toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function validity(ctx: ResourceContext): Record<string, string> {
  const hours = typeof ctx.inputs.validityPeriodHours === "number" ? ctx.inputs.validityPeriodHours : 24 * 365;
  const start = Date.UTC(2030, 0, 1);
  return {
    validityStartTime: new Date(start).toISOString().replace(".000", ""),
    validityEndTime: new Date(start + hours * 3_600_000).toISOString().replace(".000", ""),
  };
}

export function mockTlsResource(ctx: ResourceContext): MockedResource {
  const state: Record<string, unknown> = { ...ctx.inputs };
  const serial = BigInt(`0x${hexFrom(30, ctx.urn, "serial")}`).toString();
  switch (ctx.type) {
    case "tls:index/privateKey:PrivateKey": {
      const fingerprint = hexFrom(32, ctx.urn, "md5").match(/../g)?.join(":") ?? "";
      Object.assign(state, {
        privateKeyPem: pem("PRIVATE KEY", ctx.urn, "private"),
        privateKeyPemPkcs8: pem("PRIVATE KEY", ctx.urn, "private"),
        privateKeyOpenssh: pem("OPENSSH PRIVATE KEY", ctx.urn, "private-ssh"),
        publicKeyPem: pem("PUBLIC KEY", ctx.urn, "public"),
        publicKeyOpenssh: `ssh-ed25519 ${Buffer.from(hexFrom(64, ctx.urn, "ssh"), "hex").toString("base64")}\n`,
        publicKeyFingerprintMd5: fingerprint,
        publicKeyFingerprintSha256: `SHA256:${Buffer.from(hexFrom(64, ctx.urn, "sha"), "hex").toString("base64").replace(/=+$/, "")}`,
      });
      return { id: hexFrom(40, ctx.urn, "id"), state };
    }
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      Object.assign(state, { certPem: pem("CERTIFICATE", ctx.urn, "cert"), readyForRenewal: false, ...validity(ctx) });
      return { id: serial, state };
    case "tls:index/certRequest:CertRequest":
      state.certRequestPem = pem("CERTIFICATE REQUEST", ctx.urn, "csr");
      return { id: hexFrom(40, ctx.urn, "id"), state };
    default:
      return { id: hexFrom(40, ctx.urn, "id"), state };
  }
}

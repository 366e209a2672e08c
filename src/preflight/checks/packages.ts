/**
 * The package mirror holds what the DB hosts install (PostgreSQL, pgBackRest), read the way apt reads
 * it: the suites' `Packages` indexes (gzip-compressed as Debian publishes them, or plain) under
 * `<archive>/dists/<suite>/main/binary-<arch>/`, from the mirror bucket.
 */
import { gunzipSync } from "node:zlib";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { askOptional } from "../ask";
import type { AwsClients } from "../clients";
import type { Check, Finding } from "../types";

export interface PackagesEvidence {
  /** Index path (without suffix) → its text, or null when neither `.gz` nor the plain file exists. */
  readonly indexes: Readonly<Record<string, string | null>>;
}

const NAME = "packages";

type Body = { transformToByteArray?: () => Promise<Uint8Array> } & Partial<AsyncIterable<Uint8Array | string>>;

async function bytes(body: Body): Promise<Buffer> {
  if (typeof body.transformToByteArray === "function") return Buffer.from(await body.transformToByteArray());
  const chunks: Buffer[] = [];
  if (body[Symbol.asyncIterator] !== undefined) for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function readObject(clients: AwsClients, bucket: string, key: string): Promise<Buffer | undefined> {
  const command = new GetObjectCommand({ Bucket: bucket, Key: key });
  const out = await askOptional(clients.s3, command, ["NoSuchKey", "NotFound", "NoSuchBucket"], () => clients.s3.send(command));
  return out?.Body === undefined ? undefined : bytes(out.Body as Body);
}

/** `Package` → versions, from a Debian `Packages` index (deb822 stanzas separated by blank lines). */
export function parsePackages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const version = /^Version:\s*(\S+)/m.exec(stanza)?.[1];
    if (name !== undefined && version !== undefined) out.set(name, [...(out.get(name) ?? []), version]);
  }
  return out;
}

export const packageCheck: Check<PackagesEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const mirror = facts.packageMirror;
    const indexes: Record<string, string | null> = {};
    if (mirror === undefined) return { indexes };
    for (const path of mirror.indexes) {
      const gz = await readObject(clients, mirror.bucket, `${path}.gz`);
      const plain = gz === undefined ? await readObject(clients, mirror.bucket, path) : undefined;
      indexes[path] = gz !== undefined ? gunzipSync(gz).toString("utf8") : plain !== undefined ? plain.toString("utf8") : null;
    }
    return { indexes };
  },
  evaluate(facts, evidence) {
    const mirror = facts.packageMirror;
    if (mirror === undefined) return [];
    const findings: Finding[] = [];
    const available = new Map<string, string[]>();
    for (const path of mirror.indexes) {
      const text = evidence.indexes[path];
      if (text === undefined || text === null) {
        findings.push({ check: NAME, severity: "error", problem: `package mirror s3://${mirror.bucket} has no ${path}(.gz): apt-get update on the DB hosts fails`, action: "run the mirror job for the Debian package set" });
        continue;
      }
      for (const [name, versions] of parsePackages(text)) available.set(name, [...(available.get(name) ?? []), ...versions]);
    }
    for (const pin of mirror.packages) {
      const versions = available.get(pin.name) ?? [];
      if (versions.length === 0) {
        findings.push({ check: NAME, severity: "error", problem: `package mirror s3://${mirror.bucket} does not hold ${pin.name}`, action: `add ${pin.name} to the mirror job's package set and run it` });
      } else if (pin.version !== undefined && !versions.includes(pin.version)) {
        findings.push({ check: NAME, severity: "error", problem: `package mirror s3://${mirror.bucket} holds ${pin.name} ${[...new Set(versions)].join(", ")}, not the pinned ${pin.version}`, action: `re-run the mirror job, or pin one of the mirrored versions` });
      }
    }
    return findings;
  },
};

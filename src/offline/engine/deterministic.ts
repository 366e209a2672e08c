import { createHash } from "node:crypto";

/**
 * Stand-ins for the random parts of real cloud ids (`vpc-0a1b...`, UUIDs, suffixes), derived by hashing
 * where the value belongs, so that the same program and config always give the same snapshot.
 */
function digest(parts: readonly string[]): Buffer {
  return createHash("sha256").update(parts.join("\0")).digest();
}

/** `length` lower-case hex digits. */
export function hexFrom(length: number, ...parts: string[]): string {
  let out = "";
  for (let round = 0; out.length < length; round++) out += digest([...parts, String(round)]).toString("hex");
  return out.slice(0, length);
}

/** Characters drawn from `alphabet`, deterministically. */
export function charsFrom(alphabet: string, length: number, ...parts: string[]): string {
  let out = "";
  for (let round = 0; out.length < length; round++) {
    for (const byte of digest([...parts, String(round)])) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** A version-4-shaped UUID. */
export function uuidFrom(...parts: string[]): string {
  const h = hexFrom(32, ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An integer in [0, bound). */
export function intFrom(bound: number, ...parts: string[]): number {
  return digest(parts).readUInt32BE(0) % bound;
}

import type { StackExport } from "../snapshot/types";

/**
 * Last line of defence: no secret's plain value may appear anywhere in what is written, whatever the
 * program did with it (an `unsecret`, a secret config read with `get` instead of `getSecret`, a
 * password pasted into user-data). Long values are searched for anywhere in a string; short ones only
 * as a whole value, since short strings ("postgres", "5432") occur innocently.
 */
const MIN_EMBEDDED = 12;
const MIN_WHOLE = 6;

export class SecretLeakError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretLeakError";
  }
}

function findIn(value: unknown, path: string, matches: (s: string) => boolean): string | undefined {
  if (typeof value === "string") return matches(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findIn(value[i], `${path}[${i}]`, matches);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const found = matches(key) ? `${path} (a key)` : findIn(v, `${path}.${key}`, matches);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Whether findIn would find something, without spelling out a path for every value on the way (most of the work). */
function anyIn(value: unknown, matches: (s: string) => boolean): boolean {
  if (typeof value === "string") return matches(value);
  if (Array.isArray(value)) return value.some((v) => anyIn(v, matches));
  if (typeof value === "object" && value !== null) {
    for (const key of Object.keys(value)) if (matches(key) || anyIn((value as Record<string, unknown>)[key], matches)) return true;
  }
  return false;
}

export function assertNoPlaintextSecrets(snapshot: StackExport, plaintexts: Iterable<string>): void {
  const embedded = [...plaintexts].filter((p) => p.length >= MIN_EMBEDDED);
  const whole = new Set([...plaintexts].filter((p) => p.length >= MIN_WHOLE && p.length < MIN_EMBEDDED));
  if (embedded.length === 0 && whole.size === 0) return;
  const matches = (s: string): boolean => whole.has(s) || embedded.some((p) => s.includes(p));
  for (const resource of snapshot.deployment.resources) {
    const values = { inputs: resource.inputs, outputs: resource.outputs, id: resource.id };
    const found = anyIn(values, matches) ? findIn(values, resource.urn, matches) : undefined;
    if (found !== undefined) {
      throw new SecretLeakError(
        `a secret value would be written in plain text at ${found}; keep it secret in the program (pulumi.secret / config.requireSecret, no unsecret) — nothing was written`,
      );
    }
  }
}

import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../snapshot/types";

/**
 * Property values as the Pulumi engine hands them to policies: special objects of the state format
 * (secrets, assets, resource references, output values) unpacked into plain JSON. Policies read them
 * through read-only-view.ts, where reading a value unknown during preview throws, as `@pulumi/policy` does.
 */
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const UNKNOWN_KINDS: Readonly<Record<string, string>> = {
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7": "boolean",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421": "number",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9": "string",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2": "Array",
  "030794c1-ac77-496b-92df-f27374a8bd58": "asset",
  "e48ece36-62e2-4504-bad9-02848725956a": "archive",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff": "Object",
};

/** A secret whose plaintext the export does not carry (only ciphertext): unreadable offline. */
export class EncryptedSecret {
  readonly encrypted = true;
}

/** Thrown when a policy reads a value that cannot be known here; the auditor turns it into an advisory. */
export class UnknownValueError extends Error {
  constructor(
    readonly what: string,
    readonly path: readonly string[],
  ) {
    super(`${what} value at .${path.join(".")} can't be known during preview`);
    this.name = "UnknownValueError";
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Plain JSON (no special objects inside) comes back as it is, not copied: policies read it through
 * read-only views, and a 55,000-resource export would otherwise be copied whole once more.
 */
export function deserialize(value: unknown): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const d = deserialize(item);
      if (out === undefined && d !== item) out = value.slice(0, i);
      out?.push(d);
    }
    return out ?? value;
  }
  if (!isObject(value)) return value;
  const sig = value[SECRET_SIG_KEY];
  if (sig === SECRET_SIG_VALUE) {
    if ("value" in value) return deserialize(value["value"]);
    if (typeof value["plaintext"] === "string") {
      try {
        return deserialize(JSON.parse(value["plaintext"]) as unknown);
      } catch {
        return value["plaintext"];
      }
    }
    return new EncryptedSecret();
  }
  if (sig === ASSET_SIG || sig === ARCHIVE_SIG) {
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== SECRET_SIG_KEY) rest[k] = v;
    return deserialize(rest);
  }
  if (sig === RESOURCE_REFERENCE_SIG) return typeof value["id"] === "string" && value["id"] !== "" ? value["id"] : value["urn"];
  if (sig === OUTPUT_VALUE_SIG) return "value" in value ? deserialize(value["value"]) : UNKNOWN_STRING;
  // As the engine does: a property whose value is undefined does not exist. A "__proto__" key is copied
  // the way it always was (by assignment, which sets the prototype), so results stay as they were. A copy
  // is started at the first key that needs one, with the keys before it (unchanged, defined, ordinary).
  const keys = Object.keys(value);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = value[k];
    const d = v === undefined ? v : deserialize(v);
    if (out === undefined && (d !== v || v === undefined || k === "__proto__")) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j] as string] = value[keys[j] as string];
    }
    if (out !== undefined && v !== undefined) out[k] = d;
  }
  return out ?? value;
}

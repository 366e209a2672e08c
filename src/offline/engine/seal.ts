import { secretPlaceholder } from "../snapshot/secrets";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE } from "../snapshot/types";

/**
 * Secrets as the SDK serializes them carry their plain value (`{ <sig>: <secret sig>, value }`).
 * Before anything is written they are "sealed": replaced by a placeholder ciphertext, and their
 * plain values collected so that the written file can be checked for leaks.
 */
type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSerializedSecret(value: unknown): value is Json {
  return isRecord(value) && value[SECRET_SIG_KEY] === SECRET_SIG_VALUE;
}

export function markSecret(value: unknown): unknown {
  return isSerializedSecret(value) ? value : { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, value };
}

export function containsSerializedSecret(value: unknown): boolean {
  if (isSerializedSecret(value)) return true;
  if (Array.isArray(value)) return value.some(containsSerializedSecret);
  return isRecord(value) && Object.values(value).some(containsSerializedSecret);
}

/**
 * The engine's rule for provider outputs: an output whose input of the same name was secret is
 * secret too, recursing into objects present on both sides.
 */
export function annotateSecrets(outputs: Json, inputs: Json): Json {
  const result: Json = { ...outputs };
  for (const [key, out] of Object.entries(outputs)) {
    if (!(key in inputs)) continue;
    const input = inputs[key];
    if (isSerializedSecret(input)) result[key] = markSecret(out);
    else if (isRecord(input) && isRecord(out) && !isSerializedSecret(out)) result[key] = annotateSecrets(out, input);
    else if (containsSerializedSecret(input)) result[key] = markSecret(out);
  }
  return result;
}

/**
 * The plain text a secret could leak as: a string or number itself; a structured secret as its JSON
 * (its leaves may be innocent words that occur elsewhere, so they are not searched for one by one).
 */
function collectPlain(value: unknown, into: Set<string>): void {
  if (typeof value === "string") into.add(value);
  else if (typeof value === "number") into.add(String(value));
  else if (typeof value === "object" && value !== null) into.add(JSON.stringify(value));
}

/** Replaces every serialized secret in `value` by a placeholder; plain values go into `plaintexts`. */
export function seal(value: unknown, owner: string, path: string, plaintexts: Set<string>): unknown {
  if (isSerializedSecret(value)) {
    if ("value" in value) collectPlain(value.value, plaintexts);
    return secretPlaceholder(owner, path);
  }
  if (Array.isArray(value)) return value.map((v, i) => seal(v, owner, `${path}[${i}]`, plaintexts));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, seal(v, owner, path === "" ? k : `${path}.${k}`, plaintexts)]));
  }
  return value;
}

/** What the engine returns for a custom resource: secret inputs and `additionalSecretOutputs` stay secret. */
export function engineOutputs(outputs: Json, inputs: Json, additionalSecretOutputs: readonly string[]): Json {
  const result = annotateSecrets(outputs, inputs);
  for (const key of additionalSecretOutputs) {
    if (key in result) result[key] = markSecret(result[key]);
  }
  return result;
}

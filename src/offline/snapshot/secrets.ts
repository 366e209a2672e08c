import { createHash } from "node:crypto";
import { SECRET_SIG_KEY, SECRET_SIG_VALUE, type SecretValue } from "./types";

/** True for a value written as a Pulumi secret object (in a snapshot or in a serialized property). */
export function isSecretValue(value: unknown): value is SecretValue {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG_VALUE;
}

/**
 * A secret as the offline engine writes it. The ciphertext is derived from where the secret sits
 * (resource and property path), never from its value: it reveals nothing, and stays stable across runs.
 * Real `pulumi stack export` files carry real ciphertexts here; readers treat both alike.
 */
export function secretPlaceholder(owner: string, path: string): SecretValue {
  const digest = createHash("sha256").update(`offline-placeholder\0${owner}\0${path}`).digest("base64");
  return { [SECRET_SIG_KEY]: SECRET_SIG_VALUE, ciphertext: `v1:offline:${digest}` } as SecretValue;
}

/** Whether a value holds a secret anywhere inside it. */
export function containsSecret(value: unknown): boolean {
  if (isSecretValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsSecret);
  return false;
}

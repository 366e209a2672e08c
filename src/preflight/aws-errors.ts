/** Reading AWS SDK v3 errors: their name (the service's error code) and HTTP status. */
export function errorName(err: unknown): string {
  return typeof err === "object" && err !== null && typeof (err as { name?: unknown }).name === "string" ? (err as { name: string }).name : "";
}

export function httpStatus(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return meta?.httpStatusCode;
}

/** HEAD answers (HeadBucket) carry no code: their 403 is "Forbidden", a verdict the caller reads itself. */
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "AuthorizationError"]);

/** The caller may not make this call: a finding ("grant the preflight policy"), not a crash. */
export function isAccessDenied(err: unknown): boolean {
  return ACCESS_DENIED.has(errorName(err));
}

const NO_CREDENTIALS = new Set([
  "CredentialsProviderError",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "TokenRefreshRequired",
]);

/** No usable credentials: the command cannot run at all (exit 2). */
export function isCredentialsError(err: unknown): boolean {
  return NO_CREDENTIALS.has(errorName(err));
}

/** A check could not run because the caller lacks a permission. */
export class AccessDeniedError extends Error {
  constructor(readonly action: string, cause: unknown) {
    super(`${action}: ${errorName(cause) || "access denied"}`);
    this.name = "AccessDeniedError";
  }
}

import { constants, gzipSync } from "node:zlib";

/**
 * User-data as EC2 carries it: gzip-compressed, then base64 (the instance's `userDataBase64`).
 *
 * Facts relied on:
 * - EC2: "User data is limited to 16 KB, in raw form, before it is base64-encoded" (EC2 User Guide, "Work with
 *   instance user data"), so what counts is the gzip bytes, not the script's text.
 * - cloud-init: "Gzip Compressed Content: content found to be gzip compressed will be uncompressed. The
 *   uncompressed data will then be used as if it were not compressed" (cloud-init documentation, "User data
 *   formats"); the script inside still starts with `#!` and runs as a user-data script.
 * - The AWS provider: gzip-compressed data goes in `userDataBase64`, never in `userData`, which the
 *   provider treats as UTF-8 text (pulumi-aws, ec2.Instance).
 *
 * gzip from Node's zlib writes no file name and a zero modification time, so the same script always gives
 * the same bytes (deterministic offline output).
 */
export const USER_DATA_LIMIT_BYTES = 16_384;

/** The gzip bytes of a script, as EC2 counts them. */
export function userDataPayload(script: string): Buffer {
  return gzipSync(Buffer.from(script, "utf8"), { level: constants.Z_BEST_COMPRESSION });
}

/**
 * `userDataBase64` for a script; throws, naming the host (`what`) and both sizes, when its gzip bytes exceed
 * EC2's limit.
 */
export function encodeUserData(script: string, what: string): string {
  const payload = userDataPayload(script);
  if (payload.length > USER_DATA_LIMIT_BYTES) {
    throw new Error(
      `user-data of ${what} is ${payload.length} bytes gzip-compressed (${Buffer.byteLength(script, "utf8")} as text): allowed: at most ${USER_DATA_LIMIT_BYTES} (EC2 limit, before base64); move large extra files elsewhere`,
    );
  }
  return payload.toString("base64");
}

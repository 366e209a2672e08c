import { text } from "../framework/props";
import { decodeUserData } from "./secret-scan";

/**
 * The script an instance runs at first boot, whichever field carries it: `userData` (text) or
 * `userDataBase64` (base64, possibly gzip-compressed, which cloud-init unpacks).
 */
export function instanceUserData(props: Readonly<Record<string, unknown>>): string {
  const plain = text(props["userData"]);
  if (plain !== undefined && plain !== "") return plain;
  const encoded = text(props["userDataBase64"]);
  return encoded === undefined || encoded === "" ? "" : decodeUserData(encoded, true);
}

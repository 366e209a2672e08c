import * as fs from "node:fs";
import { InputError } from "./input-error";

const MIB = 1024 * 1024;

/** "2 MiB" / "512 KiB" / "300 bytes": sizes in messages, in the units the limits are set in. */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${Number((bytes / MIB).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

/** The one-line error for a file the system would not let us read. */
export function unreadable(file: string, err: unknown): InputError {
  return new InputError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
}

/**
 * Opens a regular file of at most `maxBytes` for reading and returns its descriptor (the caller closes
 * it) and size. A FIFO, a device or a directory is refused before it is opened for reading (reading
 * `/dev/zero` or a pipe would never end), and the size is checked on the open descriptor, so a file
 * swapped in after the check cannot slip through.
 */
export function openBoundedFile(file: string, maxBytes: number, what: string): { readonly fd: number; readonly size: number } {
  let fd: number;
  try {
    if (!fs.statSync(file).isFile()) throw new InputError(file, `not a regular file; allowed: a ${what} file`);
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw unreadable(file, err);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new InputError(file, `not a regular file; allowed: a ${what} file`);
    if (stat.size > maxBytes) throw new InputError(file, `${formatBytes(stat.size)} is larger than the ${formatBytes(maxBytes)} allowed for a ${what} file`);
    return { fd, size: stat.size };
  } catch (err) {
    fs.closeSync(fd);
    if (err instanceof InputError) throw err;
    throw unreadable(file, err);
  }
}

/** The text of a regular file of at most `maxBytes` (see openBoundedFile), without a UTF-8 byte-order mark. */
export function readBoundedText(file: string, maxBytes: number, what: string): string {
  const { fd, size } = openBoundedFile(file, maxBytes, what);
  try {
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = fs.readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buffer.toString("utf8", 0, read);
    // A UTF-8 byte-order mark is not content (the Pulumi CLI strips it from stack files too).
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw unreadable(file, err);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The files the program ships to its hosts, as records read out of a stack snapshot. Host tests run
 * these (never a second rendering of them), and `npm run proof-coverage` counts which ones met their
 * real daemon.
 */

/** How a text reaches a host: EC2 user-data, an SSM Command document, or an SSM parameter a host fetches. */
export type Carrier = "user-data" | "ssm-document" | "ssm-parameter";

/** What a record is: a file some script or cloud-config writes, or the script/document that carries files. */
export type HostFileKind = "file" | "bootstrap";

export interface HostFileSource {
  /** The resource whose property holds the text. */
  readonly urn: string;
  /** The property of that resource (`userData`, `content`, `value`). */
  readonly property: string;
  readonly carrier: Carrier;
  /** Paths of the enclosing files, outermost first: a file written by a script written by the carrier. */
  readonly via: readonly string[];
}

export interface HostFile {
  readonly stack: string;
  /** The kind of host, from the component that owns it: `database-host`, `egress-proxy`, ... */
  readonly hostRole: string;
  /** The host resource's logical name (one role may have several hosts, e.g. one per data domain). */
  readonly host: string;
  /**
   * Absolute path on the host for files; for bootstraps, `<carrier>:<name>` (the text is run, not kept
   * at a path of ours: cloud-init, the SSM agent and the fetching script put it where they like).
   */
  readonly path: string;
  readonly kind: HostFileKind;
  readonly content: string;
  /** Octal mode as written (`0644`); for bootstraps the mode they are run with (`0700`). */
  readonly mode: string;
  /** `user:group`. */
  readonly owner: string;
  readonly source: HostFileSource;
}

/** The unit the coverage figure counts: one path of one host role in one stack. */
export function hostFileKey(file: Pick<HostFile, "stack" | "hostRole" | "path">): string {
  return `${file.stack} ${file.hostRole} ${file.path}`;
}

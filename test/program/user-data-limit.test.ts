/**
 * Every host's user-data in dev and prod fits EC2's limit with room to grow: 16 KiB of raw bytes before
 * base64 (EC2 User Guide, "Work with instance user data"), measured on what the snapshot ships (the gzip
 * bytes of `userDataBase64`, the text of `userData`, a launch template's decoded `userData`). The margin
 * keeps a routine addition (another egress exception, a longer script) from failing a launch.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { USER_DATA_LIMIT_BYTES } from "../../src/conventions/user-data";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";

/** At most this share of the limit may be used by any host: a fifth stays free. */
const MARGIN = 0.8;
/** The database and consensus hosts ship gzip (src/conventions/user-data.ts): they keep half free. */
const DATABASE_MARGIN = 0.5;
const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

const snapshots: Record<string, StackExport> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
}, 600_000);

/** The bytes EC2 stores for a resource's user-data, or undefined when it has none. */
function payloadBytes(r: ResourceState): number | undefined {
  const input = (key: string) => (typeof r.inputs?.[key] === "string" && r.inputs[key] !== "" ? (r.inputs[key] as string) : undefined);
  if (r.type === INSTANCE) {
    const base64 = input("userDataBase64");
    if (base64 !== undefined) return Buffer.from(base64, "base64").length;
    const text = input("userData");
    return text === undefined ? undefined : Buffer.byteLength(text, "utf8");
  }
  const base64 = input("userData");
  return base64 === undefined ? undefined : Buffer.from(base64, "base64").length;
}

describe.each(["dev", "prod"])("user-data of every host in %s", (stack) => {
  it(`uses at most ${MARGIN * 100} % of EC2's ${USER_DATA_LIMIT_BYTES} bytes (database hosts ${DATABASE_MARGIN * 100} %)`, () => {
    const hosts = (snapshots[stack] as StackExport).deployment.resources.filter((r) => r.type === INSTANCE || r.type === LAUNCH_TEMPLATE);
    const sizes = hosts.map((r) => ({ host: r.urn.split("::").pop() ?? r.urn, bytes: payloadBytes(r) }));
    const carrying = sizes.filter((s): s is { host: string; bytes: number } => s.bytes !== undefined);
    // Every database, consensus and proxy host boots from user-data: none may slip out of the check.
    for (const name of [/^databases-.*-host$/, /^egress-lt$/]) expect(carrying.some((s) => name.test(s.host)), String(name)).toBe(true);
    if (stack === "prod") expect(carrying.filter((s) => /^databases-consensus-etcd-[a-z]-host$/.test(s.host))).toHaveLength(3);
    const over = carrying.filter((s) => s.bytes > USER_DATA_LIMIT_BYTES * (/^databases-/.test(s.host) ? DATABASE_MARGIN : MARGIN));
    expect(over, JSON.stringify(carrying)).toEqual([]);
  });
});

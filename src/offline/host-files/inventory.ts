import type { ResourceState, StackExport } from "../snapshot/types";
import { parseUrn } from "../snapshot/urn";
import { type CarrierText, documentSteps, parameterValue, SSM_DOCUMENT, SSM_PARAMETER, type SealedCarrier, userDataOf } from "./carriers";
import { filesWrittenByCloudConfig, isCloudConfig } from "./cloud-config";
import { filesWrittenByScript } from "./shell-writes";
import type { HostFile } from "./types";

/**
 * Every file the stack ships to its hosts, read out of a snapshot (pure). Carriers are the user-data of
 * instances and launch templates, the shell steps of SSM Command documents and SSM parameters holding
 * a script or named by a host's script. Each carrier is a record (`bootstrap`), and so is every file it
 * writes (`file`), recursively: a script written by a carrier is read for the files it writes in turn.
 *
 * A document or parameter belongs to the host whose shipped text names it; failing that, to the one
 * host of the component it sits in. What belongs to no host is reported, not guessed.
 */
export interface UnreadableCarrier {
  readonly stack: string;
  readonly hostRole: string;
  readonly host: string;
  readonly path: string;
  readonly urn: string;
  readonly property: string;
  readonly reason: string;
}

export interface HostFileInventory {
  readonly files: HostFile[];
  /** Carriers a host uses whose text the snapshot does not show; their files cannot be listed. */
  readonly unreadable: UnreadableCarrier[];
}

/** Role of a host: its owning component's type (`fitness:databases:DatabaseHost` → `database-host`). */
export function hostRoleOf(resource: ResourceState): string {
  const parsed = parseUrn(resource.urn);
  const owner = parsed.parentTypes[parsed.parentTypes.length - 1] ?? parsed.type;
  const last = owner.split(/[:/]/).pop() ?? owner;
  return last.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

const MAX_DEPTH = 6;
/** Scripts that this reader understands as shell: bash and POSIX sh. */
const isShell = (text: string): boolean => /^#!\s*(\/usr)?\/bin\/(env\s+)?(ba)?sh\b/.test(text);

interface HostRef {
  readonly stack: string;
  readonly hostRole: string;
  readonly host: string;
}

/** Files a carrier's text writes, recursively, as records (without the carrier's own record). */
function nestedFiles(ref: HostRef, carrier: CarrierText, text: string, via: readonly string[], shellByDefault: boolean, depth: number): HostFile[] {
  if (depth > MAX_DEPTH) return [];
  const written = isCloudConfig(text) ? filesWrittenByCloudConfig(text) : shellByDefault || isShell(text) ? filesWrittenByScript(text) : [];
  // A path written twice ends up with the last content.
  const last = new Map(written.map((w) => [w.path, w]));
  const out: HostFile[] = [];
  for (const w of last.values()) {
    out.push({
      ...ref,
      path: w.path,
      kind: "file",
      content: w.content,
      mode: w.mode,
      owner: w.owner,
      source: { urn: carrier.resource.urn, property: carrier.property, carrier: carrier.carrier, via },
    });
    out.push(...nestedFiles(ref, carrier, w.content, [...via, w.path], false, depth + 1));
  }
  return out;
}

function carrierRecords(ref: HostRef, carrier: CarrierText): HostFile[] {
  // How the text is run: cloud-init runs user-data scripts, the SSM agent its steps, the fetching script a
  // parameter; each as root from a private file.
  const own: HostFile = {
    ...ref,
    path: carrier.path,
    kind: "bootstrap",
    content: carrier.text,
    mode: "0700",
    owner: "root:root",
    source: { urn: carrier.resource.urn, property: carrier.property, carrier: carrier.carrier, via: [] },
  };
  return [own, ...nestedFiles(ref, carrier, carrier.text, [carrier.path], carrier.carrier === "ssm-document", 0)];
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9/_.-])${escaped}($|[^A-Za-z0-9/_.-])`, "m").test(text);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function hostFileInventory(snapshot: StackExport): HostFileInventory {
  const resources = snapshot.deployment.resources.filter((r) => r.delete !== true);
  const hosts = resources.flatMap((r) => {
    const userData = userDataOf(r);
    if (userData === undefined) return [];
    const parsed = parseUrn(r.urn);
    const ref: HostRef = { stack: parsed.stack, hostRole: hostRoleOf(r), host: parsed.name };
    const records = carrierRecords(ref, userData);
    return [{ resource: r, ref, records, userData: userData.text.replace(/\n$/, ""), text: records.map((f) => f.content).join("\n") }];
  });

  const files: HostFile[] = hosts.flatMap((h) => h.records);
  const unreadable: UnreadableCarrier[] = [];
  const owners = (resource: ResourceState, name: string | undefined, text = ""): HostRef[] => {
    const naming = name === undefined ? [] : hosts.filter((h) => mentions(h.text, name));
    if (naming.length > 0) return naming.map((h) => h.ref);
    const siblings = hosts.filter((h) => resource.parent !== undefined && h.resource.parent === resource.parent);
    if (siblings.length === 1) return [siblings[0]?.ref as HostRef];
    // A document that carries a host's whole user-data (the same bootstrap, run again) is that host's.
    const carrying = hosts.filter((h) => text !== "" && text.includes(h.userData));
    return carrying.length === 1 ? [carrying[0]?.ref as HostRef] : [];
  };
  const unattributed = (resource: ResourceState): HostRef => ({ stack: parseUrn(resource.urn).stack, hostRole: "unattributed", host: "" });

  for (const r of resources) {
    if (r.type === SSM_DOCUMENT) {
      for (const step of documentSteps(r)) {
        const refs = owners(r, step.name, step.text);
        for (const ref of refs.length > 0 ? refs : [unattributed(r)]) files.push(...carrierRecords(ref, step));
      }
    } else if (r.type === SSM_PARAMETER) {
      const value = parameterValue(r);
      if (value === undefined) continue;
      if ("sealed" in value) {
        const sealed: SealedCarrier = value.sealed;
        for (const ref of owners(r, sealed.name)) {
          unreadable.push({ ...ref, path: sealed.path, urn: r.urn, property: sealed.property, reason: sealed.reason });
        }
        continue;
      }
      const refs = owners(r, value.carrier.name);
      const script = isShell(value.carrier.text) || isCloudConfig(value.carrier.text);
      // A parameter no host names and that is no script is data for someone else (a register, a setting).
      const named = refs.length > 0 && (value.carrier.name === undefined || hosts.some((h) => mentions(h.text, value.carrier.name as string)));
      if (!named && !script) continue;
      for (const ref of named ? refs : [unattributed(r)]) files.push(...carrierRecords(ref, value.carrier));
    }
  }

  files.sort(
    (a, b) =>
      compare(a.stack, b.stack) ||
      compare(a.hostRole, b.hostRole) ||
      compare(a.host, b.host) ||
      compare(a.path, b.path) ||
      compare(a.source.urn, b.source.urn) ||
      compare(a.source.via.join("\n"), b.source.via.join("\n")),
  );
  unreadable.sort((a, b) => compare(a.stack, b.stack) || compare(a.hostRole, b.hostRole) || compare(a.host, b.host) || compare(a.path, b.path));
  return { files, unreadable };
}

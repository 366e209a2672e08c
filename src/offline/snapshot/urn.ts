/**
 * URNs as the Pulumi engine builds them: `urn:pulumi:<stack>::<project>::<qualifiedType>::<name>`,
 * where the qualified type is the parent's qualified type, `$`, and the resource's own type. Children
 * of the root stack resource carry no `pulumi:pulumi:Stack$` prefix.
 */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface ParsedUrn {
  readonly stack: string;
  readonly project: string;
  /** `parentType$...$type`, as written in the URN. */
  readonly qualifiedType: string;
  /** The resource's own type token (the last segment of the qualified type). */
  readonly type: string;
  /** Types of the ancestors, outermost first (the root stack is never listed). */
  readonly parentTypes: string[];
  readonly name: string;
}

const PREFIX = "urn:pulumi:";

export function makeUrn(args: { stack: string; project: string; type: string; name: string; parentUrn?: string }): string {
  let qualifiedType = args.type;
  if (args.parentUrn !== undefined && args.parentUrn !== "") {
    const parent = parseUrn(args.parentUrn);
    if (parent.type !== ROOT_STACK_TYPE) qualifiedType = `${parent.qualifiedType}$${args.type}`;
  }
  return `${PREFIX}${args.stack}::${args.project}::${qualifiedType}::${args.name}`;
}

export function parseUrn(urn: string): ParsedUrn {
  if (!urn.startsWith(PREFIX)) throw new Error(`not a Pulumi URN: "${urn}"`);
  const parts = urn.slice(PREFIX.length).split("::");
  if (parts.length < 4) throw new Error(`not a Pulumi URN (expected stack::project::type::name): "${urn}"`);
  const [stack, project, qualifiedType] = parts as [string, string, string];
  // A name may itself contain "::"; everything after the type belongs to it.
  const name = parts.slice(3).join("::");
  const segments = qualifiedType.split("$");
  return {
    stack,
    project,
    qualifiedType,
    type: segments[segments.length - 1] as string,
    parentTypes: segments.slice(0, -1),
    name,
  };
}

/** A provider reference as stored in `provider` fields: `<provider urn>::<provider id>`. */
export function providerReference(urn: string, id: string): string {
  return `${urn}::${id}`;
}

export function parseProviderReference(ref: string): { urn: string; id: string } {
  const at = ref.lastIndexOf("::");
  if (at < 0) throw new Error(`not a provider reference (expected <urn>::<id>): "${ref}"`);
  return { urn: ref.slice(0, at), id: ref.slice(at + 2) };
}

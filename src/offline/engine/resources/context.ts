import { charsFrom, hexFrom, uuidFrom } from "../deterministic";

/** What a resource mock knows about the resource being created. */
export interface ResourceContext {
  readonly type: string;
  /** The logical name given in the program. */
  readonly name: string;
  readonly urn: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Region of the resource's provider (explicit, or the stack's `aws:region`). */
  readonly region: string;
  readonly account: string;
  /** Tags the resource's AWS provider adds to every resource (`defaultTags`). */
  readonly defaultTags: Readonly<Record<string, string>>;
}

/** The id and the output state a mocked resource gets: its inputs plus what the cloud would compute. */
export interface MockedResource {
  readonly id: string;
  readonly state: Record<string, unknown>;
}

/** Deterministic stand-ins, all derived from the resource's URN. */
export interface Fakes {
  hex(length: number, salt?: string): string;
  digits(length: number, salt?: string): string;
  upper(length: number, salt?: string): string;
  uuid(salt?: string): string;
  /** What Pulumi's auto-naming would produce: `<logical name>-<7 hex>`. */
  autoName(maxLength?: number): string;
}

export function fakesFor(ctx: ResourceContext): Fakes {
  return {
    hex: (length, salt = "") => hexFrom(length, ctx.urn, salt),
    digits: (length, salt = "") => charsFrom("0123456789", length, ctx.urn, salt),
    upper: (length, salt = "") => charsFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", length, ctx.urn, salt),
    uuid: (salt = "") => uuidFrom(ctx.urn, salt),
    autoName: (maxLength) => {
      const suffix = `-${hexFrom(7, ctx.urn, "autoname")}`;
      const base = maxLength === undefined ? ctx.name : ctx.name.slice(0, maxLength - suffix.length);
      return `${base}${suffix}`;
    },
  };
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

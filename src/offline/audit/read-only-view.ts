import { UNKNOWN_SENTINELS } from "../../../policy/framework/props";
import { EncryptedSecret, UNKNOWN_KINDS, UnknownValueError } from "./values";

/**
 * Property values shared by every policy of an audit, read-only. The Pulumi engine deserializes a fresh
 * copy of every resource for each stack policy, so a policy that changed what it was given changed only
 * its copy; building that copy 47 times was a third of the audit's CPU. Here all policies read one copy
 * through these views, and any attempt to change it (set, define, delete, change the prototype) throws,
 * so no policy can alter what another sees.
 *
 * A view is a Proxy over an empty stand-in ("shadow") of the same kind, answering from the real value:
 * a Proxy over the real object could not wrap nested objects once the object was frozen (proxy
 * invariants), and freezing is what would make it unchangeable. Reading through a checking view behaves
 * like `@pulumi/policy`'s unknownCheckingProxy: a value unknown during preview (or an encrypted secret)
 * throws UnknownValueError where it is read, nested objects come back as views. Property descriptors
 * (`Object.getOwnPropertyDescriptor`, which the policies use to peek at a value without tripping the
 * check) hand out raw views: no check, still read-only.
 */
function refuse(what: string): never {
  throw new TypeError(`resource properties are read-only for policies (they are shared by every policy of the audit): cannot ${what}`);
}

type Kind = "checking" | "raw";

const views: Record<Kind, WeakMap<object, object>> = { checking: new WeakMap(), raw: new WeakMap() };

function shadowOf(target: object): object {
  return Array.isArray(target) ? [] : Object.create(Object.getPrototypeOf(target) as object | null);
}

function isObjectValue(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function view(target: object, kind: Kind, path: readonly string[]): object {
  const cached = views[kind].get(target);
  if (cached !== undefined) return cached;
  const made = new Proxy(shadowOf(target), {
    get: (_shadow, prop) => {
      const field: unknown = Reflect.get(target, prop);
      if (!isObjectValue(field) && kind === "raw") return field;
      const step = typeof prop === "string" ? [...path, prop] : path;
      if (kind === "checking") {
        if (typeof field === "string" && UNKNOWN_SENTINELS.has(field)) throw new UnknownValueError(UNKNOWN_KINDS[field] ?? "unknown", step);
        if (field instanceof EncryptedSecret) throw new UnknownValueError("encrypted secret", step);
      }
      return isObjectValue(field) ? view(field, kind, step) : field;
    },
    has: (_shadow, prop) => Reflect.has(target, prop),
    ownKeys: () => Reflect.ownKeys(target),
    getOwnPropertyDescriptor: (shadow, prop) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, prop);
      if (descriptor === undefined) return undefined;
      if (isObjectValue(descriptor.value)) descriptor.value = view(descriptor.value, "raw", typeof prop === "string" ? [...path, prop] : path);
      // Proxy invariant: only a property the shadow has as non-configurable (an array's length) may be reported so.
      if (!Reflect.getOwnPropertyDescriptor(shadow, prop)) descriptor.configurable = true;
      return descriptor;
    },
    set: (_shadow, prop) => refuse(`set ${String(prop)}`),
    defineProperty: (_shadow, prop) => refuse(`define ${String(prop)}`),
    deleteProperty: (_shadow, prop) => refuse(`delete ${String(prop)}`),
    setPrototypeOf: () => refuse("change a prototype"),
    preventExtensions: () => refuse("prevent extensions"),
  });
  views[kind].set(target, made);
  return made;
}

/** A read-only, unknown-checking view of deserialized properties (see above). */
export function readOnlyProps(props: Record<string, unknown>): Record<string, unknown> {
  return view(props, "checking", []) as Record<string, unknown>;
}

/** Freezes an object made of plain objects and arrays all the way down (resource options, link lists). */
export function deepFreeze<T>(value: T): T {
  if (isObjectValue(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key]);
  }
  return value;
}

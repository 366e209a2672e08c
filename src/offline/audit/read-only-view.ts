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

/**
 * Told of every read of a resource's top-level properties through a checking view made with an owner:
 * the auditor counts a rule's scope as the resources whose configuration it read (scope.ts). Set by the
 * runner around each policy; undefined otherwise. Nested reads pass through the top level first.
 */
let readHook: ((owner: string) => void) | undefined;

export function onPropertyRead(hook: ((owner: string) => void) | undefined): void {
  readHook = hook;
}

const views: Record<Kind, WeakMap<object, object>> = { checking: new WeakMap(), raw: new WeakMap() };

function isObjectValue(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/**
 * One handler per view, its traps on the prototype: views are kept for the whole audit (each policy
 * reads the same objects again), so they must be small. The path (for UnknownValueError) is kept as a
 * link to the parent view and only spelled out when a value is unknown.
 */
class ViewHandler implements ProxyHandler<object> {
  constructor(
    private readonly target: object,
    private readonly kind: Kind,
    private readonly parent: ViewHandler | undefined,
    private readonly step: string | undefined,
    private readonly owner?: string,
  ) {}

  private steps(): string[] {
    const above = this.parent?.steps() ?? [];
    return this.step === undefined ? above : [...above, this.step];
  }

  private path(last: string | symbol): string[] {
    return typeof last === "string" ? [...this.steps(), last] : this.steps();
  }

  private child(value: object, kind: Kind, prop: string | symbol): object {
    return viewOf(value, kind, this, typeof prop === "string" ? prop : undefined);
  }

  get(_shadow: object, prop: string | symbol): unknown {
    if (this.owner !== undefined && readHook !== undefined) readHook(this.owner);
    const field: unknown = Reflect.get(this.target, prop);
    if (this.kind === "checking") {
      if (typeof field === "string" && UNKNOWN_SENTINELS.has(field)) throw new UnknownValueError(UNKNOWN_KINDS[field] ?? "unknown", this.path(prop));
      if (field instanceof EncryptedSecret) throw new UnknownValueError("encrypted secret", this.path(prop));
    }
    return isObjectValue(field) ? this.child(field, this.kind, prop) : field;
  }

  has(_shadow: object, prop: string | symbol): boolean {
    return Reflect.has(this.target, prop);
  }

  ownKeys(): ArrayLike<string | symbol> {
    return Reflect.ownKeys(this.target);
  }

  getOwnPropertyDescriptor(shadow: object, prop: string | symbol): PropertyDescriptor | undefined {
    const descriptor = Reflect.getOwnPropertyDescriptor(this.target, prop);
    if (descriptor === undefined) return undefined;
    if (isObjectValue(descriptor.value)) descriptor.value = this.child(descriptor.value, "raw", prop);
    // Proxy invariant: only a property the shadow has as non-configurable (an array's length) may be reported so.
    // An object's shadow never has a property of its own (every trap that would add one refuses).
    if (!Array.isArray(shadow) || Reflect.getOwnPropertyDescriptor(shadow, prop) === undefined) descriptor.configurable = true;
    return descriptor;
  }

  set(_shadow: object, prop: string | symbol): boolean {
    return refuse(`set ${String(prop)}`);
  }

  defineProperty(_shadow: object, prop: string | symbol): boolean {
    return refuse(`define ${String(prop)}`);
  }

  deleteProperty(_shadow: object, prop: string | symbol): boolean {
    return refuse(`delete ${String(prop)}`);
  }

  setPrototypeOf(): boolean {
    return refuse("change a prototype");
  }

  preventExtensions(): boolean {
    return refuse("prevent extensions");
  }
}

function viewOf(target: object, kind: Kind, parent: ViewHandler | undefined, step: string | undefined, owner?: string): object {
  const cached = views[kind].get(target);
  if (cached !== undefined) return cached;
  const shadow = Array.isArray(target) ? [] : (Object.create(Object.getPrototypeOf(target) as object | null) as object);
  const made = new Proxy(shadow, new ViewHandler(target, kind, parent, step, owner));
  views[kind].set(target, made);
  return made;
}

/** A read-only, unknown-checking view of deserialized properties (see above). */
export function readOnlyProps(props: Record<string, unknown>, owner?: string): Record<string, unknown> {
  return viewOf(props, "checking", undefined, undefined, owner) as Record<string, unknown>;
}

/** Freezes an object made of plain objects and arrays all the way down (resource options, link lists). */
export function deepFreeze<T>(value: T): T {
  if (isObjectValue(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key]);
  }
  return value;
}

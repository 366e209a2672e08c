/**
 * Imported for its effect, before anything loads `@pulumi/pulumi`: defers two modules the SDK loads
 * on import but calls only to serialize functions (`pulumi.runtime.serializeFunction`,
 * `computeCodePaths`), which neither the program nor the offline engine ever does.
 *
 * What loads them, in `@pulumi/pulumi` 3.248.0 (read in node_modules): `index.js` requires `./runtime`,
 * whose `runtime/index.js` requires `./closure/serializeClosure` (→ `createClosure.js` →
 * `parseFunction.js`, which requires `../../typescript-shim` at its top: `require("typescript")`, 9 MB,
 * else the vendored TypeScript 3.8.3) and `./closure/codePaths` (which requires `@npmcli/arborist` at its
 * top: 48 modules and ~60 more of its dependencies). Both are only used inside functions: `ts.` in
 * parseFunction's, utils' and rewriteSuper's function bodies; `arborist.Arborist` once, inside
 * `computeCodePaths`. Measured: together about 0.7 s of CPU per synth.
 *
 * How: Node's documented module cache (nodejs.org/api/modules.html, `require.cache`: "Adding or
 * replacing entries is also possible"). Each module's cache entry is pre-filled with a stand-in whose
 * first property access requires the real module (removing the stand-in first, so every later
 * `require` gets the real one) and forwards to it from then on. The arborist stand-in answers
 * `__esModule` itself: codePaths imports it through TypeScript's `__importStar`, which would otherwise
 * copy every property (and so load it) at once; with `__esModule` the helper keeps the stand-in, and
 * `arborist.Arborist` reaches the real class on first use (a namespace, not the class itself: codePaths is
 * the module's only consumer in a synth, and the stand-in leaves the cache at first use).
 *
 * Checked against the installed SDK: nothing is deferred unless `@pulumi/pulumi` is exactly the version
 * whose sources were read, and not yet loaded. Anything else leaves loading as it was.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

/** The `@pulumi/pulumi` version whose `runtime/closure` sources the facts above were read from. */
export const DEFERRAL_CHECKED_SDK_VERSION = "3.248.0";

/** Files of the SDK's closure serializer that load the deferred modules at their top. */
const SDK_CONSUMERS = ["runtime/closure/codePaths.js", "runtime/closure/parseFunction.js"] as const;

interface Deferred {
  /** Absolute filename of the module to defer, as `require.cache` keys it. */
  readonly filename: string;
  /** Whether the stand-in presents itself as an ES module namespace (see `__importStar` above). */
  readonly namespace: boolean;
}

function sdkRoot(): string | undefined {
  try {
    return path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  } catch {
    return undefined;
  }
}

function deferredModules(root: string): Deferred[] {
  const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version?: string }).version;
  if (version !== DEFERRAL_CHECKED_SDK_VERSION) return [];
  if (SDK_CONSUMERS.some((f) => require.cache[path.join(root, f)] !== undefined)) return [];
  const fromCodePaths = Module.createRequire(path.join(root, SDK_CONSUMERS[0]));
  return [
    { filename: fromCodePaths.resolve("@npmcli/arborist"), namespace: true },
    { filename: path.join(root, "typescript-shim.js"), namespace: false },
  ];
}

function standIn(deferred: Deferred, entry: Module): object {
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      if (require.cache[deferred.filename] === entry) delete require.cache[deferred.filename];
      real = Module.createRequire(deferred.filename)(deferred.filename) as object;
    }
    return real;
  };
  // The target stays an empty, extensible object, so the proxy may report any property the real module has.
  return new Proxy(
    {},
    {
      get: (_t, key) => {
        if (deferred.namespace && key === "__esModule") return true;
        if (deferred.namespace && key === "default") return load();
        return Reflect.get(load(), key);
      },
      has: (_t, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_t, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        // A proxy may not report a property non-configurable that its target lacks.
        return d === undefined ? undefined : { ...d, configurable: true };
      },
      set: (_t, key, value) => Reflect.set(load(), key, value),
    },
  );
}

/** Installs the stand-ins; returns the filenames deferred (empty when the SDK is not the checked version). */
export function deferClosureModules(): string[] {
  const root = sdkRoot();
  if (root === undefined) return [];
  const deferred = deferredModules(root).filter((d) => require.cache[d.filename] === undefined);
  for (const d of deferred) {
    const entry = new Module(d.filename);
    entry.filename = d.filename;
    entry.loaded = true;
    entry.exports = standIn(d, entry);
    require.cache[d.filename] = entry;
  }
  return deferred.map((d) => d.filename);
}

deferClosureModules();

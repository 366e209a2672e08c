import { NO_OPTIONS, type Recorder, type Registration } from "./recorder";
import { recordedOptions, sourcePosition, type OptionsRequestLike, type SourcePositionLike } from "./resource-options";
import { containsSerializedSecret, engineOutputs } from "./seal";

/**
 * Observes Pulumi's mock resource monitor. The SDK sends every registration through it (type, name,
 * parent, inputs, dependencies, options); we record each one, and answer with the URN the real engine
 * would assign (full parent type chain), which the mock monitor does not build.
 *
 * The request objects are the SDK's protobuf messages; only the accessors used here are declared.
 */
interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
interface PropertyDependenciesLike {
  getUrnsList(): string[];
}
interface RegisterResourceRequestLike extends OptionsRequestLike {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): StructLike | undefined;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getProvider(): string;
  getPropertydependenciesMap(): { forEach(callback: (value: PropertyDependenciesLike, key: string) => void): void };
  getVersion(): string;
  getAdditionalsecretoutputsList(): string[];
  getImportid(): string;
  getRetainondelete(): boolean | undefined;
  getDeletedwith(): string;
}
interface RegisterResourceResponseLike {
  setUrn(urn: string): void;
  getId(): string;
  getObject(): StructLike | undefined;
  setObject(value: StructLike): void;
}
interface ReadResourceRequestLike {
  getId(): string;
  getType(): string;
  getName(): string;
  getParent(): string;
  getProperties(): StructLike | undefined;
  getDependenciesList(): string[];
  getProvider(): string;
  getVersion(): string;
  getAdditionalsecretoutputsList(): string[];
  getSourceposition(): SourcePositionLike | undefined;
}
interface ReadResourceResponseLike {
  setUrn(urn: string): void;
  getProperties(): StructLike | undefined;
  setProperties(value: StructLike): void;
}
interface RegisterResourceOutputsRequestLike {
  getUrn(): string;
  getOutputs(): StructLike | undefined;
}
interface InvokeRequestLike {
  getTok(): string;
  getProvider(): string;
  getVersion(): string;
}
type Callback<T> = (err: unknown, response: T | undefined) => void;

/** The mock monitor as `pulumi.runtime.getMonitor()` returns it after `setMocks`. */
export interface MockMonitorLike {
  registerResource(req: RegisterResourceRequestLike, callback: Callback<RegisterResourceResponseLike>): unknown;
  readResource(req: ReadResourceRequestLike, callback: Callback<ReadResourceResponseLike>): unknown;
  registerResourceOutputs(req: RegisterResourceOutputsRequestLike, callback: Callback<object>): unknown;
  invoke(req: InvokeRequestLike, callback: Callback<unknown>): unknown;
  /** The mock monitor's own table, used to answer `getResource`; we key it by our URNs too. */
  readonly resources?: Map<string, { urn: string; id: string | null; state: unknown }>;
}

function isMockMonitor(value: unknown): value is MockMonitorLike {
  const m = value as Partial<Record<keyof MockMonitorLike, unknown>> | undefined;
  return (
    m !== undefined &&
    typeof m.registerResource === "function" &&
    typeof m.readResource === "function" &&
    typeof m.registerResourceOutputs === "function" &&
    typeof m.invoke === "function"
  );
}

/** A protobuf Struct of the same class as `like` (the SDK's own copy of google-protobuf). */
function structLike(like: StructLike, value: Record<string, unknown>): StructLike {
  return (like.constructor as unknown as { fromJavaScript(v: Record<string, unknown>): StructLike }).fromJavaScript(value);
}

/**
 * The mock monitor echoes state without secret marks; the real engine returns secret inputs and
 * `additionalSecretOutputs` (a random password's result) as secrets, so the program sees them so.
 * `struct` is the response's replacement, undefined when the engine's rule marks nothing: with no secret
 * input and no additional secret output, `engineOutputs` returns the state unchanged, and encoding it
 * again (most resources) was 1-2 % of a synth.
 */
function withEngineSecrets(registration: Registration, struct: StructLike | undefined): { outputs: Record<string, unknown>; struct: StructLike | undefined } {
  const raw = struct?.toJavaScript() ?? {};
  if (struct === undefined) return { outputs: raw, struct };
  if (registration.additionalSecretOutputs.length === 0 && !containsSerializedSecret(registration.inputs)) return { outputs: raw, struct: undefined };
  const outputs = engineOutputs(raw, registration.inputs, registration.additionalSecretOutputs);
  return { outputs, struct: structLike(struct, outputs) };
}

function packageOf(type: string): string {
  return type.split(":")[0] ?? type;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function propertyDependencies(req: RegisterResourceRequestLike): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    out[key] = value.getUrnsList();
  });
  return out;
}

export function instrumentMonitor(candidate: unknown, recorder: Recorder): void {
  if (!isMockMonitor(candidate)) {
    throw new Error("offline engine: pulumi.runtime.getMonitor() is not the mock monitor after setMocks (unsupported @pulumi/pulumi version?)");
  }
  const monitor = candidate;
  const register = monitor.registerResource.bind(monitor);
  const read = monitor.readResource.bind(monitor);
  const invoke = monitor.invoke.bind(monitor);

  const begin = (registration: Registration, run: () => unknown): unknown => {
    recorder.registrations.set(registration.urn, registration);
    // The mock monitor calls the mocks synchronously, before its first await: they see this registration.
    recorder.current = registration;
    try {
      return run();
    } finally {
      recorder.current = undefined;
    }
  };

  const fail = (urn: string, err: unknown): void => {
    recorder.errors.push(`${urn}: ${messageOf(err)}`);
  };

  monitor.registerResource = (req, callback) => {
    const type = req.getType();
    const parent = req.getParent() || undefined;
    const urn = recorder.urnFor(type, req.getName(), parent);
    if (recorder.registrations.has(urn)) {
      const message = `Duplicate resource URN '${urn}'; try giving it a unique name`;
      recorder.errors.push(message);
      callback(new Error(message), undefined);
      return undefined;
    }
    const custom = req.getCustom();
    const isProvider = type.startsWith("pulumi:providers:");
    const explicit = req.getProvider() || undefined;
    const registration: Registration = {
      urn,
      type,
      name: req.getName(),
      custom,
      parent,
      inputs: req.getObject()?.toJavaScript() ?? {},
      outputs: {},
      id: undefined,
      dependencies: req.getDependenciesList(),
      propertyDependencies: propertyDependencies(req),
      provider: custom && !isProvider ? (explicit ?? recorder.defaultProviderReference(packageOf(type), req.getVersion())) : undefined,
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      deletedWith: req.getDeletedwith() || undefined,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      options: recordedOptions(req),
      sourcePosition: sourcePosition(req.getSourceposition(), recorder.projectRoot),
      external: false,
      importId: req.getImportid() || undefined,
    };
    return begin(registration, () =>
      register(req, (err, response) => {
        if (err !== null && err !== undefined) {
          fail(urn, err);
        } else if (response !== undefined) {
          response.setUrn(urn);
          registration.id = custom ? response.getId() || undefined : undefined;
          if (custom) {
            const sealed = withEngineSecrets(registration, response.getObject());
            registration.outputs = sealed.outputs;
            if (sealed.struct !== undefined) response.setObject(sealed.struct);
          } else {
            registration.outputs = response.getObject()?.toJavaScript() ?? {};
          }
          monitor.resources?.set(urn, { urn, id: registration.id ?? null, state: registration.outputs });
        }
        callback(err, response);
      }),
    );
  };

  monitor.readResource = (req, callback) => {
    const type = req.getType();
    const parent = req.getParent() || undefined;
    const urn = recorder.urnFor(type, req.getName(), parent);
    const registration: Registration = {
      urn,
      type,
      name: req.getName(),
      custom: true,
      parent,
      inputs: req.getProperties()?.toJavaScript() ?? {},
      outputs: {},
      id: req.getId(),
      dependencies: req.getDependenciesList(),
      propertyDependencies: {},
      provider: req.getProvider() || recorder.defaultProviderReference(packageOf(type), req.getVersion()),
      protect: false,
      retainOnDelete: false,
      deletedWith: undefined,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      options: NO_OPTIONS,
      sourcePosition: sourcePosition(req.getSourceposition(), recorder.projectRoot),
      external: true,
      importId: undefined,
    };
    return begin(registration, () =>
      read(req, (err, response) => {
        if (err !== null && err !== undefined) {
          fail(urn, err);
        } else if (response !== undefined) {
          response.setUrn(urn);
          const sealed = withEngineSecrets(registration, response.getProperties());
          registration.outputs = sealed.outputs;
          if (sealed.struct !== undefined) response.setProperties(sealed.struct);
          monitor.resources?.set(urn, { urn, id: registration.id ?? null, state: registration.outputs });
        }
        callback(err, response);
      }),
    );
  };

  monitor.registerResourceOutputs = (req, callback) => {
    const urn = req.getUrn();
    const registration = recorder.registrations.get(urn);
    if (registration === undefined) {
      callback(new Error(`registerOutputs for unknown resource ${urn}`), undefined);
      return undefined;
    }
    registration.outputs = req.getOutputs()?.toJavaScript() ?? {};
    const entry = monitor.resources?.get(urn);
    if (entry !== undefined) entry.state = registration.outputs;
    callback(null, {});
    return undefined;
  };

  monitor.invoke = (req, callback) => {
    const token = req.getTok();
    // An invoke without a provider runs on the package's default provider, which the engine then records.
    if (token !== "pulumi:pulumi:getResource" && req.getProvider() === "") {
      recorder.defaultProvider(packageOf(token), req.getVersion());
    }
    return invoke(req, callback);
  };
}

import { makeUrn, providerReference } from "../snapshot/urn";
import { uuidFrom } from "./deterministic";

/** Everything the engine learns about one resource, in the serialized form the monitor sees. */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string | undefined;
  /** Serialized inputs: secrets still carry their values here, sealed only when the snapshot is built. */
  readonly inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  id: string | undefined;
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  /** Provider reference `<urn>::<id>`: the explicit one, or the default provider the engine would create. */
  readonly provider: string | undefined;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly deletedWith: string | undefined;
  readonly additionalSecretOutputs: string[];
  /** Resource options the engine keeps in the state (ResourceV3 `ignoreChanges`, `replaceOnChanges`, `customTimeouts`). */
  readonly options: RecordedOptions;
  /** Where the program registered it: `project:///<path>#<line>,<column>`, as the engine writes `sourcePosition`. */
  readonly sourcePosition: string | undefined;
  /** Read with `.get()`, not managed by this stack. */
  readonly external: boolean;
  readonly importId: string | undefined;
}

/**
 * The resource options the engine keeps in the state (pulumi/pulumi sdk/go/common/apitype/core.go,
 * ResourceV3; pkg/resource/stack/deployment.go). Not kept there, so not here: `deleteBeforeReplace`
 * (it only orders a replacement), and `aliases` as given: the engine stores only the one alias URN that
 * matched a resource of the previous state (step_generator.go), and a synthesis has no previous state.
 */
export interface RecordedOptions {
  readonly ignoreChanges: string[];
  readonly replaceOnChanges: string[];
  /** Seconds, as the engine converts the option's Go durations (`generateTimeoutInSeconds`). */
  readonly customTimeouts: CustomTimeouts | undefined;
}

export interface CustomTimeouts {
  readonly create?: number;
  readonly update?: number;
  readonly delete?: number;
  readonly read?: number;
}

export const NO_OPTIONS: RecordedOptions = { ignoreChanges: [], replaceOnChanges: [], customTimeouts: undefined };

/** A provider the real engine creates on its own for a package used without an explicit provider. */
export interface DefaultProvider {
  readonly urn: string;
  readonly id: string;
  readonly pkg: string;
  readonly version: string;
}

/** The log of a program run: registrations in arrival order, default providers, and what went wrong. */
export class Recorder {
  readonly registrations = new Map<string, Registration>();
  readonly defaultProviders = new Map<string, DefaultProvider>();
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  /** The registration being handed to the mocks right now (they are called synchronously). */
  current: Registration | undefined;

  constructor(
    readonly project: string,
    readonly stack: string,
    /** Source positions are written relative to it, as the engine does. */
    readonly projectRoot: string = process.cwd(),
  ) {}

  urnFor(type: string, name: string, parentUrn: string | undefined): string {
    return makeUrn({ stack: this.stack, project: this.project, type, name, parentUrn });
  }

  /** `default_7_48_0`, as the engine names the default provider of a package version. */
  defaultProvider(pkg: string, version: string): DefaultProvider {
    const key = `${pkg}@${version}`;
    let provider = this.defaultProviders.get(key);
    if (provider === undefined) {
      const name = version === "" ? "default" : `default_${version.replace(/[^A-Za-z0-9]/g, "_")}`;
      const urn = this.urnFor(`pulumi:providers:${pkg}`, name, undefined);
      provider = { urn, id: uuidFrom(urn, "provider"), pkg, version };
      this.defaultProviders.set(key, provider);
    }
    return provider;
  }

  defaultProviderReference(pkg: string, version: string): string {
    const p = this.defaultProvider(pkg, version);
    return providerReference(p.urn, p.id);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }
}

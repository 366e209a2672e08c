/**
 * The `pulumi stack export` format (deployment version 3), as far as the offline toolchain reads and
 * writes it. Real exports carry more fields; readers must tolerate and ignore them.
 */
export type PropertyValue = unknown;

/** How a secret appears in an export: the value itself is never written. */
export interface SecretValue {
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270";
  ciphertext: string;
}

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export interface ResourceState {
  urn: string;
  custom: boolean;
  type: string;
  id?: string;
  inputs?: Record<string, PropertyValue>;
  outputs?: Record<string, PropertyValue>;
  parent?: string;
  provider?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  /** URN of the resource whose deletion also deletes this one. */
  deletedWith?: string;
  /** The id an `import` resource option adopted. */
  importID?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  additionalSecretOutputs?: string[];
  /** Earlier URNs of this resource (the `aliases` option, resolved to URNs). */
  aliases?: string[];
  /** Seconds (the `customTimeouts` option). */
  customTimeouts?: { create?: number; update?: number; delete?: number; read?: number };
  /** `project:///<file>#<line>,<column>`: where the program registered the resource. */
  sourcePosition?: string;
  /** Input paths whose changes the engine ignores on update (the `ignoreChanges` option). */
  ignoreChanges?: string[];
  /** Input paths whose changes force a replacement (the `replaceOnChanges` option; `*` is every input). */
  replaceOnChanges?: string[];
  external?: boolean;
  delete?: boolean;
}

export interface DeploymentV3 {
  manifest: { time: string; magic: string; version: string };
  secrets_providers?: { type: string; state?: unknown };
  resources: ResourceState[];
  pending_operations?: unknown[];
}

export interface StackExport {
  version: 3;
  deployment: DeploymentV3;
}

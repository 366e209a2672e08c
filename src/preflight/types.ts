/**
 * Preflight's vocabulary: what the stack will need from the account (facts, derived from the validated
 * config and the synthesized program), what a check found wrong (findings), and the check contract:
 * a thin `collect` that asks AWS (read-only) and a pure `evaluate` from those answers to findings.
 */
import type { AwsClients } from "./clients";
import type { DnsLookup } from "./dns-lookup";
import type { HostRole } from "./host-os";

export type Severity = "error" | "warning";

export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  /** What is wrong, naming the thing (AMI id, bucket, repository, quota ...). */
  readonly problem: string;
  /** What to do about it. */
  readonly action: string;
}

export interface AmiUse {
  readonly amiId: string;
  readonly role: HostRole;
  /** The config key that pins it, e.g. `fitness-platform:databases.amiId`. */
  readonly key: string;
  /** Instance types launched from it: the AMI's architecture must suit every one. */
  readonly instanceTypes: readonly string[];
}

export interface ImagePin {
  /** ECR repository name (without registry). */
  readonly repository: string;
  readonly tag: string;
  /** Absent for the catalog services, which are pinned by immutable tag only. */
  readonly digest?: string;
  readonly key: string;
}

export interface ChartPin {
  readonly chart: string;
  readonly version: string;
  /** ECR repository of the chart in the OCI mirror. */
  readonly repository: string;
}

export interface PackagePin {
  readonly name: string;
  /** Exact Debian version when pinned; otherwise any version in the mirror will do. */
  readonly version?: string;
}

export interface PackageMirrorFacts {
  readonly bucket: string;
  /** Region of the bucket, from its virtual-hosted URL. */
  readonly region: string;
  /** Index files apt reads, e.g. `debian/dists/bookworm/main/binary-amd64/Packages`, without compression suffix. */
  readonly indexes: readonly string[];
  readonly packages: readonly PackagePin[];
}

export interface ServiceLinkedRoleNeed {
  readonly roleName: string;
  /** `autoscaling.amazonaws.com` */
  readonly service: string;
  /** Created by the stack (aws:iam/serviceLinkedRole:ServiceLinkedRole), and whether it adopts an existing one. */
  readonly createdByStack: boolean;
  readonly adoptedByStack: boolean;
  /** Why the stack needs it (which resource names it). */
  readonly neededBy: string;
}

export interface CapacityItem {
  /** What runs: `databases-personal-data-host`, `node group services-cluster-nodes (max 9 + surge 6)` ... */
  readonly purpose: string;
  /** Candidate types; the largest in vCPUs counts. */
  readonly instanceTypes: readonly string[];
  readonly count: number;
  readonly tenancy: "default" | "dedicated" | "host";
}

export interface BucketPlan {
  readonly name: string;
  readonly region: string;
}

export interface ConfigValue {
  /** `fitness-platform:cluster.publicAccessCidrs[0]` */
  readonly key: string;
  readonly value: string;
}

/** Everything preflight checks the account against, as plain data. */
export interface PreflightFacts {
  readonly project: string;
  readonly stack: string;
  readonly environment: "dev" | "prod";
  readonly region: string;
  /** `--region` when given; must equal `region`. */
  readonly requestedRegion?: string;
  readonly allowedAccountIds?: readonly string[];
  readonly availabilityZones: readonly string[];
  readonly amis: readonly AmiUse[];
  readonly edge: {
    readonly domainName: string;
    readonly certificate: { readonly mode: "dns-validated"; readonly hostedZoneId: string } | { readonly mode: "imported"; readonly certificateArn: string };
  };
  readonly images: readonly ImagePin[];
  readonly charts: readonly ChartPin[];
  readonly packageMirror?: PackageMirrorFacts;
  readonly serviceLinkedRoles: readonly ServiceLinkedRoleNeed[];
  readonly capacity: readonly CapacityItem[];
  readonly interfaceEndpoints: readonly string[];
  readonly kubernetesVersion: string;
  readonly addons: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  readonly email: {
    readonly identity: string;
    readonly fromAddress: string;
    readonly hostedZoneId?: string;
    /** The stack registers the SES identity itself (and whether it adopts an existing one). */
    readonly createdByStack: boolean;
    readonly adoptedByStack: boolean;
  };
  readonly buckets: readonly BucketPlan[];
  /** Every string of the stack's config (and `aws:` keys), for the placeholder check. */
  readonly configValues: readonly ConfigValue[];
}

/** What a check may use besides the facts. */
export interface CheckDeps {
  readonly clients: AwsClients;
  readonly dns: DnsLookup;
  /** The caller's account, from sts:GetCallerIdentity (asked once, before any check). */
  readonly accountId: string;
  readonly now: Date;
}

/**
 * One check: `collect` asks AWS (read-only, thin: no decisions), `evaluate` is pure. Tests feed
 * `evaluate` recorded answers, and `collect` mocked clients answering with the same records.
 */
export interface Check<E> {
  readonly name: string;
  collect(facts: PreflightFacts, deps: CheckDeps): Promise<E>;
  evaluate(facts: PreflightFacts, evidence: E, context: { readonly accountId: string; readonly now: Date }): Finding[];
}

import type { ControlMapping } from "../../../policy/framework/metadata";

/**
 * The public catalogues the pack's controls come from, by name and version, so that a report groups
 * "CIS 1.10" under the benchmark an auditor already holds. Versions are the ones the platform itself
 * subscribes to (src/security/cis-monitoring-plan.ts: Security Hub standards
 * `aws-foundational-security-best-practices/v/1.0.0` and `cis-aws-foundations-benchmark/v/3.0.0`) and the
 * Pod Security level its namespaces enforce (src/services/objects.ts: `restricted`, enforce-version latest).
 */
export interface Framework {
  /** Stable key: json consumers group by it. */
  readonly key: string;
  readonly name: string;
  readonly version?: string;
  /** The catalogue's public page. */
  readonly url?: string;
}

const FSBP: Framework = {
  key: "fsbp",
  name: "AWS Security Hub Foundational Security Best Practices",
  version: "v1.0.0",
  url: "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
};
const CIS_AWS: Framework = {
  key: "cis-aws",
  name: "CIS Amazon Web Services Foundations Benchmark",
  version: "v3.0.0",
  url: "https://www.cisecurity.org/benchmark/amazon_web_services",
};
const CHECKOV: Framework = { key: "checkov", name: "Checkov policy index", url: "https://www.checkov.io/5.Policy%20Index/all.html" };
const PSS: Framework = {
  key: "pss",
  name: "Kubernetes Pod Security Standards, restricted profile",
  version: "enforce-version latest",
  url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
};

/** Free-text references (`other`) recognised by how they start; the rest are "Other references". */
const BY_PREFIX: ReadonlyArray<readonly [RegExp, Framework]> = [
  [/^CIS Kubernetes\b/, { key: "cis-k8s", name: "CIS Kubernetes Benchmark", url: "https://www.cisecurity.org/benchmark/kubernetes" }],
  [/^Kyverno\b/, { key: "kyverno", name: "Kyverno policies", url: "https://kyverno.io/policies/" }],
  [/^NSA\/CISA\b/, { key: "nsa-cisa", name: "NSA/CISA Kubernetes Hardening Guidance" }],
  [/^EKS (Best Practices|User Guide)\b/, { key: "eks", name: "Amazon EKS Best Practices and User Guide", url: "https://docs.aws.amazon.com/eks/latest/best-practices/introduction.html" }],
  [/^(Trivy|tfsec)\b/, { key: "trivy", name: "Trivy / tfsec", url: "https://avd.aquasec.com/" }],
  [/^CKV2?_/, CHECKOV],
  [/^architecture\b/, { key: "architecture", name: "This platform's architecture (docs/architecture.md)" }],
];
const OTHER: Framework = { key: "other", name: "Other references" };

/** The order frameworks are listed in: the cloud standards first, then Kubernetes, then the rest. */
export const FRAMEWORK_ORDER: readonly string[] = ["fsbp", "cis-aws", "checkov", "pss", "cis-k8s", "kyverno", "nsa-cisa", "eks", "trivy", "architecture", "other"];

export interface ControlRef {
  readonly framework: Framework;
  /** The control's id within its framework ("S3.1", "2.1.4", "CKV_AWS_53", a PSS field, or the reference). */
  readonly id: string;
  /** As reports show it alone: "FSBP S3.1", "CIS 2.1.4", "CKV_AWS_53" (policy/framework/metadata.ts controlLabels). */
  readonly label: string;
}

/** Every control of a mapping with its framework, in the mapping's order. */
export function controlRefs(controls: ControlMapping): ControlRef[] {
  const refs: ControlRef[] = [];
  for (const id of controls.fsbp ?? []) refs.push({ framework: FSBP, id, label: `FSBP ${id}` });
  for (const id of controls.cis ?? []) refs.push({ framework: CIS_AWS, id, label: `CIS ${id}` });
  for (const id of controls.checkov ?? []) refs.push({ framework: CHECKOV, id, label: id });
  for (const id of controls.pss ?? []) refs.push({ framework: PSS, id, label: `PSS ${id}` });
  for (const id of controls.other ?? []) refs.push({ framework: BY_PREFIX.find(([pattern]) => pattern.test(id))?.[1] ?? OTHER, id, label: id });
  return refs;
}

/** The public page of one control, where the framework has one per control (FSBP); else the framework's page. */
export function controlUrl(ref: ControlRef): string | undefined {
  if (ref.framework.key === "fsbp") {
    // Security Hub documents each control at <service>-controls.html#<service>-<n> (e.g. s3-controls.html#s3-1).
    const m = /^([A-Za-z0-9]+)\.(\d+)$/.exec(ref.id);
    if (m !== null) {
      const service = (m[1] as string).toLowerCase();
      return `https://docs.aws.amazon.com/securityhub/latest/userguide/${service}-controls.html#${service}-${m[2] as string}`;
    }
  }
  return ref.framework.url;
}

/** "CIS Amazon Web Services Foundations Benchmark v3.0.0" */
export function frameworkTitle(framework: Framework): string {
  return framework.version === undefined ? framework.name : `${framework.name} ${framework.version}`;
}

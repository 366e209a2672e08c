import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, flag, list, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { isCustomerManagedKey } from "../kms/keys";

const REPOSITORY = "aws:ecr/repository:Repository";
const REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration";

function wildcardToRegex(filter: string): RegExp {
  return new RegExp(`^${filter.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/** Whether the registry's enhanced scanning covers a repository name (any rule with a matching wildcard filter). */
function enhancedScanCovers(index: StackIndex, name: string | undefined): boolean {
  return index.ofType(REGISTRY_SCANNING).some((config) => {
    if (text(config.props["scanType"]) !== "ENHANCED") return false;
    return list(config.props["rules"]).some((rule) => {
      const frequency = text(at(rule, "scanFrequency"));
      if (frequency !== "SCAN_ON_PUSH" && frequency !== "CONTINUOUS_SCAN") return false;
      return list(at(rule, "repositoryFilters")).some((f) => {
        const filter = text(at(f, "filter")) ?? "";
        return filter === "*" || (name !== undefined && wildcardToRegex(filter).test(name));
      });
    });
  });
}

function encryptedWithCmk(repo: PolicyResource): boolean {
  const configs = list(repo.props["encryptionConfigurations"]);
  return configs.some((c) => text(at(c, "encryptionType")) === "KMS" && isCustomerManagedKey(repo, "encryptionConfigurations", c, "kmsKey"));
}

export const ecr01ScanningEncryption = defineStackPolicy({
  meta: {
    id: "ECR-01",
    title: "ECR repositories scan images on push (or enhanced scanning) and encrypt with a customer-managed key",
    severity: "high",
    decisions: ["D1", "D5"],
    controls: { fsbp: ["ECR.1"], checkov: ["CKV_AWS_136", "CKV_AWS_163"] },
    description:
      "Every ECR repository scans images: imageScanningConfiguration.scanOnPush, or the registry's enhanced scanning " +
      "(RegistryScanningConfiguration scanType ENHANCED with a SCAN_ON_PUSH or CONTINUOUS_SCAN rule whose filter matches the " +
      "repository); and is encrypted with KMS using a customer-managed key (encryptionConfigurations encryptionType KMS with kmsKey).",
    remediation:
      'Set imageScanningConfiguration { scanOnPush: true } (or enable enhanced scanning for the registry) and encryptionConfigurations [{ encryptionType: "KMS", kmsKey: <key ARN> }]; encryption is fixed at creation, so a wrong one means a new repository.',
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const repositories = index.ofType(REPOSITORY);
    if (repositories.length === 0) args.notApplicable("the stack has no ECR repository");
    for (const repo of repositories) {
      const name = text(repo.props["name"]);
      const label = `ECR repository "${name ?? repo.name}"`;
      if (flag(at(repo.props["imageScanningConfiguration"], "scanOnPush")) !== true && !enhancedScanCovers(index, name)) {
        reportViolation(`${label} does not scan images on push, and no enhanced scanning rule covers it.`, repo.urn, "no scan on push");
      }
      if (!encryptedWithCmk(repo)) reportViolation(`${label} is not encrypted with a customer-managed KMS key (AES256 or the AWS-managed key).`, repo.urn, "not kms cmk");
    }
  },
});

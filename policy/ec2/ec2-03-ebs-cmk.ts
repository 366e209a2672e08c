import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, flag, list, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { isCustomerManagedKey } from "../kms/keys";
import { EBS_VOLUME, EKS_NODE_GROUP, INSTANCE, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE } from "./compute";

const ENCRYPTION_BY_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault";
const DEFAULT_KMS_KEY = "aws:ebs/defaultKmsKey:DefaultKmsKey";

interface AccountDefaults {
  /** EBS encryption by default is on in this stack's account and region. */
  readonly encrypts: boolean;
  /** ...and its default key is a customer-managed key. */
  readonly withCmk: boolean;
}

function accountDefaults(index: StackIndex): AccountDefaults {
  const encrypts = index.ofType(ENCRYPTION_BY_DEFAULT).some((r) => flag(r.props["enabled"]) !== false);
  const withCmk = index.ofType(DEFAULT_KMS_KEY).some((r) => isCustomerManagedKey(r, "keyArn", r.props, "keyArn"));
  return { encrypts, withCmk };
}

/**
 * Judges one block device (or volume): `container` holds `encrypted` and `kmsKeyId`, `property` is the
 * top-level property that carries them (for the property dependencies on the key).
 */
function checkDevice(
  owner: PolicyResource,
  what: string,
  property: string,
  container: unknown,
  defaults: AccountDefaults,
  report: ReportViolation,
): void {
  const encrypted = flag(at(container, "encrypted"));
  if (encrypted === false || (encrypted === undefined && !defaults.encrypts)) {
    report(`${what} is not encrypted.`, owner.urn);
    return;
  }
  const hasKey = isCustomerManagedKey(owner, property, container, "kmsKeyId");
  if (!hasKey && !defaults.withCmk) report(`${what} is not encrypted with a customer-managed KMS key (kmsKeyId).`, owner.urn);
}

export const ec2EbsCmk = defineStackPolicy({
  meta: {
    id: "EC2-03",
    title: "EBS encrypted with a customer-managed key; EBS default encryption on",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["EC2.3", "EC2.7"], cis: ["2.2.1"], checkov: ["CKV_AWS_3", "CKV_AWS_8", "CKV_AWS_189"] },
    description:
      "Every EBS volume, instance root and data device and launch-template block device is encrypted with a " +
      "customer-managed KMS key, and a stack that runs EC2 turns on EBS encryption by default with a customer-managed " +
      "default key, so volumes created outside the templates (node groups, restores) are encrypted too.",
    remediation:
      "Set encrypted: true and kmsKeyId: key.arn on every volume and block device; add aws.ebs.EncryptionByDefault " +
      "({ enabled: true }) and aws.ebs.DefaultKmsKey ({ keyArn: key.arn }) in the network or compute foundation.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const compute = index.ofType(INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION, EBS_VOLUME, EKS_NODE_GROUP);
    if (compute.length === 0) args.notApplicable("the stack has no EC2 instances, templates or volumes");
    const defaults = accountDefaults(index);
    if (!defaults.encrypts || !defaults.withCmk) {
      reportViolation(
        "EBS encryption by default is not on with a customer-managed key: the stack runs EC2 but has no " +
          (defaults.encrypts ? "aws.ebs.DefaultKmsKey naming a customer-managed key." : "aws.ebs.EncryptionByDefault (enabled) and aws.ebs.DefaultKmsKey."),
      );
    }
    for (const r of compute) {
      switch (r.type) {
        case EBS_VOLUME:
          checkDevice(r, `EBS volume "${r.name}"`, "kmsKeyId", r.props, defaults, reportViolation);
          break;
        case INSTANCE:
          checkDevice(r, `the root volume of instance "${r.name}"`, "rootBlockDevice", r.props["rootBlockDevice"] ?? {}, defaults, reportViolation);
          for (const d of list(r.props["ebsBlockDevices"])) {
            checkDevice(r, `device ${text(at(d, "deviceName")) ?? "?"} of instance "${r.name}"`, "ebsBlockDevices", d, defaults, reportViolation);
          }
          break;
        case LAUNCH_TEMPLATE:
          for (const m of list(r.props["blockDeviceMappings"])) {
            const ebs = at(m, "ebs");
            if (ebs === undefined) continue;
            checkDevice(r, `device ${text(at(m, "deviceName")) ?? "?"} of launch template "${r.name}"`, "blockDeviceMappings", ebs, defaults, reportViolation);
          }
          break;
        case LAUNCH_CONFIGURATION:
          checkDevice(r, `the root volume of launch configuration "${r.name}"`, "rootBlockDevice", r.props["rootBlockDevice"] ?? {}, defaults, reportViolation);
          for (const d of list(r.props["ebsBlockDevices"])) {
            checkDevice(r, `device ${text(at(d, "deviceName")) ?? "?"} of launch configuration "${r.name}"`, "ebsBlockDevices", d, defaults, reportViolation);
          }
          break;
        default:
          // Node groups without a launch template get AMI-default volumes: covered by default encryption above.
          break;
      }
    }
  },
});

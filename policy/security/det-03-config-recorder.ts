import { defineStackPolicy } from "../framework/define";
import { at, flag, list, peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { CONFIG_DELIVERY_CHANNEL, CONFIG_RECORDER, CONFIG_RECORDER_STATUS, S3_BUCKET_TYPES } from "./types";

export const det03ConfigRecorder = defineStackPolicy({
  meta: {
    id: "DET-03",
    title: "AWS Config records every resource, continuously, into the encrypted audit archive",
    severity: "high",
    decisions: ["D5"],
    controls: { fsbp: ["Config.1"], cis: ["3.3"], checkov: ["CKV2_AWS_45", "CKV2_AWS_48"] },
    description:
      "The stack has an AWS Config recorder that records all supported resource types including global ones (no exclusions), " +
      "is switched on (RecorderStatus isEnabled), and delivers through a delivery channel into an S3 bucket of this stack " +
      "(the audit archive) with a KMS key.",
    remediation:
      "Add aws.cfg.Recorder { recordingGroup: { allSupported: true, includeGlobalResourceTypes: true } }, aws.cfg.DeliveryChannel " +
      "to the audit bucket with s3KmsKeyArn, and aws.cfg.RecorderStatus { isEnabled: true } (src/security/detective-controls.ts).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const recorders = index.ofType(CONFIG_RECORDER);
    if (recorders.length === 0) {
      reportViolation("the stack has no AWS Config recorder.", undefined, "no recorder");
      return;
    }
    for (const recorder of recorders) {
      const group = recorder.props["recordingGroup"];
      const allSupported = group === undefined || flag(at(group, "allSupported")) !== false;
      const exclusions = list(at(group, "exclusionByResourceTypes", 0, "resourceTypes")).length > 0 || list(at(group, "exclusionByResourceTypes", "resourceTypes")).length > 0;
      if (!allSupported || exclusions) reportViolation(`Config recorder "${recorder.name}" does not record all supported resource types.`, recorder.urn, "not all resources");
      if (flag(at(group, "includeGlobalResourceTypes")) !== true) reportViolation(`Config recorder "${recorder.name}" does not record global resources (IAM).`, recorder.urn, "no global resources");
      const names = peekTexts(recorder.props, "name");
      const statuses = index
        .ofType(CONFIG_RECORDER_STATUS)
        .filter((s) => (s.propertyDependencies["name"] ?? []).some((d) => d.urn === recorder.urn) || peekTexts(s.props, "name").some((n) => names.includes(n)));
      if (!statuses.some((s) => flag(s.props["isEnabled"]) === true)) reportViolation(`Config recorder "${recorder.name}" is not switched on (RecorderStatus isEnabled).`, recorder.urn, "not enabled");
    }
    const channels = index.ofType(CONFIG_DELIVERY_CHANNEL);
    if (channels.length === 0) reportViolation("AWS Config has no delivery channel.", undefined, "no delivery channel");
    for (const channel of channels) {
      if (index.targets(channel, "s3BucketName", S3_BUCKET_TYPES).length === 0) {
        reportViolation(`Config delivery channel "${channel.name}" delivers to ${text(channel.props["s3BucketName"]) ?? "a bucket"} outside this stack, not the audit archive.`, channel.urn, "bucket outside archive");
      }
      const keySet = peekTexts(channel.props, "s3KmsKeyArn").length > 0 || (channel.propertyDependencies["s3KmsKeyArn"]?.length ?? 0) > 0;
      if (!keySet) reportViolation(`Config delivery channel "${channel.name}" does not encrypt with a KMS key (s3KmsKeyArn).`, channel.urn, "no kms key");
    }
  },
});

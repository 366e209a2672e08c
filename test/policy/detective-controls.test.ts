import { beforeAll, describe, expect, it } from "vitest";
import { det01GuardDuty } from "../../policy/security/det-01-guardduty";
import { det02SecurityHub } from "../../policy/security/det-02-security-hub";
import { det03ConfigRecorder } from "../../policy/security/det-03-config-recorder";
import { det04AccessAnalyzer } from "../../policy/security/det-04-access-analyzer";
import { det05CisMonitoring } from "../../policy/security/det-05-cis-monitoring";
import { covers, MONITORING_EVENTS } from "../../policy/security/monitoring-events";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { MONITORING_CONTROLS } from "../../src/security/cis-monitoring-plan";
import { ROOT } from "../support/stack-config";
import { edit, find, without } from "../support/snapshot-edit";
import { violations } from "./dmz-support";

/** DET-01..05 against the real stacks (which provision the controls) and crafted gaps in them. */
const snapshots: Record<string, StackExport> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

const copy = (stack = "dev"): ResourceState[] => structuredClone((snapshots[stack] as StackExport).deployment.resources);
const audit = (policy: typeof det01GuardDuty, resources: ResourceState[]) => violations(policy, snapshots["dev"] as StackExport, resources);
const dropType = (resources: ResourceState[], type: string) => resources.filter((r) => r.type !== type);
const FEATURE = "aws:guardduty/detectorFeature:DetectorFeature";
const POLICIES = [det01GuardDuty, det02SecurityHub, det03ConfigRecorder, det04AccessAnalyzer, det05CisMonitoring];

describe.each(["dev", "prod"])("the real %s stack", (stack) => {
  it.each(POLICIES)("passes $meta.id", async (policy) => {
    expect(await violations(policy, snapshots[stack] as StackExport, copy(stack))).toEqual([]);
  });
});

describe("DET-01 GuardDuty", () => {
  it("fails a stack without a detector", async () => {
    expect(await audit(det01GuardDuty, dropType(copy(), "aws:guardduty/detector:Detector"))).toEqual(["the stack enables no GuardDuty detector (aws.guardduty.Detector with enable: true)."]);
  });

  it("fails missing S3 protection, EKS audit logs and runtime monitoring", async () => {
    const resources = dropType(copy(), FEATURE);
    expect(await audit(det01GuardDuty, resources)).toEqual([
      'GuardDuty detector "security-guardduty" does not enable EKS audit log monitoring (EKS_AUDIT_LOGS).',
      'GuardDuty detector "security-guardduty" does not enable Runtime Monitoring (RUNTIME_MONITORING).',
      'GuardDuty detector "security-guardduty" does not enable S3 protection (S3_DATA_EVENTS).',
    ]);
  });

  it("fails a disabled feature and runtime monitoring that manages no EKS agent", async () => {
    const resources = copy();
    edit(find(resources, FEATURE, "security-guardduty-s3-data-events"), (p) => {
      p.status = "DISABLED";
    });
    edit(find(resources, FEATURE, "security-guardduty-runtime-monitoring"), (p) => {
      p.additionalConfigurations = [{ name: "EKS_ADDON_MANAGEMENT", status: "DISABLED" }];
    });
    expect(await audit(det01GuardDuty, resources)).toEqual([
      'GuardDuty detector "security-guardduty" does not enable S3 protection (S3_DATA_EVENTS).',
      'GuardDuty detector "security-guardduty": Runtime Monitoring does not manage the EKS agent (EKS_ADDON_MANAGEMENT), so no node runs it.',
    ]);
  });

  it("fails when the private zones have no guardduty-data endpoint", async () => {
    const resources = copy().filter((r) => !(r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && String(r.inputs?.["serviceName"]).endsWith(".guardduty-data")));
    expect(await audit(det01GuardDuty, resources)).toEqual(["no guardduty-data interface endpoint with private DNS: the runtime agents in the private zones cannot deliver events."]);
  });
});

describe("DET-02 Security Hub", () => {
  it("fails without Security Hub and without the standards", async () => {
    const resources = dropType(dropType(copy(), "aws:securityhub/account:Account"), "aws:securityhub/standardsSubscription:StandardsSubscription");
    expect(await audit(det02SecurityHub, resources)).toEqual([
      "Security Hub is not subscribed to the AWS Foundational Security Best Practices standard.",
      "Security Hub is not subscribed to the CIS AWS Foundations Benchmark v3 standard.",
      "the stack does not enable Security Hub (aws.securityhub.Account).",
    ]);
  });

  it("does not take CIS v1.4 for v3", async () => {
    const resources = copy();
    edit(find(resources, "aws:securityhub/standardsSubscription:StandardsSubscription", "security-standard-cisv3"), (p) => {
      p.standardsArn = "arn:aws:securityhub:eu-central-1::standards/cis-aws-foundations-benchmark/v/1.4.0";
    });
    expect(await audit(det02SecurityHub, resources)).toEqual(["Security Hub is not subscribed to the CIS AWS Foundations Benchmark v3 standard."]);
  });
});

describe("DET-03 AWS Config", () => {
  it("fails a recorder that skips resources, is off, and delivers unencrypted outside the archive", async () => {
    const resources = without(copy(), "aws:cfg/recorderStatus:RecorderStatus", "security-config-recording");
    edit(find(resources, "aws:cfg/recorder:Recorder", "security-config-recorder"), (p) => {
      p.recordingGroup = { allSupported: false, includeGlobalResourceTypes: false, resourceTypes: ["AWS::S3::Bucket"] };
    });
    const channel = find(resources, "aws:cfg/deliveryChannel:DeliveryChannel", "security-config-delivery");
    edit(channel, (p) => {
      p.s3BucketName = "someone-elses-bucket";
      delete p.s3KmsKeyArn;
    });
    channel.propertyDependencies = {};
    expect(await audit(det03ConfigRecorder, resources)).toEqual([
      'Config delivery channel "security-config-delivery" delivers to someone-elses-bucket outside this stack, not the audit archive.',
      'Config delivery channel "security-config-delivery" does not encrypt with a KMS key (s3KmsKeyArn).',
      'Config recorder "security-config-recorder" does not record all supported resource types.',
      'Config recorder "security-config-recorder" does not record global resources (IAM).',
      'Config recorder "security-config-recorder" is not switched on (RecorderStatus isEnabled).',
    ]);
  });
});

describe("DET-04 Access Analyzer", () => {
  it("fails without an external-access analyzer", async () => {
    const resources = copy();
    edit(find(resources, "aws:accessanalyzer/analyzer:Analyzer", "security-access-analyzer"), (p) => {
      p.type = "ACCOUNT_UNUSED_ACCESS";
    });
    expect(await audit(det04AccessAnalyzer, resources)).toEqual(["the stack has no IAM Access Analyzer for external access (type ACCOUNT or ORGANIZATION)."]);
  });
});

describe("DET-05 CIS monitoring filters and alarms", () => {
  it("fails a trail that does not feed CloudWatch Logs", async () => {
    const resources = copy();
    const trail = find(resources, "aws:cloudtrail/trail:Trail", "logs-trail");
    edit(trail, (p) => {
      delete p.cloudWatchLogsGroupArn;
      delete p.cloudWatchLogsRoleArn;
    });
    trail.propertyDependencies = {};
    expect(await audit(det05CisMonitoring, resources)).toEqual(["no multi-region trail delivers to a CloudWatch log group (cloudWatchLogsGroupArn), so no event can raise an alarm."]);
  });

  it("fails a missing filter, a filter that misses events, and an alarm that notifies nobody", async () => {
    const resources = without(copy(), "aws:cloudwatch/logMetricFilter:LogMetricFilter", "security-filter-root-usage");
    edit(find(resources, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "security-filter-iam-policy-changes"), (p) => {
      p.pattern = "{ ($.eventName = PutRolePolicy) || ($.eventName = CreatePolicyVersion) }";
    });
    edit(find(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "security-alarm-kms-key-disabling"), (p) => {
      p.alarmActions = [];
    });
    find(resources, "aws:cloudwatch/metricAlarm:MetricAlarm", "security-alarm-kms-key-disabling").propertyDependencies = {};
    expect(await audit(det05CisMonitoring, resources)).toEqual([
      "no metric filter on the trail's log group matches IAM policy changes (CIS 4.4 (FSBP CloudWatch.4)).",
      "no metric filter on the trail's log group matches use of the root user (CIS 4.3 (FSBP CloudWatch.1)).",
      "the metric filter for disabling or scheduled deletion of customer-managed keys (CIS 4.7 (FSBP CloudWatch.7)) has no alarm that notifies an SNS topic.",
    ]);
  });

  it("the program's plan covers every CIS event, one filter each", () => {
    for (const event of MONITORING_EVENTS) expect(MONITORING_CONTROLS.filter((c) => covers(c.pattern, event)).map((c) => c.cis), event.cis).toEqual([event.cis]);
  });
});

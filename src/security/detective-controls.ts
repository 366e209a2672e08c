/**
 * The account's detective controls (personal data makes breach detection a legal duty): GuardDuty with
 * S3, EKS audit-log, malware and runtime protection; Security Hub with the AWS Foundational Security
 * Best Practices and CIS AWS Foundations v3 standards; AWS Config recording every resource into the
 * audit archive; IAM Access Analyzer; and the CIS monitoring metric filters on the trail's log group,
 * each with an alarm to the operations topic. Registers only what `cis-monitoring-plan.ts` describes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../conventions/arn";
import type { PlatformContext } from "../conventions/context";
import { LOG_PREFIXES } from "../logs/archive-plan";
import { GUARDDUTY_FEATURES, MONITORING_CONTROLS, monitoringNamespace, securityHubStandardArns } from "./cis-monitoring-plan";

export interface DetectiveControlsArgs {
  readonly ctx: PlatformContext;
  /** The audit archive bucket AWS Config delivers into (its policy and key admit config.amazonaws.com). */
  readonly auditBucketName: pulumi.Input<string>;
  readonly auditKeyArn: pulumi.Input<string>;
  /** The trail's CloudWatch log group, where the monitoring filters run. */
  readonly trailLogGroupName: pulumi.Input<string>;
  /** Where every alarm goes. */
  readonly alarmTopicArn: pulumi.Input<string>;
}

const COMPONENT = "security";

export class DetectiveControls extends pulumi.ComponentResource {
  readonly detector: aws.guardduty.Detector;
  readonly securityHub: aws.securityhub.Account;
  readonly recorder: aws.cfg.Recorder;
  readonly analyzer: aws.accessanalyzer.Analyzer;
  readonly alarms: readonly aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: DetectiveControlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:security:DetectiveControls", name, {}, opts);
    const { ctx } = args;
    const parent = { parent: this };
    const tags = (thing: string) => ctx.tags({ component: COMPONENT, zone: "global" }, ctx.name(COMPONENT, thing));
    const partition = partitionOf(ctx.region);

    this.detector = new aws.guardduty.Detector(`${name}-guardduty`, { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES", tags: tags("guardduty") }, parent);
    for (const feature of GUARDDUTY_FEATURES) {
      new aws.guardduty.DetectorFeature(
        `${name}-guardduty-${feature.name.toLowerCase().replace(/_/g, "-")}`,
        {
          detectorId: this.detector.id,
          name: feature.name,
          status: "ENABLED",
          ...(feature.additional === undefined ? {} : { additionalConfigurations: feature.additional.map((a) => ({ name: a, status: "ENABLED" })) }),
        },
        parent,
      );
    }

    // Standards are chosen here, not by Security Hub's defaults, so the set is reviewable code.
    this.securityHub = new aws.securityhub.Account(`${name}-security-hub`, { enableDefaultStandards: false, autoEnableControls: true, controlFindingGenerator: "SECURITY_CONTROL" }, parent);
    const standards = securityHubStandardArns(partition, ctx.region);
    for (const [key, arn] of Object.entries(standards)) {
      new aws.securityhub.StandardsSubscription(`${name}-standard-${key.toLowerCase()}`, { standardsArn: arn }, { parent: this, dependsOn: [this.securityHub] });
    }

    // AWS Config records through its service-linked role (created on first use, or by the day-0 baseline).
    const configRoleArn = pulumi.interpolate`arn:${partition}:iam::${ctx.accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
    this.recorder = new aws.cfg.Recorder(
      `${name}-config-recorder`,
      {
        name: ctx.name(COMPONENT, "recorder"),
        roleArn: configRoleArn,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        recordingMode: { recordingFrequency: "CONTINUOUS" },
      },
      parent,
    );
    const channel = new aws.cfg.DeliveryChannel(
      `${name}-config-delivery`,
      {
        name: ctx.name(COMPONENT, "delivery"),
        s3BucketName: args.auditBucketName,
        s3KeyPrefix: LOG_PREFIXES.config.replace(/\/$/, ""),
        s3KmsKeyArn: args.auditKeyArn,
        snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
      },
      { parent: this, dependsOn: [this.recorder] },
    );
    new aws.cfg.RecorderStatus(`${name}-config-recording`, { name: this.recorder.name, isEnabled: true }, { parent: this, dependsOn: [channel] });

    this.analyzer = new aws.accessanalyzer.Analyzer(`${name}-access-analyzer`, { analyzerName: ctx.name(COMPONENT, "access-analyzer"), type: "ACCOUNT", tags: tags("access-analyzer") }, parent);

    const namespace = monitoringNamespace(ctx.project, ctx.stack);
    this.alarms = MONITORING_CONTROLS.map((control) => {
      const metricName = control.key;
      new aws.cloudwatch.LogMetricFilter(
        `${name}-filter-${control.key}`,
        {
          name: ctx.name(COMPONENT, control.key),
          logGroupName: args.trailLogGroupName,
          pattern: control.pattern,
          metricTransformation: { name: metricName, namespace, value: "1", defaultValue: "0" },
        },
        parent,
      );
      return new aws.cloudwatch.MetricAlarm(
        `${name}-alarm-${control.key}`,
        {
          name: ctx.name(COMPONENT, control.key),
          alarmDescription: `CIS ${control.cis}${control.fsbp === undefined ? "" : ` / FSBP ${control.fsbp}`}: ${control.title}`,
          namespace,
          metricName,
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [args.alarmTopicArn],
          tags: tags(`alarm-${control.key}`),
        },
        parent,
      );
    });

    this.registerOutputs({ detectorId: this.detector.id, analyzerArn: this.analyzer.arn });
  }
}

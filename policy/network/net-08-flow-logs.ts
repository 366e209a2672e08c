import { defineStackPolicy } from "../framework/define";
import { text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { isArchiveBucket, peek, resolveDestinations } from "../logs/archive";
import { VPC_TYPES } from "./types";

const FLOW_LOG = "aws:ec2/flowLog:FlowLog";

export const net08FlowLogs = defineStackPolicy({
  meta: {
    id: "NET-08",
    title: "VPC flow logs of all traffic into the S3 log archive",
    severity: "high",
    decisions: ["D5", "D6"],
    controls: { fsbp: ["EC2.6"], cis: ["3.7"], checkov: ["CKV2_AWS_11"] },
    description:
      "Every VPC has a flow log that records ALL traffic (accepted and rejected) and delivers it to S3, into a bucket of the " +
      "log archive (a bucket tagged component=logs), so that both the flows the design allows and the ones it refuses can " +
      "be traced later.",
    remediation:
      "Create `aws.ec2.FlowLog` with `vpcId`, `trafficType: \"ALL\"`, `logDestinationType: \"s3\"` and `logDestination` " +
      "`${LogArchive.appLogsBucket.arn}/flow-logs/` (the Network component does this from its `flowLogBucketArn` argument).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const vpcs = index.ofType(...VPC_TYPES);
    if (vpcs.length === 0) args.notApplicable("the stack has no VPC");
    const flowLogs = index.ofType(FLOW_LOG);
    for (const vpc of vpcs) {
      const own = flowLogs.filter((f) => index.targets(f, "vpcId", VPC_TYPES).includes(vpc));
      if (own.length === 0) {
        reportViolation(`VPC "${vpc.name}" has no flow log.`, vpc.urn);
        continue;
      }
      const complaints: string[] = [];
      const good = own.filter((f) => {
        const label = `flow log "${f.name}"`;
        const traffic = text(peek(f.props, "trafficType"));
        const type = text(peek(f.props, "logDestinationType")) ?? "cloud-watch-logs";
        const { known, pending } = resolveDestinations(index, f, "logDestination");
        const buckets = [...known.map((d) => d.bucket), ...pending];
        const problems = [
          ...(traffic === "ALL" ? [] : [`records ${traffic ?? "no"} traffic, not ALL`]),
          ...(type === "s3" ? [] : [`delivers to ${type}, not S3`]),
          ...(buckets.length > 0 && buckets.every((b) => b !== undefined && isArchiveBucket(b)) ? [] : ["does not deliver into a log archive bucket (component=logs)"]),
        ];
        if (problems.length > 0) complaints.push(`${label} ${problems.join(", ")}`);
        return problems.length === 0;
      });
      if (good.length === 0) reportViolation(`VPC "${vpc.name}" has no flow log of all traffic into the S3 log archive: ${complaints.join("; ")}.`, vpc.urn);
    }
  },
});

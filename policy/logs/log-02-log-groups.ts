import { defineStackPolicy } from "../framework/define";
import { list, num, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { ENVIRONMENT_CONFIG, environmentOf, minLogRetentionDays, peek } from "./archive";

const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";
const EKS_CLUSTER_TYPE = "aws:eks/cluster:Cluster";

export const log02LogGroups = defineStackPolicy({
  meta: {
    id: "LOG-02",
    title: "CloudWatch log groups encrypted with a KMS key and retained for the environment's minimum",
    severity: "medium",
    decisions: ["D5"],
    controls: { checkov: ["CKV_AWS_158", "CKV_AWS_338", "CKV_AWS_66"] },
    description:
      "Every CloudWatch log group is encrypted with a customer-managed KMS key (kmsKeyId) and has a retention of at least " +
      "the environment's log minimum (dev 30 days, prod 365). An EKS cluster that sends control-plane logs has its " +
      "/aws/eks/<cluster>/cluster log group created by the program, since the one EKS would create is unencrypted and never expires.",
    remediation:
      "Create log groups with encryptedLogGroup() from src/logs/log-group.ts (logs key, `platform.config.logs.logGroupRetentionDays`); " +
      "for EKS, create `eksClusterLogGroupName(clusterName)` before the cluster and make the cluster depend on it.",
    enforcementLevel: "mandatory",
  },
  config: { ...ENVIRONMENT_CONFIG },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const configuredEnv = args.getConfig<{ environment?: string }>().environment;
    const groups = index.ofType(LOG_GROUP_TYPE);
    const clusters = index.ofType(EKS_CLUSTER_TYPE);
    if (groups.length === 0 && clusters.length === 0) args.notApplicable("the stack has no log groups and no EKS cluster");

    for (const group of groups) {
      const label = `log group "${group.name}"`;
      const kms = Object.getOwnPropertyDescriptor(group.props, "kmsKeyId")?.value;
      if ((kms === undefined || kms === "") && (group.propertyDependencies["kmsKeyId"] ?? []).length === 0) {
        reportViolation(`${label} is not encrypted with a KMS key (kmsKeyId).`, group.urn);
      }
      const minimum = minLogRetentionDays(environmentOf(group, configuredEnv));
      const retention = num(peek(group.props, "retentionInDays"));
      if (retention === undefined || retention === 0) {
        reportViolation(`${label} has no retention (its logs never expire); set retentionInDays to at least ${minimum}.`, group.urn);
      } else if (retention < minimum) {
        reportViolation(`${label} keeps logs for ${retention} days; at least ${minimum} are required.`, group.urn);
      }
    }

    const groupNames = new Set(groups.map((g) => text(peek(g.props, "name"))).filter((n): n is string => n !== undefined));
    for (const cluster of clusters) {
      if (list(peek(cluster.props, "enabledClusterLogTypes")).length === 0) continue;
      const name = text(peek(cluster.props, "name"));
      if (name === undefined) continue;
      const expected = `/aws/eks/${name}/cluster`;
      if (!groupNames.has(expected)) {
        reportViolation(`EKS cluster "${cluster.name}" sends control-plane logs, but the stack does not create its log group ${expected} (EKS would create it unencrypted, with no expiry).`, cluster.urn);
      }
    }
  },
});

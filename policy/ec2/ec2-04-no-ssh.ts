import { defineResourcePolicy } from "../framework/define";
import { at, record, text } from "../framework/props";
import { RULE_TYPES, SECURITY_GROUP_TYPES, openingKey, rulesOf } from "../network/security-groups";
import { EKS_NODE_GROUP, INSTANCE, KEY_PAIR, LAUNCH_CONFIGURATION, LAUNCH_TEMPLATE } from "./compute";

const SSH_PORT = 22;

export const ec2NoSsh = defineResourcePolicy({
  meta: {
    id: "EC2-04",
    title: "No key pairs, no port 22; access only through SSM",
    severity: "medium",
    decisions: ["D4", "D6"],
    controls: { fsbp: ["SSM.1"], checkov: ["CKV_AWS_24"] },
    description:
      "No EC2 key pair exists, no instance, launch template, launch configuration or node group names one, and no security " +
      "group rule admits TCP port 22 (an all-traffic rule counts when it admits address blocks; all-traffic rules between " +
      "groups, as EKS nodes need, do not). Operators reach hosts through SSM Session Manager.",
    remediation:
      "Remove keyName / remoteAccess and aws.ec2.KeyPair; attach AmazonSSMManagedInstanceCore to the instance role and use " +
      "`aws ssm start-session`; drop rules for port 22.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { type, name, props } = args;
    if (type === KEY_PAIR) {
      reportViolation(`key pair "${name}" exists; hosts are reached through SSM, not SSH keys.`, undefined, "key pair");
      return;
    }
    if ([INSTANCE, LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION].includes(type)) {
      const keyName = text(props["keyName"]);
      if (keyName !== undefined && keyName !== "") reportViolation(`${type.split(":").pop()} "${name}" names the key pair "${keyName}".`, undefined, `key pair ${keyName}`);
      return;
    }
    if (type === EKS_NODE_GROUP) {
      if (record(props["remoteAccess"]) !== undefined && at(props["remoteAccess"], "ec2SshKey") !== undefined) {
        reportViolation(`node group "${name}" enables SSH remote access (remoteAccess.ec2SshKey).`, undefined, "ssh remote access");
      }
      return;
    }
    if (![...SECURITY_GROUP_TYPES, ...RULE_TYPES].includes(type)) args.notApplicable("not a key pair, instance or security group rule");
    for (const rule of rulesOf(type, name, props)) {
      if (rule.direction !== "ingress" || !rule.flows.has("tcp", SSH_PORT)) continue;
      if (rule.allProtocols && rule.cidrs.length === 0) continue;
      reportViolation(`${rule.label} admits TCP port 22 (${rule.flows.toString()}).`, undefined, openingKey(rule));
    }
  },
});

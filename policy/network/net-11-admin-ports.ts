import { defineResourcePolicy } from "../framework/define";
import { isDefaultRoute, parseRange, reachesInternet } from "./addresses";
import { adminPortsIn } from "./admin-ports";
import { RULE_TYPES, SECURITY_GROUP_TYPES, openingKey, rulesOf } from "./security-groups";

export const net11AdminPorts = defineResourcePolicy({
  meta: {
    id: "NET-11",
    title: "No administration, database, cache or search port open to the internet on any security group",
    severity: "high",
    decisions: ["D5", "D6"],
    controls: {
      fsbp: ["EC2.19"],
      cis: ["5.2", "5.3"],
      checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"],
      other: ["Trivy AVD-AWS-0107"],
    },
    description:
      "No security group rule, in any zone (the DMZ's edge and proxy groups included), admits from an internet address block " +
      "(0.0.0.0/0, ::/0 or any public range) a remote administration port (SSH, RDP, Telnet, VNC, WinRM, SMB, RPC, FTP), a database, " +
      "cache, search or cluster port (PostgreSQL, MySQL, MSSQL, Oracle, MongoDB, Redis, Memcached, Elasticsearch, Kibana, etcd, " +
      "kubelet, Kubernetes API, Docker) or another Security Hub EC2.19 high-risk port; an all-traffic rule or a port range containing " +
      "one counts. Rules between groups and from private ranges are not in scope (NET-02 and NET-04 judge those paths).",
    remediation:
      "Remove the internet source: administer hosts through SSM Session Manager, reach data stores only from the app tier's " +
      "security group, and serve the internet only on 443 (and 80 redirecting) through the DMZ's load balancer.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { type, name, props } = args;
    if (![...SECURITY_GROUP_TYPES, ...RULE_TYPES].includes(type)) args.notApplicable("not a security group or security group rule");
    for (const rule of rulesOf(type, name, props)) {
      if (rule.direction !== "ingress") continue;
      const admin = adminPortsIn(rule.flows);
      if (admin.length === 0) continue;
      for (const cidr of rule.cidrs) {
        const range = parseRange(cidr);
        if (range === undefined || !reachesInternet(range)) continue;
        const who = isDefaultRoute(range) ? `any internet address (${cidr})` : `the internet block ${cidr}`;
        reportViolation(`${rule.label} admits ${admin.join(", ")} from ${who}.`, undefined, openingKey(rule, [cidr]));
      }
    }
  },
});

import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { flag, tagsOf, text } from "../framework/props";
import { subnetsOf } from "../ec2/compute";
import { instanceUserData } from "../ec2/user-data";
import { isCustomerManagedKey } from "../kms/keys";
import { selectionsCovering } from "../backups/facts";
import { attachedVolumes, clusterOf, stackDatabaseHosts } from "./db-hosts";
import { isProd } from "../framework/environment";

const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
/** The setup parameter a member's bootstrap fetches (src/databases/member-setup.ts). */
const SETUP_FETCH = /ssm get-parameter --name '([^']+)'/g;

export const db02HighAvailability = defineStackPolicy({
  meta: {
    id: "DB-02",
    title: "Prod: every critical data domain runs a primary and a synchronous standby in distinct AZs",
    severity: "high",
    decisions: ["D5", "D7"],
    controls: { fsbp: ["RDS.5 (Multi-AZ, as the bar for self-managed databases)"], other: ["architecture.md §8 availability of the critical data"] },
    description:
      "In prod (environment=prod), the database hosts of each critical data domain (grouped by their db-cluster tag; an " +
      "untagged host is a domain of its own) are at least two, in at least two distinct availability zones (by their " +
      "subnets), each tagged data-class=critical, each with attached data volumes encrypted with a customer-managed KMS key " +
      "and picked by an AWS Backup selection, and the cluster's Patroni configuration (the setup parameter each member's " +
      "bootstrap fetches) turns synchronous_mode on.",
    remediation:
      "Give the domain two or three AZs in fitness-platform:databases.domains.<domain>.availabilityZones and set " +
      "databases.replication.synchronous: true; DatabaseHosts builds the Patroni members (docs/runbooks/database-failover.md).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, hosts } = stackDatabaseHosts(args);
    const prodHosts = hosts.filter(isProd);
    if (prodHosts.length === 0) args.notApplicable("the stack has no prod database hosts");
    const clusters = new Map<string, PolicyResource[]>();
    for (const h of prodHosts) clusters.set(clusterOf(h), [...(clusters.get(clusterOf(h)) ?? []), h]);
    const parameters = new Map(index.ofType(SSM_PARAMETER).map((p) => [text(p.props["name"]) ?? "", p] as const));

    for (const [cluster, members] of [...clusters.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const what = `critical data domain "${cluster}"`;
      const anchor = members[0].urn;
      if (members.length < 2) reportViolation(`${what} runs on ${members.length} host ("${members[0].name}"); prod needs a primary and a synchronous standby.`, anchor);
      const azs = new Set(members.flatMap((m) => subnetsOf(index, m).map((s) => text(s.props["availabilityZone"]) ?? s.name)));
      if (members.length >= 2 && azs.size < 2) reportViolation(`${what}: its ${members.length} hosts stand in one availability zone (${[...azs].join(", ") || "unknown"}); a standby must be in another AZ.`, anchor);
      for (const m of members) {
        const who = `host "${m.name}" of ${what}`;
        if (tagsOf(m.props)["data-class"] !== "critical") reportViolation(`${who} is not tagged data-class=critical.`, m.urn);
        const volumes = attachedVolumes(index, m);
        if (volumes.length === 0) reportViolation(`${who} has no attached data volume.`, m.urn);
        for (const { volume } of volumes) {
          if (volume === undefined) continue;
          if (flag(volume.props["encrypted"]) !== true || !isCustomerManagedKey(volume, "kmsKeyId", volume.props, "kmsKeyId")) {
            reportViolation(`data volume "${volume.name}" of ${who} is not encrypted with a customer-managed KMS key.`, volume.urn);
          }
          if (selectionsCovering(index, volume).length === 0) reportViolation(`data volume "${volume.name}" of ${who} is in no AWS Backup selection.`, volume.urn);
        }
      }
      if (members.length >= 2) {
        const confs = members.map((m) => {
          const names = [...instanceUserData(m.props).matchAll(SETUP_FETCH)].map((x) => x[1]);
          return names.map((n) => text(parameters.get(n)?.props["insecureValue"]) ?? text(parameters.get(n)?.props["value"]) ?? "").join("\n");
        });
        if (!confs.every((c) => /^\s*synchronous_mode: true$/m.test(c))) {
          reportViolation(`${what}: not every member's Patroni configuration sets synchronous_mode: true; a failover could lose acknowledged commits.`, anchor);
        }
      }
    }
  },
});

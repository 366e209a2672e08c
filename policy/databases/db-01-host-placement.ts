import { defineStackPolicy } from "../framework/define";
import { flag, tagsOf } from "../framework/props";
import { zoneTag } from "../framework/stack-index";
import { EIP, EIP_ASSOCIATION, subnetsOf } from "../ec2/compute";
import { isCustomerManagedKey } from "../kms/keys";
import { attachedVolumes, stackDatabaseHosts } from "./db-hosts";

export const db01HostPlacement = defineStackPolicy({
  meta: {
    id: "DB-01",
    title: "Database hosts only in the data zone, classified critical, unreachable from the internet, data under a CMK",
    severity: "high",
    decisions: ["D5", "D6"],
    controls: { fsbp: ["EC2.9", "EC2.3"], checkov: ["CKV_AWS_88", "CKV_AWS_189"], other: ["architecture.md §3 zones"] },
    description:
      "Every database host (an instance of the databases component, one tagged data-class=critical, or any instance in a " +
      "data-zone subnet) runs in a data-zone subnet, is tagged zone=data and data-class=critical (backup and audit rules " +
      "find critical data by that tag), has associatePublicIpAddress set to false and no elastic IP, and keeps its data on " +
      "attached EBS volumes that are encrypted with a customer-managed KMS key and tagged data-class=critical.",
    remediation:
      "Build database hosts with DatabaseHosts (src/databases): it places them in the data subnets with the tags, " +
      "associatePublicIpAddress: false and a gp3 data volume encrypted with the databases' key.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, hosts } = stackDatabaseHosts(args);
    for (const host of hosts) {
      const what = `database host "${host.name}"`;
      const subnets = subnetsOf(index, host);
      const outside = subnets.filter((s) => zoneTag(s) !== "data");
      if (subnets.length === 0) reportViolation(`${what} names no subnet of this stack; it must run in a data-zone subnet.`, host.urn);
      for (const s of outside) reportViolation(`${what} runs in subnet "${s.name}" of zone ${zoneTag(s) ?? "(untagged)"}; database hosts run only in the data zone.`, host.urn);
      const tags = tagsOf(host.props);
      if (tags["zone"] !== "data") reportViolation(`${what} is tagged zone=${tags["zone"] ?? "(none)"}; it must be tagged zone=data.`, host.urn);
      if (tags["data-class"] !== "critical") reportViolation(`${what} is tagged data-class=${tags["data-class"] ?? "(none)"}; it holds critical data (data-class=critical).`, host.urn);
      if (flag(host.props["associatePublicIpAddress"]) !== false) reportViolation(`${what} does not set associatePublicIpAddress: false.`, host.urn);
      const eips = [...index.referrers(host, [EIP], "instance"), ...index.referrers(host, [EIP_ASSOCIATION], "instanceId")];
      for (const eip of eips) reportViolation(`${what} has elastic IP "${eip.name}"; database hosts have no public address.`, host.urn);

      const volumes = attachedVolumes(index, host);
      if (volumes.length === 0) reportViolation(`${what} has no attached EBS data volume.`, host.urn);
      for (const { attachment, volume } of volumes) {
        if (volume === undefined) {
          reportViolation(`${what}: attachment "${attachment.name}" names no EBS volume of this stack.`, host.urn);
          continue;
        }
        if (flag(volume.props["encrypted"]) !== true || !isCustomerManagedKey(volume, "kmsKeyId", volume.props, "kmsKeyId")) {
          reportViolation(`data volume "${volume.name}" of ${what} is not encrypted with a customer-managed KMS key.`, volume.urn);
        }
        if (tagsOf(volume.props)["data-class"] !== "critical") reportViolation(`data volume "${volume.name}" of ${what} is not tagged data-class=critical.`, volume.urn);
      }
    }
  },
});

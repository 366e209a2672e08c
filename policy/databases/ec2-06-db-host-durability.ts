import { durabilityOf } from "../../src/conventions/durability";
import { defineStackPolicy } from "../framework/define";
import { at, flag, list, text } from "../framework/props";
import { attachedVolumes, stackDatabaseHosts } from "./db-hosts";
import { isProd } from "../framework/environment";

export const ec2DbHostDurability = defineStackPolicy({
  meta: {
    id: "EC2-06",
    title: "DB hosts: termination protection on, data volumes kept on termination, protected in prod",
    severity: "medium",
    decisions: ["D5", "D7"],
    controls: { other: ["awsguard ec2-volume-inuse (inverted: data volumes must survive termination)"] },
    description:
      "Every database host has disableApiTermination: true; its data lives on separate EBS volumes (aws.ebs.Volume plus " +
      "a VolumeAttachment), which terminating the instance does not delete, and no block device of the instance other " +
      "than the root is deleted on termination. In prod (environment=prod) the host, its data volumes and their " +
      "attachments are `protect`ed, so no `pulumi up` or `destroy` removes them without an explicit unprotect.",
    remediation:
      "Use DatabaseHosts (src/databases): it sets disableApiTermination, attaches a separate data volume and protects " +
      "(and retains) host, volume and attachment in prod. To rebuild a host, follow docs/runbooks/database-host.md.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const { index, hosts } = stackDatabaseHosts(args);
    for (const host of hosts) {
      const what = `database host "${host.name}"`;
      // dev is disposable (src/conventions/durability.ts): termination protection would block its destroy.
      const guarded = durabilityOf(isProd(host) ? "prod" : "dev").terminationProtection;
      if (guarded && flag(host.props["disableApiTermination"]) !== true) reportViolation(`${what} has no termination protection (disableApiTermination: true).`, host.urn);
      for (const device of list(host.props["ebsBlockDevices"])) {
        if (flag(at(device, "deleteOnTermination")) !== false) {
          reportViolation(`${what}: block device ${text(at(device, "deviceName")) ?? "?"} is deleted on termination; keep data on a separate volume.`, host.urn);
        }
      }
      const volumes = attachedVolumes(index, host);
      if (volumes.length === 0) reportViolation(`${what} keeps no data on a separate EBS volume, so terminating it would lose the data.`, host.urn);
      if (!isProd(host)) continue;
      for (const r of [host, ...volumes.flatMap(({ attachment, volume }) => (volume === undefined ? [attachment] : [attachment, volume]))]) {
        if (r.opts.protect !== true) reportViolation(`${r.name} (${what}) is not protected in prod; critical data must not be deletable by an update.`, r.urn);
      }
    }
  },
});

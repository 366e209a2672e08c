import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { tagsOf } from "../framework/props";
import { StackIndex, zoneTag } from "../framework/stack-index";
import { EBS_VOLUME, INSTANCE, SUBNET, subnetsOf } from "../ec2/compute";

/** Facts about the database hosts (D5) that the databases rules share. */
export const VOLUME_ATTACHMENT = "aws:ec2/volumeAttachment:VolumeAttachment";
export const POSTGRES_PORT = 5432;

/** The stack's database hosts, indexed; a stack without any makes the rule not applicable. */
export function stackDatabaseHosts(args: StackValidationArgs): { index: StackIndex; hosts: PolicyResource[] } {
  const index = new StackIndex(args.resources);
  const hosts = databaseHosts(index);
  if (hosts.length === 0) args.notApplicable("the stack has no database hosts");
  return { index, hosts };
}

/**
 * A database host is an instance of the databases component, one classified critical, or any
 * instance in a data-zone subnet: whichever way it is recognised, the rules for hosts of critical data
 * apply, so a host that lost a tag or landed in the data zone by mistake is still judged.
 */
export function databaseHosts(index: StackIndex): PolicyResource[] {
  return index.ofType(INSTANCE).filter((i) => {
    if (isConsensusNode(i)) return false;
    const tags = tagsOf(i.props);
    return tags["component"] === "databases" || tags["data-class"] === "critical" || subnetsOf(index, i).some((s) => zoneTag(s) === "data");
  });
}

/**
 * An etcd node of the Patroni clusters' consensus store: an instance of the databases component tagged
 * host-role=consensus that holds no critical data (a critical-tagged instance is always judged as a host).
 */
export function isConsensusNode(i: PolicyResource): boolean {
  const tags = tagsOf(i.props);
  return tags["component"] === "databases" && tags["host-role"] === "consensus" && tags["data-class"] !== "critical";
}

export function consensusNodes(index: StackIndex): PolicyResource[] {
  return index.ofType(INSTANCE).filter(isConsensusNode);
}

/** The Patroni cluster (data domain) a host belongs to: its db-cluster tag, else its own name. */
export function clusterOf(host: PolicyResource): string {
  return tagsOf(host.props)["db-cluster"] ?? host.name;
}

/** The separate EBS volumes attached to a host, with their attachments. */
export function attachedVolumes(index: StackIndex, host: PolicyResource): { attachment: PolicyResource; volume: PolicyResource | undefined }[] {
  return index.referrers(host, [VOLUME_ATTACHMENT], "instanceId").map((attachment) => ({
    attachment,
    volume: index.targets(attachment, "volumeId", [EBS_VOLUME])[0],
  }));
}


export { SUBNET };

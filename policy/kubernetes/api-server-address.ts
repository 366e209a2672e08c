import { Address4 } from "ip-address";
import { parseCidr } from "../../src/config/cidr";
import { at, text } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";

export const EKS_CLUSTER = "aws:eks/cluster:Cluster";

/**
 * The address pods dial for the Kubernetes API (`kubernetes.default`): the first host of the cluster's
 * pinned service CIDR. Undefined when no cluster pins one (EKS then picks 10.100.0.0/16 or
 * 172.20.0.0/16 depending on the VPC, so policies cannot name it reliably).
 */
export function apiServiceAddress(index: StackIndex): string | undefined {
  for (const cluster of index.ofType(EKS_CLUSTER)) {
    const cidr = parseCidr(text(at(cluster.props, "kubernetesNetworkConfig", "serviceIpv4Cidr")) ?? "");
    if (cidr !== undefined) return Address4.fromBigInt(cidr.first + 1n).correctForm();
  }
  return undefined;
}

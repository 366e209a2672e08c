import type { ConsensusConfig } from "../config/sections/databases";
import { physicalName } from "../conventions/naming";
import { type CertificateSpec, memberDnsName, serverCertificateSpec } from "./certificates";
import { renderEtcdConf } from "./etcd-conf";
import { type DataSubnetSlot, type HostPlacement, azLetter, placeHost } from "./placement";

/**
 * The consensus store of the Patroni clusters: one etcd node per configured AZ in the data zone, shared by
 * every domain's cluster (each under its own scope). Patroni keeps only leader locks, member state and
 * its dynamic configuration there; all of it is rebuilt by the members after a loss of the store (they
 * keep running read-write or read-only meanwhile), so the store is not backed up: its volume is
 * encrypted with the databases' key and snapshotted with the critical volumes anyway.
 */
export interface ConsensusNodePlan {
  readonly name: string;
  readonly az: string;
  readonly placement: HostPlacement;
  readonly dnsName: string;
  readonly certificate: CertificateSpec;
  readonly physicalName: string;
  readonly etcdConf: string;
}

export interface ConsensusPlan {
  readonly nodes: readonly ConsensusNodePlan[];
  readonly instanceType: string;
  readonly dataVolumeGiB: number;
  readonly clusterToken: string;
}

export function planConsensus(input: {
  readonly project: string;
  readonly stack: string;
  readonly config: ConsensusConfig;
  readonly dataSubnets: readonly DataSubnetSlot[];
  readonly privateZoneName: string;
}): ConsensusPlan {
  const scope = { project: input.project, stack: input.stack };
  const placed = input.config.availabilityZones.map((az, i) => {
    const name = `etcd-${azLetter(az)}`;
    return { name, az, placement: placeHost(name, input.dataSubnets, az, `fitness-platform:databases.consensus.availabilityZones[${i}]`) };
  });
  const cluster = placed.map((n) => ({ name: n.name, privateIp: n.placement.privateIp }));
  const clusterToken = physicalName(scope, "databases", "etcd");
  const nodes = placed.map((n) => {
    const dnsName = memberDnsName(n.name, input.privateZoneName);
    return {
      ...n,
      dnsName,
      certificate: serverCertificateSpec(dnsName, n.placement.privateIp, { clientAuth: true }),
      physicalName: physicalName(scope, "databases", n.name),
      etcdConf: renderEtcdConf({ node: { name: n.name, privateIp: n.placement.privateIp }, cluster, clusterToken }),
    };
  });
  return { nodes, instanceType: input.config.instanceType, dataVolumeGiB: input.config.dataVolumeGiB, clusterToken };
}

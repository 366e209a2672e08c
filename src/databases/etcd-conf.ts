import { renderYaml } from "../config/yaml-reader";
import { Address4 } from "ip-address";
import { HOST_LAYOUT } from "./host-layout";

/**
 * The configuration of one etcd node of the consensus store (etcd 3.4, Debian 12), as etcd's YAML
 * `--config-file` (with a config file etcd ignores its flags and ETCD_* variables: etcd 3.4
 * documentation, "Configuration flags"). Client and peer traffic are TLS with client certificates from
 * the internal CA (`client-cert-auth`), so only holders of a certificate of this stack's CA (database
 * members and the other nodes) get in, in addition to the security groups. The v2 API is off: Patroni
 * uses the v3 API (`etcd3`).
 */
export interface EtcdNode {
  readonly name: string;
  readonly privateIp: string;
}

export interface EtcdConfParams {
  readonly node: EtcdNode;
  readonly cluster: readonly EtcdNode[];
  /** The cluster token: the stack's store, so a node never joins another stack's cluster. */
  readonly clusterToken: string;
}

const L = HOST_LAYOUT;

export function renderEtcdConf(p: EtcdConfParams): string {
  for (const n of p.cluster) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(n.name)) throw new Error(`etcd node "${n.name}": allowed: lower-case letters, digits and hyphens`);
    if (!Address4.isValid(n.privateIp) || n.privateIp.includes("/")) throw new Error(`etcd node ${n.name} address "${n.privateIp}": allowed: an IPv4 address`);
  }
  if (!p.cluster.some((n) => n.name === p.node.name && n.privateIp === p.node.privateIp)) throw new Error(`etcd node ${p.node.name}: allowed: a member of its own cluster`);
  if (![1, 3, 5].includes(p.cluster.length)) throw new Error(`etcd cluster of ${p.cluster.length} nodes: allowed: 1, 3 or 5`);
  const tls = (clientAuth: boolean) => ({
    "cert-file": `${L.etcdTlsDirectory}/server.crt`,
    "key-file": `${L.etcdTlsDirectory}/server.key`,
    "trusted-ca-file": `${L.etcdTlsDirectory}/ca.crt`,
    "client-cert-auth": clientAuth,
  });
  const conf = {
    name: p.node.name,
    "data-dir": L.etcdDataDirectory,
    "listen-client-urls": `https://${p.node.privateIp}:${L.etcdClientPort}`,
    "advertise-client-urls": `https://${p.node.privateIp}:${L.etcdClientPort}`,
    "listen-peer-urls": `https://${p.node.privateIp}:${L.etcdPeerPort}`,
    "initial-advertise-peer-urls": `https://${p.node.privateIp}:${L.etcdPeerPort}`,
    "initial-cluster": p.cluster.map((n) => `${n.name}=https://${n.privateIp}:${L.etcdPeerPort}`).join(","),
    "initial-cluster-state": "new",
    "initial-cluster-token": p.clusterToken,
    "enable-v2": false,
    "client-transport-security": tls(true),
    "peer-transport-security": tls(true),
    // Patroni's keys are small; a compacted history keeps the store small without operator work.
    "auto-compaction-mode": "periodic",
    "auto-compaction-retention": "1h",
    "log-outputs": ["stderr"],
  };
  return `# Rendered by src/databases/etcd-conf.ts.\n${renderYaml(conf)}`;
}

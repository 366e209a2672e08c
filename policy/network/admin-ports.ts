import { FlowSet } from "./flows";

/**
 * Ports that administer a host or expose a data store, and must never be open to the internet. The
 * list joins AWS Security Hub EC2.19's high-risk ports, CIS AWS v3 5.2/5.3 (remote administration,
 * IPv4 and IPv6) and the database, cache and search ports Checkov and Trivy single out. HTTP(S) on
 * 80/443 is what the edge serves, and is not here.
 */
export const ADMIN_PORTS: ReadonlyArray<readonly [string, "tcp" | "udp", number, number?]> = [
  ["FTP", "tcp", 20, 21],
  ["SSH", "tcp", 22],
  ["Telnet", "tcp", 23],
  ["SMTP", "tcp", 25],
  ["POP3", "tcp", 110],
  ["RPC", "tcp", 135],
  ["NetBIOS", "tcp", 137, 139],
  ["NetBIOS", "udp", 137, 138],
  ["IMAP", "tcp", 143],
  ["SMB", "tcp", 445],
  ["MSSQL", "tcp", 1433, 1434],
  ["Oracle", "tcp", 1521],
  ["NFS", "tcp", 2049],
  ["etcd", "tcp", 2379, 2380],
  ["Docker", "tcp", 2375, 2376],
  ["dev servers", "tcp", 3000],
  ["MySQL", "tcp", 3306],
  ["RDP", "tcp", 3389],
  ["RDP", "udp", 3389],
  ["dev servers", "tcp", 4333],
  ["dev servers", "tcp", 5000],
  ["PostgreSQL", "tcp", 5432],
  ["dev servers", "tcp", 5500],
  ["Kibana", "tcp", 5601],
  ["VNC", "tcp", 5900, 5901],
  ["CouchDB", "tcp", 5984],
  ["WinRM", "tcp", 5985, 5986],
  ["Redis", "tcp", 6379],
  ["Kubernetes API", "tcp", 6443],
  ["Cassandra", "tcp", 7000, 7001],
  ["HTTP proxy", "tcp", 8080],
  ["HTTP proxy", "tcp", 8088],
  ["HTTP proxy", "tcp", 8888],
  ["Cassandra", "tcp", 9042],
  ["Elasticsearch", "tcp", 9200],
  ["Elasticsearch", "tcp", 9300],
  ["Kubelet", "tcp", 10250],
  ["Memcached", "tcp", 11211],
  ["Memcached", "udp", 11211],
  ["MongoDB", "tcp", 27017, 27018],
];

/** The administration ports among `flows`, as "RDP tcp/3389", "PostgreSQL tcp/5432". */
export function adminPortsIn(flows: FlowSet): string[] {
  const hits: string[] = [];
  for (const [name, protocol, from, to] of ADMIN_PORTS) {
    const hit = flows.intersect(FlowSet.of(protocol, from, to ?? from));
    if (!hit.isEmpty()) hits.push(`${name} ${hit.toString()}`);
  }
  return hits;
}

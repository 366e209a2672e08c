import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { StackIndex, zoneTag } from "../framework/stack-index";
import { FlowSet } from "../network/flows";
import { NetworkModelBuilder } from "../network/model";
import { SECURITY_GROUP, SECURITY_GROUP_TYPES } from "../network/security-groups";
import { consensusNodes, databaseHosts, POSTGRES_PORT } from "./db-hosts";

const POSTGRES = FlowSet.of("tcp", POSTGRES_PORT, POSTGRES_PORT);
/** Between members of a Patroni cluster: replication and pg_rewind (5432), Patroni's REST API (8008). */
const MEMBER_FLOWS = POSTGRES.union(FlowSet.of("tcp", 8008, 8008));
/** Into the etcd nodes: clients (2379) from members, peers (2380) from each other. */
const ETCD_CLIENT = FlowSet.of("tcp", 2379, 2379);
const ETCD_PEER = FlowSet.of("tcp", 2380, 2380);

export const net04DataTierIngress = defineStackPolicy({
  meta: {
    id: "NET-04",
    title: "Data-tier ingress only from app-tier security groups on 5432; no CIDR sources",
    severity: "critical",
    decisions: ["D5", "D6"],
    controls: { fsbp: ["EC2.18", "EC2.19"], cis: ["5.2", "5.3"] },
    description:
      "Every ingress rule of a data-tier security group (tagged zone=data, or attached to a database host), whether inline, " +
      "an aws.vpc ingress rule or an aws.ec2 security group rule, admits TCP 5432 only, and only from security groups of " +
      "the app zone (the EKS nodes and pods): no address block, no prefix list, no self-reference, no other port. The one " +
      "exception is a Patroni cluster's own traffic, between groups used by nothing but database hosts and etcd nodes: " +
      "5432 and 8008 from database-host groups into database-host groups, 2379 from database-host groups and 2380 from " +
      "etcd groups into etcd groups.",
    remediation:
      "Remove the rule, or replace it with an aws.vpc.SecurityGroupIngressRule on the data group with " +
      "referencedSecurityGroupId set to the app zone's group and fromPort = toPort = 5432 (DatabaseHosts does this).",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    /** The flows a rule may carry when every source is a cluster group; undefined when it is no cluster rule. */
    const clusterFlows = (target: string, refs: readonly string[], self: boolean): FlowSet | undefined => {
      const sources = [...refs, ...(self ? [target] : [])];
      if (sources.length === 0) return undefined;
      if (onlyUsedBy(target, "host") && sources.every((s) => onlyUsedBy(s, "host"))) return MEMBER_FLOWS;
      if (onlyUsedBy(target, "etcd")) {
        if (sources.every((s) => onlyUsedBy(s, "host"))) return ETCD_CLIENT;
        if (sources.every((s) => onlyUsedBy(s, "etcd"))) return ETCD_PEER;
      }
      return undefined;
    };
    const builder = new NetworkModelBuilder(index, { proxyComponents: [] });
    const dataGroups = new Map<string, PolicyResource>();
    for (const g of index.ofType(SECURITY_GROUP)) if (zoneTag(g) === "data") dataGroups.set(g.urn, g);
    for (const host of databaseHosts(index)) {
      for (const g of index.targets(host, "vpcSecurityGroupIds", SECURITY_GROUP_TYPES)) dataGroups.set(g.urn, g);
    }
    if (dataGroups.size === 0) args.notApplicable("the stack has no data-tier security groups");
    const byUrn = new Map(index.ofType(...SECURITY_GROUP_TYPES).map((g) => [g.urn, g] as const));
    // Groups used only by database hosts, or only by etcd nodes (and by at least one of them).
    const users = new Map<string, Set<"host" | "etcd" | "other">>();
    const hostUrns = new Set(databaseHosts(index).map((h) => h.urn));
    const etcdUrns = new Set(consensusNodes(index).map((h) => h.urn));
    for (const instance of index.ofType("aws:ec2/instance:Instance")) {
      const kind = hostUrns.has(instance.urn) ? "host" : etcdUrns.has(instance.urn) ? "etcd" : "other";
      for (const g of index.targets(instance, "vpcSecurityGroupIds", SECURITY_GROUP_TYPES)) {
        const set = users.get(g.urn) ?? new Set();
        set.add(kind);
        users.set(g.urn, set);
      }
    }
    const onlyUsedBy = (urn: string, kind: "host" | "etcd") => {
      const set = users.get(urn);
      return set !== undefined && set.size === 1 && set.has(kind);
    };
    for (const g of index.ofType(SECURITY_GROUP)) if (onlyUsedBy(g.urn, "etcd")) dataGroups.set(g.urn, g);

    for (const resource of dataGroups.values()) {
      const group = builder.group(resource);
      for (const rule of group.rules.filter((r) => r.direction === "ingress")) {
        const where = `${rule.label} of data-tier ${group.label}`;
        for (const cidr of rule.cidrs) reportViolation(`${where} admits the address block ${cidr}; only app-zone security groups may be sources.`, resource.urn);
        for (const list of rule.prefixLists) reportViolation(`${where} admits prefix list ${list}; only app-zone security groups may be sources.`, resource.urn);
        // A Patroni cluster's own traffic: allowed only between groups of database hosts and etcd nodes.
        const internal = clusterFlows(resource.urn, rule.refs, rule.self);
        if (internal !== undefined) {
          const extra = rule.flows.subtract(internal);
          if (!extra.isEmpty()) reportViolation(`${where} admits ${extra.toString()} between cluster members; allowed there: ${internal.toString()}.`, resource.urn);
          if (rule.cidrs.length > 0 || rule.prefixLists.length > 0) reportViolation(`${where} mixes address sources into a cluster-internal rule.`, resource.urn);
          continue;
        }
        if (rule.self) reportViolation(`${where} admits its own group (self); only app-zone security groups may be sources.`, resource.urn);
        for (const ref of rule.refs) {
          const source = byUrn.get(ref);
          if (source === undefined) reportViolation(`${where} admits security group ${ref.replace(/^external:/, "")}, which is not part of this stack.`, resource.urn);
          else if (zoneTag(source) !== "app") reportViolation(`${where} admits security group "${source.name}" of zone ${zoneTag(source) ?? "(untagged)"}; only the app zone may connect.`, resource.urn);
        }
        const extra = rule.flows.subtract(POSTGRES);
        if (!extra.isEmpty()) reportViolation(`${where} admits ${extra.toString()}; the data tier accepts tcp/${POSTGRES_PORT} only.`, resource.urn);
      }
    }
  },
});

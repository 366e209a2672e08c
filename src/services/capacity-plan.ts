/**
 * Node capacity (D1: every service scales on its own), pure. The cluster runs one managed node group
 * per availability zone and the Cluster Autoscaler moves each between its min and max; this plan checks
 * that the maxima are enough for every service at its HPA maximum (plus one rollout surge pod each) and
 * every platform workload at its maximum, with one availability zone lost. It is a model: requests are
 * what the scheduler packs, and a node's allocatable is its capacity less the kubelet and system
 * reservations EKS's AL2023 bootstrap applies and the per-node DaemonSets.
 */
import type { Catalog } from "../config/catalog-schema";
import type { ClusterConfig } from "../config/sections/cluster";
import { cpuMillis, memoryMiB } from "./quantity";

export interface InstanceShape {
  readonly vcpu: number;
  readonly memoryMiB: number;
  /** The VPC CNI's pod limit without prefix delegation: ENIs x (IPv4 per ENI - 1) + 2. */
  readonly maxPods: number;
}

/** Shapes (EC2 instance type specifications; max pods from the VPC CNI's eni-max-pods table). */
export const INSTANCE_SHAPES: Readonly<Record<string, InstanceShape>> = {
  "t3.large": { vcpu: 2, memoryMiB: 8192, maxPods: 35 },
  "t3.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 },
  "m6i.large": { vcpu: 2, memoryMiB: 8192, maxPods: 29 },
  "m6i.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 },
  "m6i.2xlarge": { vcpu: 8, memoryMiB: 32768, maxPods: 58 },
  "m7i.large": { vcpu: 2, memoryMiB: 8192, maxPods: 29 },
  "m7i.xlarge": { vcpu: 4, memoryMiB: 16384, maxPods: 58 },
};

/** kube-reserved CPU as EKS computes it: 6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above. */
function reservedCpuMillis(vcpu: number): number {
  const steps: [number, number][] = [[1, 60], [1, 10], [2, 5]];
  let left = vcpu;
  let total = 0;
  for (const [cores, perCore] of steps) {
    const n = Math.min(left, cores);
    total += n * perCore;
    left -= n;
  }
  return total + left * 2.5;
}

/** Per-node DaemonSets (aws-node with its policy agent, kube-proxy, pod identity agent, Fluent Bit): their requests. */
export const DAEMONSET_OVERHEAD = { cpuMillis: 300, memoryMiB: 512, pods: 4 } as const;

export interface Allocatable {
  readonly cpuMillis: number;
  readonly memoryMiB: number;
  readonly pods: number;
}

/** What one node offers to Deployments (capacity less reservations, eviction threshold and DaemonSets). */
export function allocatableFor(instanceType: string): Allocatable {
  const shape = INSTANCE_SHAPES[instanceType];
  if (shape === undefined) {
    throw new Error(`fitness-platform:cluster.nodeGroup.instanceTypes: "${instanceType}": allowed: one of ${Object.keys(INSTANCE_SHAPES).join(", ")} (its capacity is known to the sizing check)`);
  }
  const kubeReservedMemory = 255 + 11 * shape.maxPods;
  return {
    cpuMillis: shape.vcpu * 1000 - reservedCpuMillis(shape.vcpu) - DAEMONSET_OVERHEAD.cpuMillis,
    memoryMiB: shape.memoryMiB - kubeReservedMemory - 100 - DAEMONSET_OVERHEAD.memoryMiB,
    pods: shape.maxPods - DAEMONSET_OVERHEAD.pods,
  };
}

export interface Demand {
  readonly name: string;
  readonly pods: number;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** A platform workload at its maximum: pods x per-pod requests. */
export const platformDemand = (name: string, pods: number, cpu: string, memory: string): Demand => ({
  name,
  pods,
  cpuMillis: pods * cpuMillis(cpu),
  memoryMiB: pods * memoryMiB(memory),
});

/** Every catalog service at its HPA maximum plus one surge pod of a rollout. */
export function serviceDemand(catalog: Catalog): Demand[] {
  return Object.entries(catalog.services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => platformDemand(name, s.replicas.max + 1, s.resources.cpuRequest, s.resources.memoryRequest));
}

export interface CapacityPlan {
  readonly demand: Demand;
  /** Nodes the surviving zones can run: (zones - 1) x maxSize. */
  readonly nodesAfterZoneLoss: number;
  readonly capacity: Allocatable;
}

/**
 * Checks that with one zone lost the remaining node groups at their maxima hold the whole demand
 * (CPU, memory and pod slots). The smallest instance type of the list is assumed (the autoscaler may
 * launch any of them). Throws one line naming the key and the minimum that would fit.
 */
export function planCapacity(cluster: ClusterConfig, zones: number, demands: readonly Demand[]): CapacityPlan {
  if (zones < 2) throw new Error(`fitness-platform:network.availabilityZones: ${zones} zone(s): allowed: 2 or more (the cluster must survive the loss of one)`);
  const smallest = cluster.nodeGroup.instanceTypes.map(allocatableFor).reduce((a, b) => (a.cpuMillis <= b.cpuMillis ? a : b));
  const total = demands.reduce((sum, d) => ({ name: "total", pods: sum.pods + d.pods, cpuMillis: sum.cpuMillis + d.cpuMillis, memoryMiB: sum.memoryMiB + d.memoryMiB }), {
    name: "total",
    pods: 0,
    cpuMillis: 0,
    memoryMiB: 0,
  });
  const nodesNeeded = Math.max(
    Math.ceil(total.cpuMillis / smallest.cpuMillis),
    Math.ceil(total.memoryMiB / smallest.memoryMiB),
    Math.ceil(total.pods / smallest.pods),
  );
  const surviving = zones - 1;
  const nodesAfterZoneLoss = surviving * cluster.nodeGroup.maxSize;
  if (nodesAfterZoneLoss < nodesNeeded) {
    const minimum = Math.ceil(nodesNeeded / surviving);
    throw new Error(
      `fitness-platform:cluster.nodeGroup.maxSize = ${cluster.nodeGroup.maxSize}: allowed: >= ${minimum} per zone (every workload at its maximum needs ${nodesNeeded} nodes of ${cluster.nodeGroup.instanceTypes.join("/")} with one of ${zones} zones lost: ${total.cpuMillis}m CPU, ${total.memoryMiB}Mi, ${total.pods} pods)`,
    );
  }
  return { demand: total, nodesAfterZoneLoss, capacity: smallest };
}

/**
 * Every Helm chart the cluster installs, for the mirror job (it copies each into this account's ECR as an
 * OCI artifact, `<project>/charts/<name>`, at the version the stack pins) and for the releases, which
 * read them only from there (`chartReference` in images.ts).
 */
import type { ClusterConfig } from "../config/sections/cluster";
import { AUTOSCALER_CHART } from "./autoscaler-plan";
import { GATEWAY_CHART, LB_CONTROLLER_CHART } from "./gateway-plan";

export interface ChartMirror {
  readonly name: string;
  readonly upstream: string;
  readonly version: string;
}

export function chartMirrors(cluster: ClusterConfig): ChartMirror[] {
  return [
    { ...GATEWAY_CHART, version: cluster.ingressGateway.chartVersion },
    { ...LB_CONTROLLER_CHART, version: cluster.loadBalancerController.chartVersion },
    { ...AUTOSCALER_CHART, version: cluster.clusterAutoscaler.chartVersion },
  ];
}

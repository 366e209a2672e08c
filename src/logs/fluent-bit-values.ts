/**
 * Values for the official `fluent/fluent-bit` Helm chart (pure). The image comes from this account's
 * ECR mirror, pinned by tag and digest; the pod reads node logs read-only and keeps its state on the
 * node, with every privilege dropped that tailing files owned by root does not need.
 */
import type { FluentBitConfig } from "./fluent-bit-config";
import { FLUENT_BIT_HTTP_PORT, FLUENT_BIT_PATHS } from "./fluent-bit-config";

/**
 * The chart, installed from this account's ECR (`<project>/charts/fluent-bit`, an OCI artifact the mirror
 * job wraps from the upstream HTTP repository's archive after checking its pinned SHA-256): nodes and
 * the deployer fetch no chart from the internet. Fluent's OCI charts (ghcr.io) start after 0.48.x.
 */
export const FLUENT_BIT_CHART = { name: "fluent-bit", upstream: "https://fluent.github.io/helm-charts" } as const;
export const FLUENT_BIT_NAMESPACE = "logging";
export const FLUENT_BIT_SERVICE_ACCOUNT = "fluent-bit";
export const FLUENT_BIT_MIRROR_NAME = "fluent-bit";

export interface MirroredImage {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<project>/mirror/<name>`: where the pipeline mirrors third-party images. */
export function ecrMirrorRepository(args: { accountId: string; region: string; project: string; name: string }): string {
  return `${args.accountId}.dkr.ecr.${args.region}.amazonaws.com/${args.project}/mirror/${args.name}`;
}

/** `tag@digest`: the chart joins repository and tag, so the digest pins the image whatever the chart version. */
export const pinnedTag = (image: MirroredImage) => `${image.tag}@${image.digest}`;

export function fluentBitChartValues(args: { image: MirroredImage; config: FluentBitConfig }): Record<string, unknown> {
  const { image, config } = args;
  return {
    kind: "DaemonSet",
    image: { repository: image.repository, tag: pinnedTag(image), pullPolicy: "IfNotPresent" },
    // The chart's test hook pulls busybox from Docker Hub, which nodes cannot reach (and K8S-03 forbids).
    testFramework: { enabled: false },
    serviceAccount: { create: true, name: FLUENT_BIT_SERVICE_ACCOUNT },
    rbac: { create: true, nodeAccess: false },
    hostNetwork: false,
    podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
    // Container log files are root-owned 0640: uid 0 reads them as owner, with no capability at all.
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    // Every node, whatever its taints: a node without a log shipper loses its logs.
    tolerations: [{ operator: "Exists" }],
    service: { type: "ClusterIP", port: FLUENT_BIT_HTTP_PORT },
    livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 10 },
    readinessProbe: { httpGet: { path: "/api/v1/health", port: "http" }, periodSeconds: 10 },
    serviceMonitor: { enabled: false },
    daemonSetVolumes: [
      { name: "varlog", hostPath: { path: "/var/log" } },
      { name: "state", hostPath: { path: FLUENT_BIT_PATHS.state, type: "DirectoryOrCreate" } },
    ],
    daemonSetVolumeMounts: [
      { name: "varlog", mountPath: "/var/log", readOnly: true },
      { name: "state", mountPath: FLUENT_BIT_PATHS.state },
    ],
    config: {
      service: config.service,
      inputs: config.inputs,
      filters: config.filters,
      outputs: config.outputs,
      customParsers: "",
    },
  };
}

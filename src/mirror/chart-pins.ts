/**
 * The pinned upstream digest of every Helm chart version the platform installs (architecture §6:
 * charts by digest). The mirror job copies a chart only when its upstream matches the pin
 * (scripts/mirror.sh charts). What the digest is depends on how the upstream publishes:
 *
 * - an OCI repository (`oci://...`): the manifest digest of `<repository>:<version>`, what `helm pull`
 *   prints as `Digest:` and `skopeo inspect --raw | sha256sum` computes;
 * - an HTTP chart repository: the SHA-256 of the chart archive (`<chart>-<version>.tgz`), what the
 *   repository's `index.yaml` states as the entry's `digest`.
 *
 * A version without a pin is refused by the mirror job; adding one is a reviewed change. Sources of each
 * pin are in docs/decisions.md ("Helm charts by digest").
 */
export interface ChartPin {
  readonly digest: string;
  /** Where the pin was read (public record of the value). */
  readonly source: string;
}

export const CHART_PINS: Readonly<Record<string, ChartPin>> = {
  "gateway-helm@v1.9.1": {
    digest: "sha256:91bae9aedb91ab34731e987afe01a3ccf454393015abeca705eea8ee15553e86",
    source: "`helm install eg oci://docker.io/envoyproxy/gateway-helm --version v1.9.1` output: `Pulled: docker.io/envoyproxy/gateway-helm:v1.9.1 / Digest: sha256:91bae9ae…`",
  },
  "aws-load-balancer-controller@1.14.1": {
    digest: "sha256:5b9f5bf3d7295d0c61eda2a7aea8c7f3369d51eca406c3dc032b84eacc3893d3",
    source: "a deployment record of the eks-charts chart 1.14.1 (app v2.14.1): archive SHA-256 verified before `helm install`",
  },
  "cluster-autoscaler@9.54.0": {
    digest: "sha256:fea7e69e72cd83339a2612b069093a6539687eb2f5de649d036cf8555d5ede40",
    source:
      "kubernetes/autoscaler, branch gh-pages (served as https://kubernetes.github.io/autoscaler/index.yaml), commit 02bb9bcc742e9608cc4174abc9dd2db9381cd2f0: " +
      "entry cluster-autoscaler 9.54.0 (appVersion 1.35.0, created 2025-12-10), `digest: fea7e69e…de40`",
  },
  "fluent-bit@0.48.9": {
    digest: "sha256:bbc6500b93ab4dca44872d6ab9fb0ac6b84409202c952a6802b62ef03c5e6dc8",
    source:
      "fluent/helm-charts, branch gh-pages (served as https://fluent.github.io/helm-charts/index.yaml), commit 26ab9954df98e99b4ae71e4d2af8712c0a8c3725: " +
      "entry fluent-bit 0.48.9 (appVersion 3.2.8, created 2025-03-04), `digest: bbc6500b…6dc8`",
  },
};

/** `<chart>@<version>`: the key of a pin. */
export const chartPinKey = (chart: string, version: string): string => `${chart}@${version}`;

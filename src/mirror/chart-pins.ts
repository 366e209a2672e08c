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
};

/** `<chart>@<version>`: the key of a pin. */
export const chartPinKey = (chart: string, version: string): string => `${chart}@${version}`;

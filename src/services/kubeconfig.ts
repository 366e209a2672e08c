/**
 * The kubeconfig of the Kubernetes provider (pure): the cluster's endpoint and CA, and a token from
 * `aws eks get-token` with the deployer's own credentials, so no long-lived Kubernetes secret exists.
 */
export function kubeconfig(args: { clusterName: string; endpoint: string; caData: string; region: string }): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: args.clusterName, cluster: { server: args.endpoint, "certificate-authority-data": args.caData } }],
    contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user: "deployer" } }],
    "current-context": args.clusterName,
    users: [
      {
        name: "deployer",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region, "--output", "json"],
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}

/** A small prod-like set of facts for the per-check tests; each test changes what it exercises. */
import type { PreflightFacts } from "../../../src/preflight/types";

export const ACCOUNT = "222222222222";
export const NOW = new Date("2026-12-03T12:00:00Z");
export const DIGEST = `sha256:${"b4".repeat(32)}`;

export function baseFacts(): PreflightFacts {
  return {
    project: "fitness-platform",
    stack: "prod",
    environment: "prod",
    region: "eu-central-1",
    allowedAccountIds: [ACCOUNT],
    availabilityZones: ["eu-central-1a", "eu-central-1b"],
    amis: [
      { amiId: "ami-0c4e1d2b3a5f60718", role: "databases", key: "fitness-platform:databases.amiId", instanceTypes: ["r6i.large"] },
      { amiId: "ami-0a9e0c5d2b7f41c83", role: "proxy", key: "fitness-platform:egress.proxy.amiId", instanceTypes: ["t3.medium"] },
    ],
    edge: { domainName: "api.fitness.gymco.de", certificate: { mode: "dns-validated", hostedZoneId: "Z07PRODFITNESS" } },
    images: [
      { repository: "fitness-platform/mirror/fluent-bit", tag: "3.2.10", digest: DIGEST, key: "fitness-platform:images.mirrored[0]" },
      { repository: "fitness-platform/services/users", tag: "1.4.2", key: "fitness-platform:images.serviceTags.users" },
    ],
    charts: [{ chart: "fluent-bit", version: "0.48.9", repository: "fitness-platform/charts/fluent-bit" }],
    packageMirror: {
      bucket: "fitness-debian-mirror-222222222222",
      region: "eu-central-1",
      indexes: ["debian/dists/bookworm/main/binary-amd64/Packages", "debian-security/dists/bookworm-security/main/binary-amd64/Packages"],
      packages: [{ name: "postgresql-15" }, { name: "pgbackrest" }],
    },
    serviceLinkedRoles: [{ roleName: "AWSServiceRoleForAutoScaling", service: "autoscaling.amazonaws.com", createdByStack: false, adoptedByStack: false, neededBy: "account-ebs-key" }],
    capacity: [
      { purpose: "databases-personal-data-host", instanceTypes: ["r6i.large"], count: 2, tenancy: "dedicated" },
      { purpose: "services-cluster-nodes (max 9 + update surge 6)", instanceTypes: ["m6i.xlarge"], count: 15, tenancy: "default" },
    ],
    interfaceEndpoints: ["ecr.api", "email-smtp"],
    kubernetesVersion: "1.33",
    addons: [{ name: "vpc-cni", version: "v1.19.5-eksbuild.1" }],
    email: { identity: "fitness.gymco.de", fromAddress: "no-reply@fitness.gymco.de", createdByStack: true, adoptedByStack: false, hostedZoneId: "Z07PRODFITNESS" },
    buckets: [
      { name: "fitness-platform-prod-logs-app-222222222222", region: "eu-central-1" },
      { name: "fitness-platform-prod-backups-pitr-eu-west-1-222222222222", region: "eu-west-1" },
    ],
    configValues: [
      { key: "fitness-platform:edge.domainName", value: "api.fitness.gymco.de" },
      { key: "fitness-platform:messaging.operationsEmails[0]", value: "platform-ops@gymco.de" },
    ],
  };
}

import { describe, expect, it } from "vitest";
import { k8sRbac } from "../../policy/kubernetes/k8s-07-rbac";
import { k8sSecretsByValue } from "../../policy/kubernetes/k8s-08-secrets-by-value";
import { audit, findings } from "./support/audit";
import { FixtureStack } from "./support/fixture-stack";

/**
 * K8S-07 (RBAC escalation, impersonation, cluster-wide Secret reads, wildcards; the shapes Kyverno's
 * restrict-* policies and Checkov CKV_K8S_49/157/158 test) and K8S-08 (secrets passed by value).
 */
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";

function clusterRole(fx: FixtureStack, name: string, rules: unknown[], kind: "ClusterRole" | "Role" = "ClusterRole") {
  fx.add(`${RBAC}:${kind}`, name, { apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name, ...(kind === "Role" ? { namespace: "orders" } : {}) }, rules });
}

function binding(fx: FixtureStack, name: string, kind: "ClusterRoleBinding" | "RoleBinding", roleRef: string, subjects: unknown[]) {
  fx.add(`${RBAC}:${kind}`, name, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name, ...(kind === "RoleBinding" ? { namespace: "orders" } : {}) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleRef },
    subjects,
  });
}

const rbacKeys = async (fx: FixtureStack) => findings(await audit(fx, [k8sRbac]), "K8S-07").map((v) => v.finding).sort();
const SA = [{ kind: "ServiceAccount", name: "orders", namespace: "orders" }];

describe("K8S-07 RBAC", () => {
  it.each([
    ["escalate", { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate"] }, ["verb escalate on clusterroles"]],
    ["bind", { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["bind", "create"] }, ["verb bind on rolebindings"]],
    ["impersonate", { apiGroups: [""], resources: ["users", "groups", "serviceaccounts"], verbs: ["impersonate"] }, ["verb impersonate on users,groups,serviceaccounts"]],
    ["wildcard verbs", { apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }, ["verbs * on deployments"]],
    ["wildcard resources and groups", { apiGroups: ["*"], resources: ["*"], verbs: ["get"] }, ["apiGroups * *", "resources * get"]],
    ["nodes/proxy", { apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }, ["nodes/proxy"]],
  ])("fails a role granting %s", async (_name, rule, expected) => {
    const fx = new FixtureStack();
    clusterRole(fx, "risky", [rule]);
    binding(fx, "risky", "RoleBinding", "risky", SA);
    expect(await rbacKeys(fx)).toEqual(expected);
  });

  it("fails a ClusterRole reading Secrets bound cluster-wide, and passes it bound in one namespace", async () => {
    const wide = new FixtureStack();
    clusterRole(wide, "secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }]);
    binding(wide, "secret-reader", "ClusterRoleBinding", "secret-reader", SA);
    expect(await rbacKeys(wide)).toEqual(["cluster-wide secrets read"]);

    const scoped = new FixtureStack();
    clusterRole(scoped, "secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }]);
    binding(scoped, "secret-reader", "RoleBinding", "secret-reader", SA);
    expect(await rbacKeys(scoped)).toEqual([]);
  });

  it("fails cluster-admin and bindings to anonymous or system:masters", async () => {
    const fx = new FixtureStack();
    binding(fx, "admins", "ClusterRoleBinding", "cluster-admin", [{ kind: "Group", name: "system:masters", apiGroup: "rbac.authorization.k8s.io" }]);
    binding(fx, "anyone", "RoleBinding", "view", [{ kind: "Group", name: "system:unauthenticated", apiGroup: "rbac.authorization.k8s.io" }]);
    expect(await rbacKeys(fx)).toEqual(["cluster-admin", "group system:masters", "group system:unauthenticated"]);
  });

  it("passes a namespaced role naming its verbs and resources", async () => {
    const fx = new FixtureStack();
    clusterRole(fx, "reader", [{ apiGroups: [""], resources: ["configmaps", "secrets"], resourceNames: ["orders-db"], verbs: ["get"] }], "Role");
    binding(fx, "reader", "RoleBinding", "reader", SA);
    expect(await rbacKeys(fx)).toEqual([]);
  });
});

function deployment(fx: FixtureStack, env: unknown[], args: string[] = []) {
  fx.add("kubernetes:apps/v1:Deployment", "orders", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "orders", namespace: "orders" },
    spec: { template: { metadata: { labels: { app: "orders" } }, spec: { containers: [{ name: "app", image: "x", env, args }] } } },
  });
}

const valueKeys = async (fx: FixtureStack) => findings(await audit(fx, [k8sSecretsByValue]), "K8S-08").map((v) => v.finding).sort();

describe("K8S-08 secrets passed by value", () => {
  it.each([
    [[{ name: "DB_PASSWORD", value: "Tr41n1ng!" }], ["app env DB_PASSWORD"]],
    [[{ name: "stripeApiKey", value: "sk_live_abcdef123456" }], ["app env stripeApiKey"]],
    [[{ name: "DATABASE_URL", value: "postgres://orders:s3cret@db.internal:5432/orders" }], ["app env DATABASE_URL a URI with embedded credentials"]],
    [[{ name: "CONFIG", value: "aws_access_key_id=AKIAIOSFODNN7EXAMPLE" }], ["app env CONFIG an AWS access key id"]],
  ])("fails %j", async (env, expected) => {
    const fx = new FixtureStack();
    deployment(fx, env);
    expect(await valueKeys(fx)).toEqual(expected);
  });

  it("fails credentials in arguments and in ConfigMaps", async () => {
    const fx = new FixtureStack();
    deployment(fx, [], ["--broker=amqp://app:hunter22@mq.internal:5672"]);
    fx.add("kubernetes:core/v1:ConfigMap", "orders-config", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "orders-config", namespace: "orders" }, data: { "api-token": "abc123def456", DATABASE_URL: "postgres://u:p4ssw0rd@db/x" } });
    expect(await valueKeys(fx)).toEqual(["app args a URI with embedded credentials", "data DATABASE_URL a URI with embedded credentials", "data api-token"]);
  });

  it("passes references and harmless values", async () => {
    const fx = new FixtureStack();
    deployment(fx, [
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "orders-db", key: "password" } } },
      { name: "DATABASE_URL", value: "postgres://orders@db.internal:5432/orders" },
      { name: "DB_PASSWORD_FILE", value: "/var/run/secrets/db/password" },
      { name: "TOKEN_AUDIENCE_URL", value: "$(AUDIENCE)" },
      { name: "LOG_LEVEL", value: "info" },
    ]);
    fx.add("kubernetes:core/v1:ConfigMap", "orders-ca", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "orders-ca", namespace: "orders" }, data: { "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", host: "db.internal" } });
    expect(await valueKeys(fx)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import {
  HTTPS_ENDPOINTS,
  INTERFACE_ENDPOINTS,
  eksAddonRegistryAccount,
  endpointKey,
  endpointServiceName,
  interfaceEndpointPolicy,
  s3GatewayEndpointPolicy,
} from "../../src/network/endpoint-plan";
import { FLOW_LOG_FORMAT, planFlowLog } from "../../src/network/flow-log-plan";

const scope = { accountId: "222222222222", region: "eu-central-1" };
const spec = (service: string) => {
  const found = INTERFACE_ENDPOINTS.find((e) => e.service === service);
  if (!found) throw new Error(`no endpoint ${service}`);
  return found;
};

/**
 * A tiny evaluator of one endpoint policy for one request, enough for the perimeter's conditions:
 * StringEquals / StringEqualsIfExists on single-valued keys, Action prefix wildcards, Resource "*" or
 * ARN prefix wildcards. Returns whether the policy allows the request.
 */
function allows(policy: ReturnType<typeof s3GatewayEndpointPolicy> | undefined, request: { action: string; resource: string; keys: Record<string, string | undefined> }): boolean {
  if (policy === undefined) return true;
  const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
  return policy.Statement.some((s) => {
    const actionOk = s.Action.some((a) => glob(a, request.action));
    const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
    const resourceOk = resources.some((r) => glob(r, request.resource));
    const conditionOk = Object.entries(s.Condition ?? {}).every(([operator, body]) =>
      Object.entries(body).every(([key, expected]) => {
        const value = request.keys[key];
        const wanted = Array.isArray(expected) ? expected : [expected];
        if (value === undefined) return operator.endsWith("IfExists");
        return wanted.includes(value);
      }),
    );
    return actionOk && resourceOk && conditionOk;
  });
}

describe("interface endpoints", () => {
  it("cover every AWS API the workloads and hosts use, each once", () => {
    const services = INTERFACE_ENDPOINTS.map((e) => e.service);
    for (const needed of ["ecr.api", "ecr.dkr", "sts", "ec2", "elasticloadbalancing", "logs", "sqs", "sns", "kms", "secretsmanager", "ssm", "ssmmessages", "ec2messages", "autoscaling", "eks", "eks-auth", "monitoring", "email-smtp"]) {
      expect(services).toContain(needed);
    }
    expect(new Set(services).size).toBe(services.length);
    expect(HTTPS_ENDPOINTS.map((e) => e.service)).not.toContain("email-smtp");
    expect(spec("email-smtp").port).toBe(587);
  });

  it("names: service names and logical keys", () => {
    expect(endpointServiceName("eu-central-1", "ecr.dkr")).toBe("com.amazonaws.eu-central-1.ecr.dkr");
    expect(endpointKey("ecr.api")).toBe("ecr-api");
  });

  it("every endpoint with a policy admits only this account's principals", () => {
    for (const e of INTERFACE_ENDPOINTS) {
      const policy = interfaceEndpointPolicy(e, scope);
      if (e.policy === "none") {
        expect(policy, e.service).toBeUndefined();
        continue;
      }
      const action = `${e.actionPrefixes[0]}:SomeAction`;
      const resource = `arn:aws:${e.actionPrefixes[0]}:eu-central-1:222222222222:thing/x`;
      expect(allows(policy, { action, resource, keys: { "aws:PrincipalAccount": "222222222222", "aws:ResourceAccount": "222222222222" } }), e.service).toBe(true);
      expect(allows(policy, { action, resource, keys: { "aws:PrincipalAccount": "999999999999", "aws:ResourceAccount": "222222222222" } }), e.service).toBe(false);
      // Another service's actions are not served by this endpoint's policy.
      expect(allows(policy, { action: "iam:CreateUser", resource: "*", keys: { "aws:PrincipalAccount": "222222222222" } }), e.service).toBe(false);
    }
  });

  it("resource-scoped endpoints refuse another account's resources (no exfiltration to a foreign queue or key)", () => {
    for (const service of ["sqs", "sns", "kms", "secretsmanager", "logs"]) {
      const policy = interfaceEndpointPolicy(spec(service), scope);
      expect(allows(policy, { action: `${service}:Send`, resource: "*", keys: { "aws:PrincipalAccount": "222222222222", "aws:ResourceAccount": "999999999999" } }), service).toBe(false);
    }
  });

  it("ECR admits this account's registry and EKS's add-on registry, nobody else's", () => {
    const policy = interfaceEndpointPolicy(spec("ecr.dkr"), scope);
    const pull = (account: string) => allows(policy, { action: "ecr:BatchGetImage", resource: "*", keys: { "aws:PrincipalAccount": "222222222222", "aws:ResourceAccount": account } });
    expect(pull("222222222222")).toBe(true);
    expect(pull("602401143452")).toBe(true);
    expect(pull("123456789012")).toBe(false);
    // GetAuthorizationToken has no resource account.
    expect(allows(policy, { action: "ecr:GetAuthorizationToken", resource: "*", keys: { "aws:PrincipalAccount": "222222222222" } })).toBe(true);
  });

  it("STS admits web-identity calls (no caller account) only for this account's roles", () => {
    const policy = interfaceEndpointPolicy(spec("sts"), scope);
    expect(allows(policy, { action: "sts:AssumeRoleWithWebIdentity", resource: "*", keys: { "aws:ResourceAccount": "222222222222" } })).toBe(true);
    expect(allows(policy, { action: "sts:AssumeRoleWithWebIdentity", resource: "*", keys: { "aws:ResourceAccount": "999999999999" } })).toBe(false);
    expect(allows(policy, { action: "sts:AssumeRole", resource: "*", keys: { "aws:PrincipalAccount": "999999999999", "aws:ResourceAccount": "222222222222" } })).toBe(false);
  });

  it("the EKS add-on registry is known for the platform's region and unknown regions fail loudly", () => {
    expect(eksAddonRegistryAccount("eu-central-1")).toBe("602401143452");
    expect(eksAddonRegistryAccount("af-south-1")).toBe("877085696533");
    expect(() => eksAddonRegistryAccount("xx-nowhere-1")).toThrow(/region "xx-nowhere-1": no EKS add-on image registry account is known; allowed: /);
  });
});

describe("S3 gateway endpoint policy", () => {
  const policy = s3GatewayEndpointPolicy(scope);

  it("admits this account's principals on this account's buckets", () => {
    expect(allows(policy, { action: "s3:PutObject", resource: "arn:aws:s3:::fitness-prod-backups/x", keys: { "aws:PrincipalAccount": "222222222222", "aws:ResourceAccount": "222222222222" } })).toBe(true);
  });

  it("refuses writes to another account's bucket (exfiltration through the endpoint)", () => {
    expect(allows(policy, { action: "s3:PutObject", resource: "arn:aws:s3:::attacker-bucket/x", keys: { "aws:PrincipalAccount": "222222222222", "aws:ResourceAccount": "999999999999" } })).toBe(false);
    expect(allows(policy, { action: "s3:PutObject", resource: "arn:aws:s3:::attacker-bucket/x", keys: { "aws:PrincipalAccount": "999999999999", "aws:ResourceAccount": "999999999999" } })).toBe(false);
  });

  it("admits reads of ECR image layers (pre-signed by ECR) but no writes there", () => {
    const layer = "arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/sha256/abc";
    expect(allows(policy, { action: "s3:GetObject", resource: layer, keys: { "aws:ResourceAccount": "111122223333" } })).toBe(true);
    expect(allows(policy, { action: "s3:PutObject", resource: layer, keys: { "aws:PrincipalAccount": "222222222222", "aws:ResourceAccount": "111122223333" } })).toBe(false);
  });
});

describe("flow log plan", () => {
  it("all traffic, to flow-logs/ in the archive, Parquet with hourly Hive partitions", () => {
    const plan = planFlowLog("arn:aws:s3:::fitness-platform-dev-logs-app", 600);
    expect(plan).toMatchObject({
      trafficType: "ALL",
      logDestinationType: "s3",
      logDestination: "arn:aws:s3:::fitness-platform-dev-logs-app/flow-logs/",
      maxAggregationInterval: 600,
      destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
    });
    expect(FLOW_LOG_FORMAT).toContain("${pkt-dstaddr}");
    expect(FLOW_LOG_FORMAT.startsWith("${version} ${account-id}")).toBe(true);
  });

  it("refuses a destination that is not a bucket ARN", () => {
    expect(() => planFlowLog("arn:aws:logs:eu-central-1:1:log-group:x", 60)).toThrow(/allowed: the ARN of an S3 bucket/);
  });
});

describe("package mirror through the S3 gateway endpoint", () => {
  it("admits anonymous reads of the configured mirror bucket only, and nothing when there is none", async () => {
    const { s3GatewayEndpointPolicy } = await import("../../src/network/endpoint-plan");
    const { packageMirrorBuckets } = await import("../../src/databases/package-mirror");
    const buckets = packageMirrorBuckets({ packageSource: "mirror", mirrorUrl: "https://fitness-deb-mirror.s3.eu-central-1.amazonaws.com/debian" });
    expect(buckets).toEqual(["fitness-deb-mirror"]);
    const policy = s3GatewayEndpointPolicy({ accountId: "123456789012", region: "eu-central-1", mirrorBuckets: buckets });
    const mirror = policy.Statement.find((s) => s.Sid === "PackageMirrorsReadOnly");
    expect(mirror?.Action).toEqual(["s3:GetObject"]);
    expect(mirror?.Resource).toEqual(["arn:aws:s3:::fitness-deb-mirror/*"]);
    expect(packageMirrorBuckets({ packageSource: "proxy" })).toEqual([]);
    const none = s3GatewayEndpointPolicy({ accountId: "123456789012", region: "eu-central-1", mirrorBuckets: [] });
    expect(none.Statement.map((s) => s.Sid)).not.toContain("PackageMirrorsReadOnly");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { log01CloudTrail } from "../../policy/logs/log-01-cloudtrail";
import { log02LogGroups } from "../../policy/logs/log-02-log-groups";
import { log03LogDestinations } from "../../policy/logs/log-03-log-destinations";
import { s3LogBuckets } from "../../policy/logs/s3-05-log-buckets";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { edit, find, type Json, without } from "../support/snapshot-edit";
import { evaluate } from "../support/stack-policy";
import { ROOT } from "../support/stack-config";

/**
 * LOG-01, LOG-02, LOG-03 and S3-05 against the real dev and prod stacks (synthesized under mocks),
 * and against crafted violations made by editing those snapshots.
 */
const snapshots: Record<"dev" | "prod", StackExport> = {} as Record<"dev" | "prod", StackExport>;

beforeAll(async () => {
  for (const stack of ["dev", "prod"] as const) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

/** A deep copy of a stack's resources to edit. */
const copy = (stack: "dev" | "prod"): ResourceState[] => structuredClone(snapshots[stack].deployment.resources);

/** A crafted resource, as the engine would record it. */
function craft(type: string, name: string, props: Json, propertyDependencies: Record<string, string[]> = {}): ResourceState {
  return { urn: `urn:pulumi:dev::fitness-platform::${type}::${name}`, custom: true, type, id: name, inputs: props, outputs: props, propertyDependencies };
}

const tags = (over: Json = {}) => ({ project: "fitness-platform", environment: "dev", zone: "global", component: "logs", "data-class": "internal", "managed-by": "pulumi", ...over });
const BUCKET = "aws:s3/bucket:Bucket";
const urnOf = (resources: ResourceState[], type: string, name: string) => find(resources, type, name).urn;

describe.each(["dev", "prod"] as const)("the real %s stack", (stack) => {
  it.each([s3LogBuckets, log01CloudTrail, log02LogGroups, log03LogDestinations])("passes $meta.id", (policy) => {
    expect(evaluate(policy, copy(stack))).toEqual([]);
  });
});

describe("S3-05 log buckets", () => {
  it("catches a log bucket expiring logs before the environment's minimum", () => {
    const dev = copy("dev");
    edit(find(dev, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "logs-app-lifecycle"), (p) => {
      p.rules[1].expiration.days = 10;
    });
    expect(evaluate(s3LogBuckets, dev)).toEqual(['log bucket "logs-app" expires objects after 10 days in rule "retain-containers"; at least 30 are required.']);

    const prod = copy("prod");
    edit(find(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "logs-edge-lifecycle"), (p) => {
      p.rules[0].expiration.days = 200;
    });
    expect(evaluate(s3LogBuckets, prod)).toEqual(['log bucket "logs-edge" expires objects after 200 days in rule "retain-alb"; at least 365 are required.']);
  });

  it("catches a log bucket without versioning, lifecycle, access logging or with needless SSE-S3", () => {
    let dev = copy("dev");
    dev = without(dev, "aws:s3/bucketVersioning:BucketVersioning", "logs-edge-versioning");
    dev = without(dev, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "logs-audit-lifecycle");
    dev = without(dev, "aws:s3/bucketLogging:BucketLogging", "logs-app-access-logging");
    edit(find(dev, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "logs-app-encryption"), (p) => {
      p.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" };
    });
    expect(evaluate(s3LogBuckets, dev).sort()).toEqual([
      'log bucket "logs-app" has no S3 server access logging.',
      'log bucket "logs-app" uses SSE-S3 although no writer of it requires SSE-S3 (only load balancer access logs and S3 server access logs do); use SSE-KMS.',
      'log bucket "logs-audit" has no lifecycle configuration (expiry after at least 30 days, abort of incomplete uploads).',
      'log bucket "logs-edge" does not have versioning enabled.',
    ]);
  });

  it("treats any bucket a flow log writes into as a log bucket", () => {
    const dev = copy("dev");
    dev.push(craft(BUCKET, "stray-logs", { bucket: "stray-logs", arn: "arn:aws:s3:::stray-logs", tags: tags({ component: "network" }) }));
    dev.push(craft("aws:ec2/flowLog:FlowLog", "stray-flow-log", { logDestinationType: "s3", logDestination: "arn:aws:s3:::stray-logs/flow-logs/" }));
    const messages = evaluate(s3LogBuckets, dev);
    expect(messages).toContain('log bucket "stray-logs" does not have versioning enabled.');
    expect(messages).toContain('log bucket "stray-logs" has no S3 server access logging.');
  });
});

describe("LOG-01 CloudTrail", () => {
  const TRAIL = "aws:cloudtrail/trail:Trail";

  it("catches a single-region trail without validation or encryption", () => {
    const dev = copy("dev");
    edit(find(dev, TRAIL, "logs-trail"), (p) => {
      p.isMultiRegionTrail = false;
      p.enableLogFileValidation = false;
      delete p.kmsKeyId;
    });
    const trail = find(dev, TRAIL, "logs-trail");
    delete trail.propertyDependencies?.["kmsKeyId"];
    expect(evaluate(log01CloudTrail, dev)).toEqual([
      'trail "logs-trail" is not multi-region (isMultiRegionTrail).',
      'trail "logs-trail" does not validate log files (enableLogFileValidation).',
      'trail "logs-trail" does not encrypt its logs with a KMS key (kmsKeyId).',
    ]);
  });

  it("catches a log or backup bucket whose object events no trail records", () => {
    const dev = copy("dev");
    edit(find(dev, TRAIL, "logs-trail"), (p) => {
      const arns = p.advancedEventSelectors[1].fieldSelectors[2];
      expect(arns.startsWith).toContain("arn:aws:s3:::fitness-platform-dev-logs-app-111111111111/");
      arns.startsWith = arns.startsWith.filter((a: string) => a !== "arn:aws:s3:::fitness-platform-dev-logs-app-111111111111/");
    });
    // A backup bucket the trail was not told about (the real one, fitness-platform-dev-backups-pitr-111111111111, is recorded).
    dev.push(craft(BUCKET, "pitr-backups", { bucket: "fitness-platform-dev-backups-unlisted", arn: "arn:aws:s3:::fitness-platform-dev-backups-unlisted", tags: tags({ component: "backups", zone: "data", "data-class": "critical" }) }));
    expect(evaluate(log01CloudTrail, dev)).toEqual([
      'No trail records S3 data events for log-archive bucket "logs-app" (fitness-platform-dev-logs-app-111111111111).',
      'No trail records S3 data events for backup bucket "pitr-backups" (fitness-platform-dev-backups-unlisted).',
    ]);
  });

  it("catches a trail whose bucket has no Object Lock, and a stack with no trail", () => {
    const dev = copy("dev");
    edit(find(dev, BUCKET, "logs-audit"), (p) => {
      p.objectLockEnabled = false;
    });
    expect(evaluate(log01CloudTrail, dev)).toEqual(['trail "logs-trail" logs into bucket "logs-audit", which has no Object Lock (objectLockEnabled).']);
    expect(evaluate(log01CloudTrail, without(copy("dev"), TRAIL, "logs-trail"))).toEqual(["The stack has no CloudTrail trail (a multi-region trail into the log archive is required)."]);
  });

  it("catches an audit bucket locking objects for less than the minimum", () => {
    const prod = copy("prod");
    edit(find(prod, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "logs-audit-object-lock"), (p) => {
      p.rule.defaultRetention.days = 90;
    });
    expect(evaluate(log01CloudTrail, prod)).toEqual(['trail "logs-trail": bucket "logs-audit" locks objects for 90 days by default; at least 365 are required.']);
  });
});

describe("LOG-02 log groups", () => {
  const GROUP = "aws:cloudwatch/logGroup:LogGroup";

  it("catches unencrypted log groups and retention below the minimum or none", () => {
    const dev = copy("dev");
    dev.push(craft(GROUP, "plain", { name: "/fitness/plain", retentionInDays: 7, tags: tags() }));
    dev.push(craft(GROUP, "forever", { name: "/fitness/forever", kmsKeyId: "arn:aws:kms:eu-central-1:111111111111:key/k", tags: tags() }));
    dev.push(craft(GROUP, "good", { name: "/fitness/good", kmsKeyId: "arn:aws:kms:eu-central-1:111111111111:key/k", retentionInDays: 30, tags: tags() }));
    expect(evaluate(log02LogGroups, dev)).toEqual([
      'log group "plain" is not encrypted with a KMS key (kmsKeyId).',
      'log group "plain" keeps logs for 7 days; at least 30 are required.',
      'log group "forever" has no retention (its logs never expire); set retentionInDays to at least 30.',
    ]);
  });

  it("applies the prod minimum to prod log groups", () => {
    const prod = copy("prod");
    prod.push(craft(GROUP, "short", { name: "/fitness/short", kmsKeyId: "k", retentionInDays: 180, tags: tags({ environment: "prod" }) }));
    expect(evaluate(log02LogGroups, prod)).toEqual(['log group "short" keeps logs for 180 days; at least 365 are required.']);
  });

  it("catches an EKS cluster whose control-plane log group the stack does not create", () => {
    const dev = copy("dev");
    dev.push(craft("aws:eks/cluster:Cluster", "cluster", { name: "fitness-platform-dev-cluster", enabledClusterLogTypes: ["api", "audit"], tags: tags({ component: "cluster", zone: "app" }) }));
    expect(evaluate(log02LogGroups, dev)).toEqual([
      'EKS cluster "cluster" sends control-plane logs, but the stack does not create its log group /aws/eks/fitness-platform-dev-cluster/cluster (EKS would create it unencrypted, with no expiry).',
    ]);
    dev.push(craft(GROUP, "eks", { name: "/aws/eks/fitness-platform-dev-cluster/cluster", kmsKeyId: "k", retentionInDays: 30, tags: tags() }));
    expect(evaluate(log02LogGroups, dev)).toEqual([]);
  });
});

describe("LOG-03 log destinations", () => {
  it("accepts flow logs, ALB access logs and WAF logs that go into the archive", () => {
    const dev = copy("dev");
    const app = urnOf(dev, BUCKET, "logs-app");
    const edge = urnOf(dev, BUCKET, "logs-edge");
    dev.push(craft("aws:ec2/flowLog:FlowLog", "flow", { logDestinationType: "s3", logDestination: "arn:aws:s3:::fitness-platform-dev-logs-app-111111111111/flow-logs/" }, { logDestination: [app] }));
    dev.push(craft("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", accessLogs: { enabled: true, bucket: "aws-waf-logs-fitness-platform-dev-logs-edge-111111111111", prefix: "alb" } }, { accessLogs: [edge] }));
    dev.push(craft("aws:wafv2/webAcl:WebAcl", "acl", { arn: "arn:aws:wafv2:eu-central-1:111111111111:regional/webacl/acl/1" }));
    dev.push(
      craft(
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "acl-logging",
        { resourceArn: "arn:aws:wafv2:eu-central-1:111111111111:regional/webacl/acl/1", logDestinationConfigs: ["arn:aws:s3:::aws-waf-logs-fitness-platform-dev-logs-edge-111111111111/waf"] },
        { resourceArn: ["urn:pulumi:dev::fitness-platform::aws:wafv2/webAcl:WebAcl::acl"] },
      ),
    );
    expect(evaluate(log03LogDestinations, dev)).toEqual([]);
  });

  it("catches logs that leave the archive or are not written at all", () => {
    const dev = copy("dev");
    dev.push(craft(BUCKET, "elsewhere", { bucket: "someone-elses-bucket", tags: tags({ component: "shop" }) }));
    dev.push(craft("aws:ec2/flowLog:FlowLog", "flow", { logDestinationType: "s3", logDestination: "arn:aws:s3:::someone-elses-bucket/" }));
    dev.push(craft("aws:ec2/flowLog:FlowLog", "flow-cwl", { logDestinationType: "cloud-watch-logs", logDestination: "arn:aws:logs:eu-central-1:111111111111:log-group:x" }));
    dev.push(craft("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", accessLogs: { enabled: false, bucket: "" } }));
    dev.push(craft("aws:wafv2/webAcl:WebAcl", "acl", { arn: "arn:aws:wafv2:eu-central-1:111111111111:regional/webacl/acl/1" }));
    expect(evaluate(log03LogDestinations, dev)).toEqual([
      'load balancer "alb" does not write access logs (accessLogs.enabled).',
      'web ACL "acl" has no logging configuration (aws.wafv2.WebAclLoggingConfiguration).',
      'flow log "flow": flow logs go to arn:aws:s3:::someone-elses-bucket/, which is not a log-archive bucket (component=logs).',
      'flow log "flow-cwl" delivers to cloud-watch-logs, not to the S3 log archive (logDestinationType "s3").',
    ]);
  });

  it("catches the real stack's flow log, ALB and proxy role sending logs outside the archive", () => {
    const prod = copy("prod");
    const flowLog = prod.find((r) => r.type === "aws:ec2/flowLog:FlowLog");
    const alb = prod.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer" && (r.outputs as Json)["loadBalancerType"] === "application");
    const shipping = prod.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String((r.outputs as Json)["policy"]).includes("/proxy/"));
    expect([flowLog, alb, shipping].every((r) => r !== undefined)).toBe(true);
    edit(flowLog as ResourceState, (p) => {
      p.logDestination = "arn:aws:s3:::somewhere-else/flow-logs/";
    });
    edit(alb as ResourceState, (p) => {
      p.accessLogs.bucket = "somewhere-else";
    });
    edit(shipping as ResourceState, (p) => {
      p.policy = String(p.policy).replace(/\/proxy\/[^"]*/, "/*");
    });
    const names = (r: ResourceState | undefined) => (r as ResourceState).urn.split("::").pop();
    expect(evaluate(log03LogDestinations, prod)).toEqual([
      `load balancer "${names(alb)}": access logs go to somewhere-else, which is not a log-archive bucket (component=logs).`,
      `flow log "${names(flowLog)}": flow logs go to arn:aws:s3:::somewhere-else/flow-logs/, which is not a log-archive bucket (component=logs).`,
      expect.stringMatching(/^proxy role ".+" may put objects into arn:aws:s3:::fitness-platform-prod-logs-app-222222222222\/\*; proxy logs may only go under proxy\/ of a log-archive bucket\.$/),
    ]);
  });

  it("catches a proxy role that may write its logs outside proxy/ of the archive", () => {
    const dev = copy("dev");
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const role = craft("aws:iam/role:Role", "proxy-role", { name: "proxy", id: "proxy", assumeRolePolicy: trust, tags: tags({ zone: "dmz", component: "egress-proxy" }) });
    const put = (resource: string) =>
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: resource }] });
    const good = craft("aws:iam/rolePolicy:RolePolicy", "proxy-logs", { role: "proxy", policy: put("arn:aws:s3:::fitness-platform-dev-logs-app-111111111111/proxy/*") }, { role: [role.urn] });
    expect(evaluate(log03LogDestinations, [...dev, role, good])).toEqual([]);
    const bad = craft("aws:iam/rolePolicy:RolePolicy", "proxy-logs", { role: "proxy", policy: put("arn:aws:s3:::fitness-platform-dev-logs-app-111111111111/*") }, { role: [role.urn] });
    expect(evaluate(log03LogDestinations, [...dev, role, bad])).toEqual([
      'proxy role "proxy-role" may put objects into arn:aws:s3:::fitness-platform-dev-logs-app-111111111111/*; proxy logs may only go under proxy/ of a log-archive bucket.',
    ]);
    expect(evaluate(log03LogDestinations, [...dev, role])).toEqual(['proxy role "proxy-role" cannot put its access logs into the log archive (no s3:PutObject grant under proxy/).']);
  });
});

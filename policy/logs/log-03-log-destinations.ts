import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { flag, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { parsePolicyDocument } from "../iam/document";
import { BUCKET_TYPES } from "../s3/buckets";
import { bucketName, isArchiveBucket, isUnknown, peek, resolveDestinations, tagOf } from "./archive";

const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const WEB_ACL_TYPE = "aws:wafv2/webAcl:WebAcl";
const WAF_LOGGING_TYPE = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const FLOW_LOG_TYPE = "aws:ec2/flowLog:FlowLog";
const ROLE_TYPE = "aws:iam/role:Role";
const ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy";
const POLICY_TYPE = "aws:iam/policy:Policy";
const ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
/** Where the egress proxy ships its access logs in the application log bucket. */
const PROXY_PREFIX = "proxy/";
/** Where the SSM agent of every host (the proxy included) writes Session Manager transcripts (D4). */
const SESSION_PREFIX = "ssm-sessions/";

/** Checks that every destination a property names is inside the log archive; returns whether any was found. */
function checkDestinations(
  index: StackIndex,
  resource: PolicyResource,
  what: string,
  report: ReportViolation,
  property: string,
  ...within: string[]
): boolean {
  const { known, pending } = resolveDestinations(index, resource, property, ...within);
  for (const d of known) {
    if (d.bucket === undefined || !isArchiveBucket(d.bucket)) report(`${what} go to ${d.value}, which is not a log-archive bucket (component=logs).`, resource.urn);
  }
  for (const b of pending) {
    if (!isArchiveBucket(b)) report(`${what} go to bucket "${b.name}", which is not a log-archive bucket (component=logs).`, resource.urn);
  }
  return known.length + pending.length > 0;
}

/** The EC2 roles of the DMZ (the egress proxy's instance role): what their identity may write into S3. */
function proxyRoles(index: StackIndex): PolicyResource[] {
  return index.ofType(ROLE_TYPE).filter((role) => {
    if (tagOf(role, "zone") !== "dmz") return false;
    const trust = parsePolicyDocument(peek(role.props, "assumeRolePolicy"));
    return trust !== undefined && !("error" in trust) && trust.statements.some((s) => s.principals.includes("Service:ec2.amazonaws.com"));
  });
}

/** Identity policy documents attached to a role (inline role policies and attached managed policies). */
function roleDocuments(index: StackIndex, role: PolicyResource): unknown[] {
  const inline = index.referrers(role, [ROLE_POLICY_TYPE], "role").map((p) => peek(p.props, "policy"));
  const attached = index
    .referrers(role, [ATTACHMENT_TYPE], "role")
    .flatMap((a) => index.targets(a, "policyArn", [POLICY_TYPE]))
    .map((p) => peek(p.props, "policy"));
  return [...inline, ...attached];
}

export const log03LogDestinations = defineStackPolicy({
  meta: {
    id: "LOG-03",
    title: "Every ALB, WAF, VPC flow log and proxy log destination is in the log archive",
    severity: "high",
    decisions: ["D5", "D6"],
    controls: { fsbp: ["ELB.5", "WAF.11", "EC2.6"], cis: ["3.7"], checkov: ["CKV_AWS_91", "CKV2_AWS_31", "CKV2_AWS_11"] },
    description:
      "Application load balancers write access logs, web ACLs have a logging configuration, and VPC flow logs go to S3; each " +
      "destination is a bucket of the log archive (component=logs). The egress proxy's instance role (an EC2 role in the " +
      "DMZ) may put objects into S3 only under proxy/ of a log-archive bucket, so its access logs can land nowhere else.",
    remediation:
      "Point ALB accessLogs at LogArchive.edgeLogsBucket (prefix alb), WAF logging at LogArchive.wafLogDestinationArn, flow " +
      "logs at LogArchive.flowLogDestinationArn, and grant the proxy role s3:PutObject on `${appLogsBucket.arn}/proxy/*` only.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const lbs = index.ofType(...LOAD_BALANCER_TYPES).filter((lb) => (text(peek(lb.props, "loadBalancerType")) ?? "application") === "application");
    const acls = index.ofType(WEB_ACL_TYPE);
    const loggings = index.ofType(WAF_LOGGING_TYPE);
    const flowLogs = index.ofType(FLOW_LOG_TYPE);
    const proxies = proxyRoles(index);
    if ([lbs, acls, loggings, flowLogs, proxies].every((l) => l.length === 0)) args.notApplicable("the stack has no ALB, web ACL, flow log or proxy role");

    for (const lb of lbs) {
      const label = `load balancer "${lb.name}"`;
      if (flag(peek(lb.props, "accessLogs", "enabled")) !== true) {
        reportViolation(`${label} does not write access logs (accessLogs.enabled).`, lb.urn);
        continue;
      }
      if (!checkDestinations(index, lb, `${label}: access logs`, reportViolation, "accessLogs", "bucket")) {
        reportViolation(`${label} names no access log bucket.`, lb.urn);
      }
    }

    for (const acl of acls) {
      if (index.referrers(acl, [WAF_LOGGING_TYPE], "resourceArn").length === 0) {
        reportViolation(`web ACL "${acl.name}" has no logging configuration (aws.wafv2.WebAclLoggingConfiguration).`, acl.urn);
      }
    }
    for (const logging of loggings) {
      if (!checkDestinations(index, logging, `WAF logging "${logging.name}": logs`, reportViolation, "logDestinationConfigs")) {
        reportViolation(`WAF logging "${logging.name}" names no S3 destination in the log archive.`, logging.urn);
      }
    }

    for (const flowLog of flowLogs) {
      const label = `flow log "${flowLog.name}"`;
      const type = text(peek(flowLog.props, "logDestinationType")) ?? "cloud-watch-logs";
      if (type !== "s3") {
        reportViolation(`${label} delivers to ${type}, not to the S3 log archive (logDestinationType "s3").`, flowLog.urn);
        continue;
      }
      if (!checkDestinations(index, flowLog, `${label}: flow logs`, reportViolation, "logDestination")) {
        reportViolation(`${label} names no S3 destination.`, flowLog.urn);
      }
    }

    const archive = new Set(index.ofType(...BUCKET_TYPES).filter(isArchiveBucket).map((b) => bucketName(b)));
    for (const role of proxies) {
      const label = `proxy role "${role.name}"`;
      const documents = roleDocuments(index, role);
      // Preview: a policy computed from ARNs not known yet cannot be judged until it is.
      if (documents.some((d) => d === undefined || isUnknown(d))) continue;
      const puts: string[] = [];
      for (const value of documents) {
        const doc = parsePolicyDocument(value);
        if (doc === undefined || "error" in doc) continue;
        for (const s of doc.statements) {
          if (s.effect !== "Allow" || !s.actions.some((a) => ["s3:putobject", "s3:put*", "s3:*", "*"].includes(a.toLowerCase()))) continue;
          puts.push(...s.resources);
        }
      }
      const archivePrefix = (resource: string): string | undefined => {
        const match = /^arn:aws[a-z-]*:s3:::([^/]+)\/(.*)$/.exec(resource);
        return match !== null && archive.has(match[1] as string) ? (match[2] as string) : undefined;
      };
      // A grant reaches the proxy prefix when some key under it matches its pattern (`*` does, too widely).
      const reachesProxyLogs = (pattern: string | undefined) => {
        if (pattern === undefined) return false;
        const literal = pattern.split(/[*?]/)[0] as string;
        return literal.startsWith(PROXY_PREFIX) || (literal.length < pattern.length && PROXY_PREFIX.startsWith(literal));
      };
      if (!puts.some((resource) => reachesProxyLogs(archivePrefix(resource)))) {
        reportViolation(`${label} cannot put its access logs into the log archive (no s3:PutObject grant under ${PROXY_PREFIX}).`, role.urn);
      }
      for (const resource of puts) {
        const prefix = archivePrefix(resource);
        // Session transcripts are the host's own logs too: the operator's host-session policy puts them there.
        const inArchive = prefix !== undefined && (prefix.startsWith(PROXY_PREFIX) || prefix.startsWith(SESSION_PREFIX));
        if (!inArchive) reportViolation(`${label} may put objects into ${resource}; proxy logs may only go under ${PROXY_PREFIX} of a log-archive bucket.`, role.urn);
      }
    }
  },
});

import { beforeAll, describe, expect, it } from "vitest";
import { edge01PublicAlb } from "../../policy/dmz/edge-01-public-alb";
import { edge02Waf } from "../../policy/dmz/edge-02-waf";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";
import { edit, find, without } from "../support/snapshot-edit";
import { relink, subnetsOfZone, violations } from "./dmz-support";

/** EDGE-01 and EDGE-02 against the real dev and prod stacks, and against crafted violations of them. */
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const ACL = "aws:wafv2/webAcl:WebAcl";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";

const snapshots: Record<string, StackExport> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

const copy = (stack: string): ResourceState[] => structuredClone((snapshots[stack] as StackExport).deployment.resources);
const audit = (policy: typeof edge01PublicAlb, stack: string, resources: ResourceState[]) => violations(policy, snapshots[stack] as StackExport, resources);

describe.each(["dev", "prod"])("the real %s stack", (stack) => {
  it.each([edge01PublicAlb, edge02Waf])("passes $meta.id", async (policy) => {
    expect(await audit(policy, stack, copy(stack))).toEqual([]);
  });
});

describe("EDGE-01 internet-facing ALB", () => {
  it("fails an ALB that keeps invalid headers, mitigates desync defensively and writes no logs", async () => {
    const dev = copy("dev");
    edit(find(dev, ALB, "edge-alb"), (p) => {
      p.dropInvalidHeaderFields = false;
      p.desyncMitigationMode = "defensive";
      p.accessLogs = { bucket: "", enabled: false };
    });
    expect(await audit(edge01PublicAlb, "dev", dev)).toEqual([
      'LoadBalancer "edge-alb" does not drop invalid header fields (dropInvalidHeaderFields).',
      'LoadBalancer "edge-alb" uses desync mitigation "defensive"; required: strictest.',
      'LoadBalancer "edge-alb" writes no access logs (accessLogs.enabled with a bucket).',
    ]);
  });

  it("fails a prod ALB without deletion protection, and leaves dev alone", async () => {
    for (const stack of ["dev", "prod"]) {
      const resources = copy(stack);
      edit(find(resources, ALB, "edge-alb"), (p) => {
        p.enableDeletionProtection = false;
      });
      expect(await audit(edge01PublicAlb, stack, resources)).toEqual(stack === "prod" ? ['LoadBalancer "edge-alb" is a prod load balancer without deletion protection.'] : []);
    }
  });

  it("fails an old TLS policy and plain HTTP that is served or redirected temporarily", async () => {
    const dev = copy("dev");
    edit(find(dev, LISTENER, "edge-https"), (p) => {
      p.sslPolicy = "ELBSecurityPolicy-2016-08";
    });
    edit(find(dev, LISTENER, "edge-http"), (p) => {
      p.defaultActions = [{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:eu-central-1:111111111111:targetgroup/x/1" }];
    });
    expect(await audit(edge01PublicAlb, "dev", dev)).toEqual([
      'Listener "edge-http" serves HTTP without redirecting to HTTPS.',
      'Listener "edge-https" uses TLS policy ELBSecurityPolicy-2016-08; required: a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.',
    ]);
    const temporary = copy("dev");
    edit(find(temporary, LISTENER, "edge-http"), (p) => {
      p.defaultActions[0].redirect.statusCode = "HTTP_302";
    });
    expect(await audit(edge01PublicAlb, "dev", temporary)).toEqual(['Listener "edge-http" redirects to HTTPS with HTTP_302; required: HTTP_301 (permanent).']);
  });

  it("fails an ALB without an HTTPS listener", async () => {
    const dev = without(copy("dev"), LISTENER, "edge-https");
    expect(await audit(edge01PublicAlb, "dev", dev)).toEqual(['LoadBalancer "edge-alb" has no HTTPS listener.']);
  });

  it("fails an internet-facing load balancer outside the DMZ", async () => {
    const dev = copy("dev");
    relink(find(dev, ALB, "edge-alb"), "subnets", subnetsOfZone(dev, "app"), (ids) => ids);
    expect(await audit(edge01PublicAlb, "dev", dev)).toEqual(['LoadBalancer "edge-alb" is internet-facing in zone app; only the DMZ may face the internet.']);
    // The internal proxy NLB made public in the data zone is caught too.
    const nlb = copy("dev");
    edit(find(nlb, ALB, "egress-nlb"), (p) => {
      p.internal = false;
    });
    relink(find(nlb, ALB, "egress-nlb"), "subnets", subnetsOfZone(nlb, "data"), (ids) => ids);
    expect(await audit(edge01PublicAlb, "dev", nlb)).toEqual(['LoadBalancer "egress-nlb" is internet-facing in zone data; only the DMZ may face the internet.']);
  });
});

describe("EDGE-02 WAF on every public ALB", () => {
  it("fails a public ALB without a web ACL", async () => {
    const dev = without(copy("dev"), ASSOCIATION, "edge-waf-alb");
    expect(await audit(edge02Waf, "dev", dev)).toEqual(['LoadBalancer "edge-alb" is internet-facing without a WAFv2 web ACL (no WebAclAssociation).']);
  });

  it("fails a web ACL missing a managed group, running one in count mode, or without a rate limit", async () => {
    const dev = copy("dev");
    edit(find(dev, ACL, "edge-waf"), (p) => {
      p.rules = p.rules
        .filter((r: { name: string }) => r.name !== "AWSManagedRulesSQLiRuleSet" && r.name !== "rate-limit-per-ip")
        .map((r: { name: string }) => (r.name === "AWSManagedRulesCommonRuleSet" ? { ...r, overrideAction: { count: {} } } : r));
    });
    expect(await audit(edge02Waf, "dev", dev)).toEqual([
      'WebAcl "edge-waf" does not run the AWS managed rule group AWSManagedRulesSQLiRuleSet.',
      'WebAcl "edge-waf" has no blocking per-IP rate-based rule.',
      'WebAcl "edge-waf" runs AWSManagedRulesCommonRuleSet in count mode only; it must block.',
    ]);
  });

  it("fails a rate limit that is only counted or too generous", async () => {
    const dev = copy("dev");
    edit(find(dev, ACL, "edge-waf"), (p) => {
      const rate = p.rules.find((r: { name: string }) => r.name === "rate-limit-per-ip");
      rate.statement.rateBasedStatement.limit = 5_000_000;
    });
    expect(await audit(edge02Waf, "dev", dev)).toEqual(['WebAcl "edge-waf" rate rule "rate-limit-per-ip" allows 5000000 requests per IP; at most 100000.']);
    const counted = copy("dev");
    edit(find(counted, ACL, "edge-waf"), (p) => {
      p.rules.find((r: { name: string }) => r.name === "rate-limit-per-ip").action = { count: {} };
    });
    expect(await audit(edge02Waf, "dev", counted)).toEqual(['WebAcl "edge-waf" has no blocking per-IP rate-based rule.']);
  });

  it("fails a web ACL that logs nowhere", async () => {
    const dev = without(copy("dev"), LOGGING, "edge-waf-logs");
    expect(await audit(edge02Waf, "dev", dev)).toEqual(['WebAcl "edge-waf" has no logging configuration with a destination.']);
  });

  it.each([
    ["a rule overridden to count", { ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }] }, "SizeRestrictions_BODY of AWSManagedRulesCommonRuleSet to count"],
    ["a rule overridden to allow", { ruleActionOverrides: [{ name: "CrossSiteScripting_BODY", actionToUse: { allow: {} } }] }, "CrossSiteScripting_BODY of AWSManagedRulesCommonRuleSet to allow"],
    ["a legacy excluded rule", { excludedRules: [{ name: "GenericRFI_BODY" }] }, "GenericRFI_BODY of AWSManagedRulesCommonRuleSet to count"],
  ])("fails a managed group with %s", async (_name, change, what) => {
    const dev = copy("dev");
    edit(find(dev, ACL, "edge-waf"), (p) => {
      const common = p.rules.find((r: { name: string }) => r.name === "AWSManagedRulesCommonRuleSet");
      Object.assign(common.statement.managedRuleGroupStatement, change);
    });
    expect(await audit(edge02Waf, "dev", dev)).toEqual([`WebAcl "edge-waf" overrides rule ${what}; the group's rules must block.`]);
  });

  it("passes rules overridden to challenge or captcha, which still stop the request", async () => {
    const dev = copy("dev");
    edit(find(dev, ACL, "edge-waf"), (p) => {
      const common = p.rules.find((r: { name: string }) => r.name === "AWSManagedRulesCommonRuleSet");
      common.statement.managedRuleGroupStatement.ruleActionOverrides = [
        { name: "SizeRestrictions_BODY", actionToUse: { challenge: {} } },
        { name: "NoUserAgent_HEADER", actionToUse: { captcha: {} } },
      ];
    });
    expect(await audit(edge02Waf, "dev", dev)).toEqual([]);
  });
});

describe("EDGE-01 judges the TLS policy family, not a frozen list", () => {
  it.each([
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  ])("passes %s", async (policy) => {
    const dev = copy("dev");
    edit(find(dev, LISTENER, "edge-https"), (p) => {
      p.sslPolicy = policy;
    });
    expect(await audit(edge01PublicAlb, "dev", dev)).toEqual([]);
  });

  it.each(["ELBSecurityPolicy-TLS13-1-1-2021-06", "ELBSecurityPolicy-TLS13-1-0-2021-06", "ELBSecurityPolicy-TLS-1-1-2017-01", "ELBSecurityPolicy-FS-1-1-2019-08", "ELBSecurityPolicy-FS-2018-06", "ELBSecurityPolicy-2015-05", "MyCustomPolicy"])(
    "fails %s",
    async (policy) => {
      const dev = copy("dev");
      edit(find(dev, LISTENER, "edge-https"), (p) => {
        p.sslPolicy = policy;
      });
      expect(await audit(edge01PublicAlb, "dev", dev)).toEqual([`Listener "edge-https" uses TLS policy ${policy}; required: a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.`]);
    },
  );
});

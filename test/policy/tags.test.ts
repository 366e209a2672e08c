import { describe, expect, it } from "vitest";
import { gov02DesignTags } from "../../policy/tags/gov02-design-tags";
import { audit, findings, messages } from "./support/audit";
import { compliantStack } from "./support/fixture-stack";

describe("GOV-02 design tags", () => {
  it("fails a taggable resource without data-class and zone, naming the missing keys", async () => {
    const s = compliantStack();
    s.fx.update(s.bucket, (i) => {
      const tags = i["tags"] as Record<string, string>;
      delete tags["data-class"];
      delete tags["zone"];
    });
    const result = await audit(s.fx, [gov02DesignTags]);
    expect(messages(result, "GOV-02")).toEqual(['aws:s3/bucket:Bucket "logs" is missing the design tags: zone, data-class.']);
    expect(findings(result, "GOV-02")[0]?.urn).toBe(s.bucket.urn);
    expect(result.summary.passed).toBe(false);
  });

  it("fails a value outside the vocabulary and an environment that is not the stack's", async () => {
    const s = compliantStack();
    s.fx.update(s.vpc, (i) => {
      (i["tags"] as Record<string, string>)["zone"] = "public";
      (i["tags"] as Record<string, string>)["environment"] = "prod";
    });
    const result = await audit(s.fx, [gov02DesignTags], { config: { "GOV-02": { environment: "test" } } });
    expect(messages(result, "GOV-02")).toEqual([
      'aws:ec2/vpc:Vpc "vpc" has tag environment="prod" but this stack\'s environment is "test".',
      'aws:ec2/vpc:Vpc "vpc" has tag zone="public"; allowed: dmz, app, data, global.',
    ]);
  });

  it("reads auto scaling group tag lists, and skips types that take no tags", async () => {
    const s = compliantStack();
    s.fx.update(s.proxyGroup, (i) => {
      i["tags"] = (i["tags"] as Array<{ key: string }>).filter((t) => t.key !== "component");
    });
    const result = await audit(s.fx, [gov02DesignTags]);
    expect(messages(result, "GOV-02")).toEqual(['aws:autoscaling/group:Group "proxy-asg" is missing the design tags: component.']);
    // Routes, associations and bucket companions carry no tags and are not reported.
    const policy = result.policies.find((p) => p.id === "GOV-02");
    expect(policy?.scope.resources).toBeLessThan(result.input.resources);
  });

  it("counts the provider's default tags", async () => {
    const s = compliantStack();
    const all = s.fx.tags("global", "security");
    s.fx.update(s.fx.provider, (i) => {
      i["defaultTags"] = { tags: all };
    });
    s.fx.update(s.key, (i) => {
      i["tags"] = {};
    });
    const result = await audit(s.fx, [gov02DesignTags]);
    expect(messages(result, "GOV-02")).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { ecrLifecyclePolicy, KEPT_TAGGED_IMAGES } from "../../src/services/ecr-lifecycle";
import { synthesize } from "../../src/offline/engine/synthesize";
import { ROOT } from "../support/stack-config";

describe("ECR lifecycle", () => {
  it("expires untagged images first and keeps a rollback window of tagged ones", () => {
    const { rules } = ecrLifecyclePolicy("service");
    expect(rules.map((r) => r.rulePriority)).toEqual([1, 2]);
    expect(rules[0]?.selection).toMatchObject({ tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days" });
    expect(rules[1]?.selection).toMatchObject({ tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: KEPT_TAGGED_IMAGES.service });
    // A tagged rule with no pattern is rejected by ECR: every tagged rule names its tags.
    for (const rule of rules.filter((r) => r.selection.tagStatus === "tagged")) expect(rule.selection.tagPatternList?.length).toBeGreaterThan(0);
    expect(ecrLifecyclePolicy("mirror").rules[1]?.selection.countNumber).toBe(KEPT_TAGGED_IMAGES.mirror);
  });

  it("gives every repository of the dev stack exactly one lifecycle policy", async () => {
    const { snapshot } = await synthesize({ stack: "dev", projectRoot: ROOT });
    const resources = snapshot.deployment.resources;
    const repos = resources.filter((r) => r.type === "aws:ecr/repository:Repository");
    const policies = resources.filter((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    expect(repos.length).toBeGreaterThan(5);
    const governed = policies.map((p) => String(p.inputs?.repository));
    for (const repo of repos) expect(governed.filter((name) => name === repo.inputs?.name), String(repo.inputs?.name)).toHaveLength(1);
  });
});

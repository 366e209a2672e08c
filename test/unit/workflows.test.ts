import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parseYaml } from "../../src/config/yaml-reader";
import { describe, expect, it } from "vitest";

/**
 * The GitHub Actions workflows, checked with GitHub's own workflow parser (@actions/workflow-parser,
 * the schema and expression checks behind the Actions language service), and for the properties the
 * review and deploy process relies on.
 */
const ROOT = path.join(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string> };

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly "runs-on"?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly container?: { image: string; options?: string };
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const text = (file: string): string => readFileSync(path.join(DIR, file), "utf8");
const load = (file: string): Workflow => parseYaml(text(file), file) as Workflow;
const steps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap((j) => j.steps);
const runs = (job: Job): string => job.steps.map((s) => s.run ?? "").join("\n");
const action = (job: Job, name: string): Step[] => job.steps.filter((s) => s.uses?.startsWith(`${name}@`));

/**
 * Each stack lives in its own account (docs/runbooks/first-deploy.md), so a job that reaches the cloud for
 * both stacks takes each stack's role and state backend from variables named after that stack: one
 * variable shared by both would send one stack's preview into the other's account. The job also stops with
 * one line naming the variable when it is not set.
 */
function expectOwnAccountPerStack(job: Job & { strategy?: { matrix?: { include?: Array<Record<string, string>> } } }): void {
  const entries = job.strategy?.matrix?.include ?? [];
  expect(entries.map((e) => e["stack"])).toEqual(["dev", "prod"]);
  for (const e of entries) {
    const suffix = (e["stack"] ?? "").toUpperCase();
    expect(e["previewRole"]).toBe(`\${{ vars.AWS_PREVIEW_ROLE_ARN_${suffix} }}`);
    expect(e["backend"]).toBe(`\${{ vars.PULUMI_BACKEND_URL_${suffix} }}`);
  }
  const guard = job.steps.findIndex((st) => st.env?.["ROLE"] === "${{ matrix.previewRole }}");
  const login = job.steps.findIndex((st) => st.uses?.startsWith("aws-actions/configure-aws-credentials@") === true);
  expect(guard).toBeGreaterThanOrEqual(0);
  expect(guard).toBeLessThan(login);
  expect(job.steps[guard]?.run).toContain("AWS_PREVIEW_ROLE_ARN_${STACK^^} is not set");
}

async function problems(file: string): Promise<string[]> {
  const parsed = parseWorkflow({ name: file, content: text(file) }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) return [...errors, "no workflow"];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...errors, ...(template.errors ?? []).map((e) => e.Message)];
}

describe("GitHub Actions workflows", () => {
  it("are the three the process needs", () => {
    expect(files).toEqual(["deploy.yml", "pull-request.yml", "scheduled.yml"]);
  });

  it.each(files)("%s is valid for GitHub's workflow parser", async (file) => {
    expect(await problems(file)).toEqual([]);
  });

  it("the validator catches a broken workflow (so the test above can fail)", async () => {
    const broken = { name: "broken.yml", content: "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n    if: ${{ github.event. }}\n" };
    const parsed = parseWorkflow(broken, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it.each(files)("%s pins every action by full commit SHA, with its tag beside it", (file) => {
    const uses = text(file)
      .split("\n")
      .filter((line) => /^\s*(- )?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  it.each(files)("%s grants read-only contents by default and more only to the jobs that need it", (file) => {
    const wf = load(file);
    expect(wf.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(wf.jobs)) {
      const cloud = action(job, "aws-actions/configure-aws-credentials").length > 0;
      expect(job.permissions?.["id-token"] === "write").toBe(cloud);
    }
  });

  it.each(files)("%s runs only npm scripts that exist, with the Pulumi CLI of the SDK's version", (file) => {
    for (const match of text(file).matchAll(/npm run (?:--silent )?([\w:-]+)/g)) expect(Object.keys(pkg.scripts)).toContain(match[1]);
    for (const step of steps(load(file)).filter((s) => s.uses?.startsWith("pulumi/actions@"))) {
      expect(step.with?.["pulumi-version"]).toBe(pkg.dependencies["@pulumi/pulumi"]);
    }
  });
});

describe("pull request workflow", () => {
  const wf = load("pull-request.yml");

  it("runs on pull requests: installs and runs the whole test suite as CI does", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(runs(wf.jobs.test as Job)).toContain("bash .ci/run");
    // The Node.js the README names (20.19+), so an engine problem shows in CI first.
    expect(wf.jobs.test?.container).toEqual({ image: "node:20-bookworm", options: "--privileged" });
  });

  it("synthesizes, audits and diffs both stacks against the base branch, offline", () => {
    const review = wf.jobs.review as Job;
    const checkouts = action(review, "actions/checkout");
    expect(checkouts.map((s) => s.with?.path)).toEqual(["head", "base"]);
    expect(checkouts[1]?.with?.ref).toBe("${{ github.event.pull_request.base.sha }}");
    const script = runs(review);
    expect(script).toContain("npm ci");
    expect(script).toContain("for stack in dev prod");
    expect(script).toContain('npm run --silent synth -- --stack "$stack" --out "$GITHUB_WORKSPACE/review/head/$stack"');
    expect(script).toContain('npm run --silent synth -- --stack "$stack" --out "$GITHUB_WORKSPACE/review/base/$stack"');
    expect(script).toMatch(/npm run --silent audit -- --input "\$GITHUB_WORKSPACE\/review\/head\/\$stack\/stack.json"/);
    expect(script).toContain('npm run --silent diff -- --base "$base" --head "$head" --format md');
    expect(review.permissions).toEqual({ contents: "read", actions: "read", "pull-requests": "write", "security-events": "write" });
  });

  it("posts one comment that updates itself, and uploads SARIF per stack", () => {
    const review = wf.jobs.review as Job;
    const [comment] = action(review, "actions/github-script");
    const script = String(comment?.with?.script);
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
    expect(script).toContain("startsWith(marker)");
    expect(runs(review)).toContain('echo "$REVIEW_MARKER"');
    const sarif = action(review, "github/codeql-action/upload-sarif");
    expect(sarif.map((s) => [s.with?.sarif_file, s.with?.category])).toEqual([
      ["review/head/dev/audit.sarif", "policy-dev"],
      ["review/head/prod/audit.sarif", "policy-prod"],
    ]);
    // The gate comes last, so the comment and the SARIF are posted even when it fails; and it runs
    // even when they fail (a private repository without code scanning, a fork's read-only token).
    const gate = review.steps.at(-1);
    expect(gate?.name).toBe("policy gate (no mandatory violation)");
    expect(gate?.if).toBe("${{ !cancelled() }}");
    for (const upload of sarif) {
      expect((upload as Step & { "continue-on-error"?: boolean })["continue-on-error"]).toBe(true);
      expect(upload.if).toContain("github.event.repository.private == false || vars.CODE_SCANNING_ENABLED == 'true'");
    }
  });

  it("links the architecture picture of each stack from the comment", () => {
    const review = wf.jobs.review as Job;
    const pictures = action(review, "actions/upload-artifact").filter((s) => String(s.with?.path).endsWith("architecture.svg"));
    expect(pictures.map((s) => s.with?.path)).toEqual(["review/head/dev/architecture.svg", "review/head/prod/architecture.svg"]);
    const compose = review.steps.find((s) => s.name === "compose the review comment");
    expect(compose?.env?.PICTURE_DEV).toBe("${{ steps.picture-dev.outputs.artifact-url }}");
    expect(compose?.run).toContain("[dev]($PICTURE_DEV)");
  });

  it("previews for real only where cloud access is configured, with the policy pack", () => {
    const preview = wf.jobs.preview as Job;
    expect(preview.if).toContain("vars.CLOUD_ENABLED == 'true'");
    const [pulumi] = action(preview, "pulumi/actions");
    expect(pulumi?.with).toMatchObject({ command: "preview", diff: true, policyPacks: "policy" });
    expect(action(preview, "aws-actions/configure-aws-credentials")[0]?.with?.["role-to-assume"]).toBe("${{ matrix.previewRole }}");
    expect(pulumi?.with?.["cloud-url"]).toBe("${{ matrix.backend }}");
    expectOwnAccountPerStack(preview);
  });
});

describe("deploy workflow", () => {
  const wf = load("deploy.yml");

  it("deploys main to dev, then to prod behind the prod environment's approval", () => {
    expect(wf.on.push).toEqual({ branches: ["main"] });
    const dev = wf.jobs.dev as Job;
    const prod = wf.jobs.prod as Job;
    expect(dev.needs).toEqual(["test", "mirror-dev"]);
    expect(prod.needs).toEqual(["dev", "mirror-prod"]);
    expect(dev.environment).toBe("dev");
    expect(prod.environment).toBe("prod");
    for (const [job, stack] of [
      [dev, "dev"],
      [prod, "prod"],
    ] as const) {
      expect(job.if).toBe("vars.CLOUD_ENABLED == 'true'");
      // Day 0: the Kubernetes API is private, so `pulumi up` runs on the platform's in-VPC deployer.
      expect(job["runs-on"]).toBe(`codebuild-fitness-platform-${stack}-deployer-runner-\${{ github.run_id }}-\${{ github.run_attempt }}`);
      const mirror = wf.jobs[`mirror-${stack}`] as Job;
      expect(mirror.environment).toBe(stack);
      expect(runs(mirror)).toContain("scripts/mirror.sh images --manifest mirror/manifest.json");
      expect(runs(mirror)).toContain('scripts/mirror.sh debian --manifest mirror/manifest.json --target "s3://$BUCKET"');
      // Helm pulls the charts from the account's ECR: a registry login precedes `pulumi up`.
      const names = job.steps.map((st) => st.name ?? st.uses ?? "");
      const login = job.steps.find((st) => st.name === "ECR login for Helm's OCI charts");
      // The provider reads this variable (or its own setting), not Helm's HELM_REGISTRY_CONFIG.
      expect(login?.run).toContain('echo "PULUMI_K8S_HELM_REGISTRY_CONFIG_PATH=$config" >> "$GITHUB_ENV"');
      expect(login?.run).toContain("aws ecr get-login-password");
      expect(names.indexOf("ECR login for Helm's OCI charts")).toBeLessThan(names.indexOf("pulumi up"));
      expect(names.indexOf("ECR login for Helm's OCI charts")).toBeGreaterThan(names.findIndex((n) => n.startsWith("aws-actions/configure-aws-credentials") || n.startsWith("AWS credentials")));
      expect(action(job, "pulumi/actions")[0]?.with).toMatchObject({
        command: "up",
        "stack-name": `\${{ vars.PULUMI_STACK_PREFIX }}${stack}`,
        policyPacks: "policy",
        policyPackConfigs: `policy/config/${stack}.json`,
      });
    }
  });
});

describe("scheduled checks", () => {
  const wf = load("scheduled.yml");

  it("run daily: the expiry check, and a drift check that changes nothing", () => {
    expect(wf.on.schedule).toEqual([{ cron: "17 5 * * *" }]);
    expect(runs(wf.jobs.expiry as Job)).toContain("npm run --silent expiry -- --days 7");
    const drift = wf.jobs.drift as Job;
    expect(drift.if).toBe("vars.CLOUD_ENABLED == 'true'");
    expect(runs(drift)).toContain('pulumi refresh --stack "$STACK" --preview-only --expect-no-changes');
    expect(action(drift, "aws-actions/configure-aws-credentials")[0]?.with?.["role-to-assume"]).toBe("${{ matrix.previewRole }}");
    expect(drift.steps.find((st) => st.run?.includes("pulumi refresh") === true)?.env?.["PULUMI_BACKEND_URL"]).toBe("${{ matrix.backend }}");
    expectOwnAccountPerStack(drift);
    // The action only installs the CLI here: with a command it would refresh (write) the state.
    expect(action(drift, "pulumi/actions")[0]?.with?.command).toBeUndefined();
  });

  it("open the pull request that removes expired egress exceptions, with the only write permissions", () => {
    const job = wf.jobs["remove-expired"] as Job;
    expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    const script = runs(job);
    expect(script).toContain("npm run --silent expiry -- --remove-expired");
    expect(script).toContain("gh pr create");
    expect(script).toContain("git diff --quiet -- 'Pulumi.*.yaml'");
  });
});

describe("dependency automation (renovate.json)", () => {
  interface Manager {
    readonly managerFilePatterns: string[];
    readonly matchStrings: string[];
    readonly datasourceTemplate: string;
    readonly depNameTemplate?: string;
  }
  const config = JSON.parse(readFileSync(path.join(ROOT, "renovate.json"), "utf8")) as { customManagers: Manager[]; constraints: { node: string } };
  const stackFiles = ["Pulumi.dev.yaml", "Pulumi.prod.yaml"];
  const matches = (m: Manager, file: string) => [...readFileSync(path.join(ROOT, file), "utf8").matchAll(new RegExp(m.matchStrings[0] ?? "", "g"))].map((x) => x.groups ?? {});
  const byDatasource = (datasource: string, name?: string) => config.customManagers.filter((m) => m.datasourceTemplate === datasource && (name === undefined || m.depNameTemplate === name));

  it("updates only to releases whose engines accept the Node.js the README names", () => {
    expect(config.constraints.node).toBe(JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node);
  });

  it.each(stackFiles)("finds every mirrored image digest, Helm chart and AMI in %s", (file) => {
    const images = byDatasource("docker")
      .filter((m) => m.depNameTemplate === undefined)
      .flatMap((m) => matches(m, file));
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images) expect(image).toMatchObject({ depName: expect.stringMatching(/\//) as string, currentDigest: expect.stringMatching(/^sha256:/) as string });
    for (const chart of ["fluent-bit", "aws-load-balancer-controller", "cluster-autoscaler"]) {
      expect(byDatasource("helm", chart).flatMap((m) => matches(m, file)).map((g) => g.currentValue)).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+$/) as string]);
    }
    // The Envoy Gateway chart is an OCI artifact: its versions come from the registry.
    expect(byDatasource("docker", "docker.io/envoyproxy/gateway-helm").flatMap((m) => matches(m, file)).map((g) => g.currentValue)).toEqual([
      expect.stringMatching(/^v\d+\.\d+\.\d+$/) as string,
    ]);
    const amis = byDatasource("aws-machine-image").map((m) => matches(m, file).map((g) => g.currentValue));
    expect(amis).toEqual([[expect.stringMatching(/^ami-/) as string], [expect.stringMatching(/^ami-/) as string]]);
    // Each manager reads its own key: the databases' and the proxy's AMI, not one of them twice.
    const lines = readFileSync(path.join(ROOT, file), "utf8").split("\n").filter((l) => /^\s+amiId: /.test(l));
    expect(lines).toHaveLength(2);
  });

  it("keeps the Pulumi CLI of the workflows with the SDK", () => {
    const [cli] = byDatasource("npm", "@pulumi/pulumi");
    if (cli === undefined) throw new Error("no manager for the Pulumi CLI");
    expect(matches(cli, ".github/workflows/scheduled.yml").map((g) => g.currentValue)).toEqual([pkg.dependencies["@pulumi/pulumi"]]);
  });
});

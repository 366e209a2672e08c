import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKey } from "../conventions/customer-managed-key";
import { ecrLifecyclePolicy } from "../services/ecr-lifecycle";
import { PROJECT_ROOT } from "../config/load";
import type { PlatformContext } from "../conventions/context";
import type { MirrorManifest } from "./manifest";

/** `<project>/charts/<chart>`: where the mirror job pushes each Helm chart as an OCI artifact. */
export const chartRepositoryName = (project: string, chart: string) => `${project}/charts/${chart}`;

/** The committed manifest (kept equal to what the stacks need by `npm run mirror -- manifest --check`). */
export function committedManifest(file = path.join(PROJECT_ROOT, "mirror", "manifest.json")): MirrorManifest {
  return JSON.parse(fs.readFileSync(file, "utf8")) as MirrorManifest;
}

/**
 * ECR repositories for the mirrored Helm charts, created in the `foundation` phase so the mirror job can
 * fill them before anything installs a chart (images have theirs next to the cluster, src/services).
 * Tags are immutable: a version once mirrored is never replaced under the same name.
 */
export class ChartRepositories extends pulumi.ComponentResource {
  readonly urls: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: { ctx: PlatformContext; charts: MirrorManifest["charts"] }, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:mirror:ChartRepositories", name, {}, opts);
    const urls: Record<string, pulumi.Output<string>> = {};
    // Chart artifacts are encrypted with a key of our own (ECR-01), like the image repositories.
    const key = customerManagedKey(
      { key: `${name}-key`, alias: `${name}-key-alias` },
      {
        description: `ECR chart mirror, ${args.ctx.stack} stack`,
        tags: args.ctx.tags({ component: "mirror", zone: "global" }, args.ctx.name("mirror", "charts-key")),
        alias: `alias/${args.ctx.name("mirror", "charts")}`,
      },
      { parent: this },
    );
    for (const chart of [...new Set(args.charts.map((c) => c.chart))].sort()) {
      const repositoryName = chartRepositoryName(args.ctx.project, chart);
      const repo = new aws.ecr.Repository(
        `${name}-${chart}`,
        {
          name: repositoryName,
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
          forceDelete: args.ctx.durability.forceDestroyBuckets,
          tags: args.ctx.tags({ component: "mirror", zone: "global" }, repositoryName),
        },
        { parent: this },
      );
      // Like every repository: untagged layers expire, only the newest pinned versions are kept.
      new aws.ecr.LifecyclePolicy(`${name}-${chart}-lifecycle`, { repository: repo.name, policy: JSON.stringify(ecrLifecyclePolicy("mirror")) }, { parent: this });
      urls[chart] = repo.repositoryUrl;
    }
    this.urls = pulumi.all(urls);
    this.registerOutputs({ urls: this.urls });
  }
}

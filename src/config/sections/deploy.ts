import { z } from "zod";

/**
 * How this stack is deployed (docs/decisions.md, "Day 0: layers and phases"). `phase` is only ever
 * set for the first deploy of a new stack, by scripts/first-deploy.sh through a temporary config file:
 * `foundation` registers every AWS resource (network, cluster, repositories, the deployer) but nothing
 * inside the cluster; `platform` (the default) is everything, applied by the deployer from inside the VPC.
 */
export const deploySchema = z.strictObject({
  phase: z.enum(["foundation", "platform"], { message: "allowed: foundation (first deploy only), platform" }).default("platform"),
  deployer: z.strictObject({
    /** The repository whose workflow jobs the deployer runs (`runs-on: codebuild-<project>-...`). */
    githubRepository: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, { message: "allowed: <owner>/<name> of the GitHub repository" }),
    /** The AWS CodeConnections connection to GitHub (approved once in the console: an OAuth handshake). */
    connectionArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, { message: "allowed: the ARN of a CodeConnections connection to GitHub" }),
    computeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"], { message: "allowed: BUILD_GENERAL1_SMALL, _MEDIUM, _LARGE" }).default("BUILD_GENERAL1_MEDIUM"),
  }),
});
export type DeployConfig = z.infer<typeof deploySchema>;

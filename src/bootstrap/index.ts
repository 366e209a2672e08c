/**
 * The bootstrap layer's program (project `bootstrap/`, one stack per AWS account): run once from an
 * operator's machine with a local state backend, then its state moves into the bucket it created
 * (docs/runbooks/first-deploy.md). Its outputs are what the platform's stacks are initialised with.
 */
import { loadBootstrapConfig } from "./config";
import { Bootstrap } from "./bootstrap";

function main(): Record<string, unknown> {
  const loaded = loadBootstrapConfig();
  const bootstrap = new Bootstrap("bootstrap", loaded);
  const { plan } = bootstrap;
  return {
    accountId: loaded.accountId,
    region: loaded.region,
    backendUrl: plan.backendUrl,
    secretsProvider: plan.secretsProvider,
    stateBucket: bootstrap.stateBucket.bucket,
    packageMirrorBucket: bootstrap.packageMirrorBucket.bucket,
    packageMirrorUrl: plan.packageMirrorUrl,
    previewRoleArn: bootstrap.previewRole.arn,
    deployRoleArn: bootstrap.deployRole.arn,
    permissionsBoundaryArn: bootstrap.permissionsBoundary.arn,
    serviceLinkedRoles: plan.serviceLinkedRoles.map((r) => r.arn),
  };
}

export = main;

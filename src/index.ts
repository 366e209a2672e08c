/**
 * Composition root: reads and validates the stack's configuration, then builds the platform's
 * components in dependency order and exports the stack outputs. No logic of its own lives here.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccountBaseline } from "./account/account-baseline";
import { AccountPrerequisites } from "./account/prerequisites";
import { Backups, replicaBucketName, repositoryBucketName } from "./backups";
import { loadPlatformConfig } from "./config/load";
import { createContext } from "./conventions/context";
import { DatabaseHosts, packageMirrorBuckets } from "./databases";
import { EgressProxy } from "./dmz/egress-proxy";
import { Edge } from "./dmz/edge";
import { LogArchive } from "./logs/archive";
import { Network } from "./network/network";
import { PROXY_PORT } from "./dmz/squid/paths";
import { OperatorAccess } from "./operator/operator-access";
import { Messaging } from "./messaging/messaging";
import { FluentBit } from "./logs/fluent-bit";
import { DetectiveControls } from "./security/detective-controls";
import { Services } from "./services/services";
import { Deployer } from "./deployer/deployer";
import { deployerAllowlist } from "./deployer/egress-allowlist";
import { PackageMirrorAccess } from "./mirror/package-mirror-policy";
import { ChartRepositories, committedManifest } from "./mirror/chart-repositories";

async function main(): Promise<Record<string, unknown>> {
  // Validation throws a ConfigError (one line per problem) before any resource is registered.
  const platform = loadPlatformConfig();
  const { config } = platform;
  for (const ex of platform.expiredEgressExceptions) {
    pulumi.log.warn(
      `egress exception ${ex.host} (${ex.ticket}, ${ex.owner}) expired on ${ex.expires} and is LEFT OUT of this deploy: ` +
        `remove it from Pulumi.${platform.stack}.yaml (the scheduled expiry job opens that pull request)`,
    );
  }
  const accountId = platform.aws.allowedAccountIds[0] ?? "";
  const scope = {
    project: pulumi.getProject(),
    stack: platform.stack,
    environment: config.environment,
    region: platform.aws.region,
    // The provider refuses any other account (`aws:allowedAccountIds`), so names may carry it before deploy.
    accountId,
  };
  // Account prerequisites first: the service-linked roles our key policies name, created by the bootstrap layer.
  const prerequisites = new AccountPrerequisites("prerequisites", { ctx: createContext(scope) });
  const ctx = createContext({ ...scope, serviceLinkedRoles: prerequisites.serviceLinkedRoleArns });

  // Account-wide guards first: EBS encryption by default with our key, no public buckets anywhere.
  const account = new AccountBaseline("account", { ctx });

  // Log archive next: the network (flow logs), the DMZ (ALB, WAF, proxy) and the services ship into it.
  // CloudTrail also records object-level access to the backup buckets (named up front: LOG-01, D7).
  const backupBuckets = [repositoryBucketName(ctx), ...(config.backups.crossRegion.enabled ? [replicaBucketName(ctx, config.backups.crossRegion.region)] : [])];
  // The trail also feeds a log group: the CIS monitoring metric filters of the detective controls run there.
  const logs = new LogArchive("logs", { ctx, config: config.logs, extraDataEventBucketArns: backupBuckets.map((b) => `arn:aws:s3:::${b}`), trailToCloudWatch: true });

  // Network (D6): the VPC and its dmz/app/data zones, endpoints, NACLs, flow logs into the archive.
  const network = new Network("network", {
    ctx,
    config: config.network,
    flowLogBucketArn: logs.appLogsBucket.arn,
    flowLogDependsOn: [logs],
    ingressGatewayPort: config.cluster.ingressGateway.port,
    mirrorBuckets: packageMirrorBuckets(config.databases),
  });

  // Operator access (D4): the DevOps provider's role; sessions only through SSM, logged to the archive.
  const operator = new OperatorAccess("operator", {
    ctx,
    config: config.operator,
    sessionLogBucketName: logs.appLogsBucket.bucket,
    sessionLogBucketKeyArn: logs.logsKey.arn,
  });

  // DMZ edge (D3, D6): the only way in; the services register the ingress gateway pods in its target group.
  const edge = new Edge("edge", {
    ctx,
    config: config.edge,
    gatewayPort: config.cluster.ingressGateway.port,
    network,
    logs: { bucket: logs.edgeLogsBucket.bucket, albPrefix: logs.albLogPrefix, wafDestinationArn: logs.wafLogDestinationArn, ready: [logs] },
  });

  // Egress proxy (D6): the only way out; one host for the in-VPC deployer, more while an exception is live.
  const egress = new EgressProxy("egress", {
    ctx,
    config: config.egress,
    liveExceptions: platform.liveEgressExceptions,
    network,
    logs: { bucket: logs.appLogsBucket.bucket, bucketArn: logs.appLogsBucket.arn, kmsKeyArn: logs.logsKey.arn },
    hostSessionPolicyArn: operator.hostSessionPolicy.arn,
    deployerHosts: deployerAllowlist(),
  });

  // Messaging (D2): topics, queues and grants from the catalog; SERVICES attaches `statementsFor(service)`.
  const messaging = new Messaging("messaging", { ctx, config: config.messaging, catalog: platform.catalog });

  // Detective controls: GuardDuty, Security Hub (FSBP, CIS v3), AWS Config into the audit archive,
  // Access Analyzer, CIS monitoring alarms on the trail to the operations topic.
  const security = new DetectiveControls("security", {
    ctx,
    auditBucketName: logs.auditBucket.bucket,
    auditKeyArn: logs.logsKey.arn,
    trailLogGroupName: logs.trailLogGroupName(),
    alarmTopicArn: messaging.operationsTopic.arn,
  });

  // Backups (D7): pgBackRest repository, snapshots, restore role; before the hosts, which take its hooks.
  const backups = new Backups("backups", {
    ctx,
    config: config.backups,
    domains: Object.keys(config.databases.domains),
    restoreDrill: {
      subnetIds: network.subnets.data.map((s) => s.id),
      securityGroupId: network.zoneSecurityGroups.data.id,
      amiId: config.databases.amiId,
      packageMirrorUrl: config.databases.mirrorUrl,
    },
    alarmTopicArn: messaging.operationsTopic.arn,
    hostSessionPolicyArn: operator.hostSessionPolicy.arn,
  });

  // Databases (D5): one self-managed PostgreSQL host per critical data domain, in the data zone.
  const databases = new DatabaseHosts("databases", {
    ctx,
    config: config.databases,
    catalog: platform.catalog,
    network,
    proxyUrl: egress.proxyUrl,
    liveEgressExceptions: platform.liveEgressExceptions,
    bootstrapExtras: (host) => backups.bootstrapExtrasFor(host.domain),
    extraRolePolicy: (host) => backups.hostRolePolicyFor(host.domain),
    hostSessionPolicyArn: operator.hostSessionPolicy.arn,
    alarmTopicArn: messaging.operationsTopic.arn,
  });

  // Services (D1, D3, D4): EKS, the ingress gateway in the edge target group, every catalog service.
  const services = new Services("services", {
    ctx,
    platform,
    network,
    edge,
    egress,
    databases,
    messaging,
    operatorRoleArn: operator.role.arn,
    logs: { keyArn: logs.logsKey.arn },
    hostSessionPolicyArn: operator.hostSessionPolicy.arn,
  });

  // Day 0 (§7): the deployer inside the VPC that applies everything in the cluster, and the chart
  // repositories the mirror job fills before any chart is installed.
  const deployer = new Deployer("deployer", {
    ctx,
    config: config.deploy.deployer,
    vpcId: network.vpc.id,
    vpcCidr: config.network.vpcCidr,
    dmzSubnets: network.subnets.dmz,
    clusterSecurityGroupId: network.zoneSecurityGroups.app.id,
    proxy: { url: egress.proxyUrl, noProxy: egress.noProxy, port: PROXY_PORT, securityGroupId: egress.proxySecurityGroup.id },
    logs: { keyArn: logs.logsKey.arn, retentionInDays: config.logs.logGroupRetentionDays },
  });
  const charts = new ChartRepositories("charts", { ctx, charts: committedManifest().charts });
  // The bootstrap's package-mirror bucket: TLS only, hosts' anonymous reads through this VPC's S3 endpoint only.
  new PackageMirrorAccess("package-mirror", { region: ctx.region, buckets: packageMirrorBuckets(config.databases), s3EndpointId: network.s3Endpoint.id });

  // Container logs: Fluent Bit on every node, into the archive's containers/ prefix (not in the foundation phase).
  if (config.deploy.phase === "platform") new FluentBit(
    "fluent-bit",
    {
      ctx,
      config: config.logs,
      provider: services.eks.provider,
      clusterName: services.clusterName,
      appLogsBucket: logs.appLogsBucket,
      logsKeyArn: logs.logsKey.arn,
    },
    { dependsOn: services.eks.ready },
  );

  return {
    environment: ctx.environment,
    account: { ebsDefaultKeyArn: account.ebsKey.arn },
    region: ctx.region,
    services: Object.keys(platform.catalog.services),
    liveEgressExceptions: platform.liveEgressExceptions.map((ex) => `${ex.host} until ${ex.expires} (${ex.ticket})`),
    network: {
      vpcId: network.vpc.id,
      vpcCidr: network.plan.vpcCidr,
      subnetIds: network.subnetIds(),
      privateZone: network.privateZone.name,
      privateZoneId: network.privateZone.zoneId,
    },
    edge: {
      url: edge.url,
      loadBalancerDnsName: edge.loadBalancer.dnsName,
      targetGroupArn: edge.targetGroup.arn,
      webAclArn: edge.webAcl.arn,
    },
    egressProxy: {
      proxyUrl: egress.proxyUrl,
      noProxy: egress.noProxy,
      desiredCapacity: egress.plan.capacity.desiredCapacity,
      exceptionsParameter: egress.exceptionsParameter.name,
    },
    databases: {
      hosts: databases.summary(),
      keyArn: databases.key.arn,
    },
    backups: {
      repositoryBucket: backups.repository.bucket,
      replicaBucket: backups.repository.replica?.bucket,
      vaultName: backups.vault.name,
      replicaVaultName: backups.replicaVault?.name,
      recoveryWindowDays: backups.repository.recoveryWindowDays,
      restoreDrill: backups.drillOutputs(ctx.region),
    },
    security: {
      guardDutyDetectorId: security.detector.id,
      accessAnalyzerArn: security.analyzer.arn,
    },
    operator: {
      roleArn: operator.role.arn,
      hostSessionPolicyArn: operator.hostSessionPolicy.arn,
    },
    logArchive: {
      appLogsBucket: logs.appLogsBucket.bucket,
      edgeLogsBucket: logs.edgeLogsBucket.bucket,
      auditBucket: logs.auditBucket.bucket,
      accessLogsBucket: logs.accessLogsBucket.bucket,
      logsKeyArn: logs.logsKey.arn,
      trailArn: logs.trail.arn,
    },
    cluster: {
      name: services.clusterName,
      endpoint: services.eks.cluster.endpoint,
      repositories: services.repositoryUrls(),
      serviceRoleArns: services.workloads?.roleArns() ?? {},
    },
    deploy: {
      phase: config.deploy.phase,
      deployerProject: deployer.projectName,
      runsOn: deployer.runsOn,
      chartRepositories: charts.urls,
    },
    messaging: {
      topicArns: messaging.topicArns(),
      queueUrls: messaging.queueUrls(),
      operationsTopicArn: messaging.operationsTopic.arn,
      keyArn: messaging.key.arn,
      sesDkimRecords: messaging.notifications.dkimRecords,
    },
  };
}

export = main;

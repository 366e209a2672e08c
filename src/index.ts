/**
 * Composition root: reads and validates the stack's configuration, then builds the platform's
 * components in dependency order and exports the stack outputs. No logic of its own lives here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./config/load";
import { createContext } from "./conventions/context";
import { LogArchive } from "./logs/archive";
import { Network } from "./network/network";
import { OperatorAccess } from "./operator/operator-access";
import { Messaging } from "./messaging/messaging";

async function main(): Promise<Record<string, unknown>> {
  // Validation throws a ConfigError (one line per problem) before any resource is registered.
  const platform = loadPlatformConfig();
  const { config } = platform;
  const ctx = createContext({
    project: pulumi.getProject(),
    stack: platform.stack,
    environment: config.environment,
    region: platform.aws.region,
    accountId: aws.getCallerIdentityOutput().accountId,
  });

  // Log archive first: the network (flow logs), the DMZ (ALB, WAF, proxy) and the services ship into it.
  const logs = new LogArchive("logs", { ctx, config: config.logs });

  // Network (D6): the VPC and its dmz/app/data zones, endpoints, NACLs, flow logs into the archive.
  const network = new Network("network", {
    ctx,
    config: config.network,
    flowLogBucketArn: logs.appLogsBucket.arn,
    flowLogDependsOn: [logs],
    ingressGatewayPort: config.cluster.ingressGateway.port,
  });

  // Operator access (D4): the DevOps provider's role; sessions only through SSM, logged to the archive.
  const operator = new OperatorAccess("operator", {
    ctx,
    config: config.operator,
    sessionLogBucketName: logs.appLogsBucket.bucket,
    sessionLogBucketKeyArn: logs.logsKey.arn,
  });

  // Messaging (D2): topics, queues and grants from the catalog; SERVICES attaches `statementsFor(service)`.
  const messaging = new Messaging("messaging", { ctx, config: config.messaging, catalog: platform.catalog });

  return {
    environment: ctx.environment,
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

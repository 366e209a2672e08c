/**
 * The DevOps provider's way in (D4): one IAM role its account can assume with the agreed external id
 * and MFA, allowed to view the account and to open Session Manager shells on this stack's hosts only,
 * each session encrypted with a key of its own and logged to the log archive. No SSH, no key pairs,
 * no bastion exist anywhere in the platform.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { OperatorConfig } from "../config/sections/operator";
import type { PlatformContext } from "../conventions/context";
import { LOG_PREFIXES } from "../logs/archive-plan";
import { customerManagedKey } from "../conventions/customer-managed-key";
import { partitionOf } from "../conventions/arn";
import {
  SESSION_PREFERENCES_DOCUMENT,
  VIEW_ONLY_POLICY,
  hostSessionStatements,
  operatorSessionPolicy,
  operatorTrustPolicy,
  renderSessionPreferences,
} from "./operator-plan";

export interface OperatorAccessArgs {
  readonly ctx: PlatformContext;
  readonly config: OperatorConfig;
  /** The log archive's app logs bucket (name); sessions land under `ssm-sessions/`. */
  readonly sessionLogBucketName: pulumi.Input<string>;
  /** The bucket's SSE-KMS key (LogArchive.logsKey.arn), which hosts need to write session logs. */
  readonly sessionLogBucketKeyArn?: pulumi.Input<string>;
}

const COMPONENT = "operator";

export class OperatorAccess extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  /** Encrypts Session Manager session data end to end. */
  readonly sessionKey: aws.kms.Key;
  readonly sessionPreferences: aws.ssm.Document;
  /** Attach to every host's instance role (next to AmazonSSMManagedInstanceCore) so its sessions are logged. */
  readonly hostSessionPolicy: aws.iam.Policy;

  constructor(name: string, args: OperatorAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:operator:OperatorAccess", name, {}, opts);
    const { ctx, config } = args;
    const parent = { parent: this };
    const tags = (thing: string) => ctx.tags({ component: COMPONENT, zone: "global" }, ctx.name(COMPONENT, thing));
    const prefix = LOG_PREFIXES.ssmSessions;

    this.sessionKey = customerManagedKey(
      { key: `${name}-session-key`, alias: `${name}-session-key-alias` },
      { description: `Session Manager session encryption, ${ctx.stack} stack`, tags: tags("session-key"), alias: `alias/${ctx.name(COMPONENT, "sessions")}` },
      parent,
    );

    this.sessionPreferences = new aws.ssm.Document(
      `${name}-session-preferences`,
      {
        name: SESSION_PREFERENCES_DOCUMENT,
        documentType: "Session",
        documentFormat: "JSON",
        content: pulumi.all([args.sessionLogBucketName, this.sessionKey.arn]).apply(([bucketName, keyArn]) =>
          renderSessionPreferences({
            bucketName,
            keyPrefix: prefix,
            kmsKeyId: keyArn,
            idleSessionMinutes: config.idleSessionMinutes,
            maxSessionMinutes: config.maxSessionHours * 60,
          }),
        ),
        tags: tags("session-preferences"),
      },
      parent,
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        permissionsBoundary: ctx.permissionsBoundary,
        name: ctx.name(COMPONENT, "devops-provider", 64),
        description: "DevOps provider: read-only views and logged SSM sessions on this platform's hosts",
        assumeRolePolicy: JSON.stringify(
          operatorTrustPolicy({ providerAccountId: config.providerAccountId, externalId: config.externalId, region: ctx.region }),
        ),
        maxSessionDuration: config.maxSessionHours * 3600,
        tags: tags("devops-provider"),
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-view-only`,
      { role: this.role.name, policyArn: `arn:${partitionOf(ctx.region)}:iam::aws:policy/${VIEW_ONLY_POLICY}` },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-sessions`,
      {
        role: this.role.id,
        name: "ssm-sessions",
        policy: pulumi.all([ctx.accountId, this.sessionKey.arn]).apply(([accountId, sessionKeyArn]) =>
          JSON.stringify(
            operatorSessionPolicy({ project: ctx.project, environment: ctx.environment, region: ctx.region, accountId, sessionKeyArn }),
          ),
        ),
      },
      parent,
    );

    this.hostSessionPolicy = new aws.iam.Policy(
      `${name}-host-sessions`,
      {
        name: ctx.name(COMPONENT, "host-sessions", 128),
        description: "Lets a host encrypt and log its Session Manager sessions",
        policy: pulumi
          .all([args.sessionLogBucketName, this.sessionKey.arn, args.sessionLogBucketKeyArn])
          .apply(([bucketName, sessionKeyArn, bucketKeyArn]) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: hostSessionStatements({
                region: ctx.region,
                bucketName,
                keyPrefix: prefix,
                sessionKeyArn,
                ...(bucketKeyArn === undefined ? {} : { bucketKeyArn }),
              }),
            }),
          ),
        tags: tags("host-sessions"),
      },
      parent,
    );

    this.registerOutputs({ roleArn: this.role.arn, sessionKeyArn: this.sessionKey.arn, hostSessionPolicyArn: this.hostSessionPolicy.arn });
  }
}

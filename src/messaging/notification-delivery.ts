import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NotificationsConfig } from "../config/sections/messaging";
import type { PlatformContext } from "../conventions/context";
import { notificationGrant, smtpSendGrant } from "./grants";
import type { PolicyStatement } from "./iam-document";
import { maxNameLength } from "../conventions/aws-limits";

/** SES's SMTP interface with STARTTLS; NETWORK opens it from the app zone to the `email-smtp` endpoint. */
export const SMTP_PORT = 587;
/** Easy DKIM always hands out three tokens, each published as a CNAME. */
const DKIM_TOKENS = 3;

export interface NotificationDeliveryArgs {
  readonly ctx: PlatformContext;
  readonly config: NotificationsConfig;
  readonly keyArn: pulumi.Input<string>;
}

/**
 * How the notifications service reaches people without the internet (D6):
 * - e-mail: Amazon SES through its SMTP interface, the only SES interface with a VPC endpoint
 *   (`email-smtp`). SMTP authenticates with credentials derived from an IAM user's access key, so a
 *   dedicated user exists for it alone: no console access, no policy of its own, its only right (send
 *   raw mail as the configured identity and From address) coming from its group. The credentials live
 *   in Secrets Manager under the messaging key; the notifications pod reads them with its own identity.
 * - push: SNS mobile push (platform applications for APNs/FCM) through the `sns` endpoint, with the
 *   pod's own identity.
 */
export class NotificationDelivery extends pulumi.ComponentResource {
  readonly emailIdentity: aws.sesv2.EmailIdentity;
  readonly smtpUser: aws.iam.User;
  readonly smtpSecret: aws.secretsmanager.Secret;
  /** DKIM CNAMEs to publish in the identity's zone (done here when `hostedZoneId` is configured). */
  readonly dkimRecords: pulumi.Output<{ name: string; value: string }[]>;
  private readonly grantInput: pulumi.Output<{ keyArn: string; secretArn: string; accountId: string }>;
  private readonly ctx: PlatformContext;
  private readonly config: NotificationsConfig;

  constructor(name: string, args: NotificationDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:messaging:NotificationDelivery", name, {}, opts);
    const { ctx, config } = args;
    this.ctx = ctx;
    this.config = config;
    const tags = (physical?: string) => ctx.tags({ component: "messaging", zone: "app" }, physical);

    this.emailIdentity = new aws.sesv2.EmailIdentity(
      `${name}-identity`,
      { emailIdentity: config.email.identity, dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" }, tags: tags(config.email.identity) },
      { parent: this },
    );
    this.dkimRecords = this.emailIdentity.dkimSigningAttributes.apply((attrs) =>
      (attrs?.tokens ?? []).map((token) => ({ name: `${token}._domainkey.${config.email.identity}`, value: `${token}.dkim.amazonses.com` })),
    );
    const zoneId = config.email.hostedZoneId;
    if (zoneId !== undefined) {
      for (let i = 0; i < DKIM_TOKENS; i++) {
        const record = this.dkimRecords.apply((records) => {
          const r = records[i];
          if (r === undefined) throw new Error(`SES returned ${records.length} DKIM tokens for ${config.email.identity}; expected ${DKIM_TOKENS}`);
          return r;
        });
        new aws.route53.Record(
          `${name}-dkim-${i}`,
          { zoneId, name: record.name, type: "CNAME", ttl: 1800, records: [record.value] },
          { parent: this },
        );
      }
    }

    const senders = new aws.iam.Group(`${name}-ses-senders`, { name: ctx.name("messaging", "ses-senders", maxNameLength("aws:iam/group:Group")), path: "/messaging/" }, { parent: this });
    new aws.iam.GroupPolicy(
      `${name}-ses-send`,
      {
        group: senders.name,
        name: "send-as-notifications-identity",
        policy: this.emailIdentity.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: smtpSendGrant(arn, config.email.fromAddress) })),
      },
      { parent: this },
    );
    const userName = ctx.name("messaging", "ses-smtp", maxNameLength("aws:iam/user:User"));
    this.smtpUser = new aws.iam.User(`${name}-ses-smtp`, { name: userName, path: "/messaging/", tags: tags(userName) }, { parent: this });
    new aws.iam.UserGroupMembership(`${name}-ses-smtp`, { user: this.smtpUser.name, groups: [senders.name] }, { parent: this });
    const accessKey = new aws.iam.AccessKey(`${name}-ses-smtp`, { user: this.smtpUser.name }, { parent: this });

    const secretName = ctx.name("messaging", "ses-smtp-credentials");
    this.smtpSecret = new aws.secretsmanager.Secret(
      `${name}-ses-smtp`,
      {
        name: secretName,
        description: "SES SMTP credentials of the notifications service (rotate: docs/messaging.md)",
        kmsKeyId: args.keyArn,
        recoveryWindowInDays: ctx.durability.secretRecoveryWindowDays,
        tags: tags(secretName),
      },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-ses-smtp`,
      {
        secretId: this.smtpSecret.id,
        secretString: pulumi.secret(
          pulumi.all([accessKey.id, accessKey.sesSmtpPasswordV4]).apply(([username, password]) =>
            JSON.stringify({ host: `email-smtp.${ctx.region}.amazonaws.com`, port: SMTP_PORT, username, password, from: config.email.fromAddress }),
          ),
        ),
      },
      { parent: this },
    );

    this.grantInput = pulumi
      .all([args.keyArn, this.smtpSecret.arn, ctx.accountId])
      .apply(([keyArn, secretArn, accountId]) => ({ keyArn, secretArn, accountId }));
    this.registerOutputs({ emailIdentityArn: this.emailIdentity.arn, smtpSecretArn: this.smtpSecret.arn });
  }

  /** The notifications service's rights to send: read the SMTP credentials, push to device endpoints. */
  grantSend(): pulumi.Output<PolicyStatement[]> {
    return this.grantInput.apply(({ keyArn, secretArn, accountId }) =>
      notificationGrant({ scope: { region: this.ctx.region, accountId }, keyArn, smtpSecretArn: secretArn, push: this.config.push }),
    );
  }
}

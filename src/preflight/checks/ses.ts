/**
 * E-mail can go out: the account may send in this region and is out of the SES sandbox (in the sandbox
 * SES delivers only to verified addresses, 200 a day: SES developer guide, "Request production access"),
 * and the sending identity is in the state the stack expects (created by it, or verified already).
 * API shapes: SES v2 GetAccount (`ProductionAccessEnabled`, `SendingEnabled`) and GetEmailIdentity
 * (`VerifiedForSendingStatus`, `DkimAttributes.Status`).
 */
import { GetHostedZoneCommand, type HostedZone } from "@aws-sdk/client-route-53";
import { type GetAccountCommandOutput, GetAccountCommand, type GetEmailIdentityCommandOutput, GetEmailIdentityCommand } from "@aws-sdk/client-sesv2";
import { ask, askOptional } from "../ask";
import type { Check, Finding } from "../types";
import { fqdn } from "./dns";

export interface SesEvidence {
  readonly account: Pick<GetAccountCommandOutput, "ProductionAccessEnabled" | "SendingEnabled" | "EnforcementStatus">;
  readonly identity: Pick<GetEmailIdentityCommandOutput, "IdentityType" | "VerifiedForSendingStatus" | "DkimAttributes"> | null;
  /** The DKIM zone (`messaging.notifications.email.hostedZoneId`), when configured. */
  readonly dkimZone?: Pick<HostedZone, "Name" | "Config"> | null;
}

const NAME = "ses";

export const sesCheck: Check<SesEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const getAccount = new GetAccountCommand({});
    const account = await ask(clients.sesv2, getAccount, () => clients.sesv2.send(getAccount));
    const getIdentity = new GetEmailIdentityCommand({ EmailIdentity: facts.email.identity });
    const identity = (await askOptional(clients.sesv2, getIdentity, ["NotFoundException"], () => clients.sesv2.send(getIdentity))) ?? null;
    if (facts.email.hostedZoneId === undefined) return { account, identity };
    const getZone = new GetHostedZoneCommand({ Id: facts.email.hostedZoneId });
    const zone = await askOptional(clients.route53, getZone, ["NoSuchHostedZone", "InvalidInput"], () => clients.route53.send(getZone));
    return { account, identity, dkimZone: zone?.HostedZone ?? null };
  },
  evaluate(facts, evidence) {
    const findings: Finding[] = [];
    const { identity } = facts.email;
    if (evidence.account.SendingEnabled === false) {
      findings.push({ check: NAME, severity: "error", problem: `sending is disabled for this account in ${facts.region} (enforcement: ${evidence.account.EnforcementStatus ?? "unknown"})`, action: "resolve the SES enforcement case before deploying the notifications service" });
    }
    if (evidence.account.ProductionAccessEnabled !== true) {
      findings.push({
        check: NAME,
        severity: facts.environment === "prod" ? "error" : "warning",
        problem: `the account is in the SES sandbox in ${facts.region}: mail goes only to verified addresses`,
        action: `request production access for SES in ${facts.region} (aws sesv2 put-account-details ... --production-access-enabled)`,
      });
    }
    const seen = evidence.identity;
    if (seen === null && !facts.email.createdByStack) {
      findings.push({ check: NAME, severity: "error", problem: `SES identity ${identity} does not exist and the stack does not create it`, action: `create and verify ${identity} in SES (${facts.region})` });
    } else if (seen !== null && facts.email.createdByStack && !facts.email.adoptedByStack) {
      findings.push({ check: NAME, severity: "error", problem: `SES identity ${identity} already exists, and the stack would create it again (SES refuses: AlreadyExistsException)`, action: "import the existing identity into the stack, or delete it first" });
    } else if (seen !== null && seen.VerifiedForSendingStatus !== true) {
      findings.push({ check: NAME, severity: "warning", problem: `SES identity ${identity} is not verified for sending (DKIM ${seen.DkimAttributes?.Status ?? "unknown"})`, action: `publish its DKIM CNAME records in the DNS of ${identity}` });
    }
    if (facts.email.hostedZoneId !== undefined) {
      const zone = evidence.dkimZone;
      const key = `${facts.project}:messaging.notifications.email.hostedZoneId`;
      const zoneName = fqdn(zone?.Name ?? "");
      if (zone === undefined || zone === null) {
        findings.push({ check: NAME, severity: "error", problem: `hosted zone ${facts.email.hostedZoneId} (${key}) does not exist`, action: `set ${key} to the public zone of ${identity}` });
      } else if (zone.Config?.PrivateZone === true || (fqdn(identity) !== zoneName && !fqdn(identity).endsWith(`.${zoneName}`))) {
        findings.push({ check: NAME, severity: "error", problem: `hosted zone ${facts.email.hostedZoneId} (${zoneName}${zone.Config?.PrivateZone === true ? ", private" : ""}) cannot publish the DKIM records of ${identity}`, action: `set ${key} to the public zone of ${identity} or a parent of it` });
      }
    } else if (facts.email.createdByStack && seen === null) {
      findings.push({ check: NAME, severity: "warning", problem: `the stack creates SES identity ${identity} but publishes no DKIM records (no hostedZoneId), so it stays unverified`, action: `set ${facts.project}:messaging.notifications.email.hostedZoneId, or publish the DKIM CNAMEs by hand after the deploy` });
    }
    return findings;
  },
};

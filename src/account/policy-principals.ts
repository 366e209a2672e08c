/**
 * Who the stack's policies name, and whether each can exist when the policy is written. AWS refuses a
 * key policy (MalformedPolicyDocumentException) and a trust or bucket policy (Invalid principal) naming
 * an IAM principal that does not exist, so every principal must be one of: a resource of the snapshot
 * (created, or read where another layer created it), an AWS service, this account, or an account the
 * configuration names (the DevOps provider, AWS's regional service accounts).
 */
import type { ResourceState } from "../offline/snapshot/types";

export interface NamedPrincipal {
  readonly urn: string;
  /** The input property holding the policy (`policy`, `assumeRolePolicy`, ...). */
  readonly property: string;
  readonly kind: string;
  readonly principal: string;
}

export interface PrincipalScope {
  readonly accountId: string;
  /** Accounts the configuration names: the operator's provider, AWS's ELB log-delivery accounts. */
  readonly externalAccounts: readonly string[];
}

const SERVICE = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const ACCOUNT_ROOT = /^arn:aws(-cn|-us-gov)?:iam::(\d{12}):root$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function policyStatements(text: string): unknown[] | undefined {
  if (!text.includes("Statement")) return undefined;
  try {
    const doc: unknown = JSON.parse(text);
    return isRecord(doc) && Array.isArray(doc.Statement) ? doc.Statement : undefined;
  } catch {
    return undefined;
  }
}

/** Every principal named by any policy document held in any input of any resource. */
export function namedPrincipals(resources: readonly ResourceState[]): NamedPrincipal[] {
  const out: NamedPrincipal[] = [];
  const visit = (urn: string, property: string, value: unknown): void => {
    if (typeof value === "string") {
      for (const statement of policyStatements(value) ?? []) {
        const principal = isRecord(statement) ? statement.Principal : undefined;
        if (!isRecord(principal)) continue; // "*" is judged by the S3/SQS/SNS policies, not here
        for (const [kind, names] of Object.entries(principal)) {
          for (const name of Array.isArray(names) ? names : [names]) if (typeof name === "string") out.push({ urn, property, kind, principal: name });
        }
      }
    } else if (Array.isArray(value)) value.forEach((v) => visit(urn, property, v));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) visit(urn, `${property}.${k}`, v);
  };
  for (const r of resources) for (const [key, value] of Object.entries(r.inputs ?? {})) visit(r.urn, key, value);
  return out;
}

/** The principals that nothing vouches for: each would be refused by AWS, or name someone unintended. */
export function unexplainedPrincipals(resources: readonly ResourceState[], scope: PrincipalScope): NamedPrincipal[] {
  const arns = new Set<string>();
  for (const r of resources) {
    const arn = r.outputs?.arn;
    if (typeof arn === "string") arns.add(arn);
  }
  const accounts = new Set([scope.accountId, ...scope.externalAccounts]);
  return namedPrincipals(resources).filter(({ kind, principal }) => {
    if (kind === "Service") return !SERVICE.test(principal);
    if (arns.has(principal)) return false;
    if (kind !== "AWS") return true;
    const account = /^\d{12}$/.test(principal) ? principal : ACCOUNT_ROOT.exec(principal)?.[2];
    return account === undefined || !accounts.has(account);
  });
}

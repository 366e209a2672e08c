/**
 * Every service-linked role a policy of the stack names exists before that policy is created, or the
 * stack creates it first. KMS rejects a key policy naming a principal that does not exist
 * (MalformedPolicyDocumentException), and IAM refuses to create a service-linked role twice.
 */
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { askOptional } from "../ask";
import type { Check, Finding } from "../types";

export interface ServiceLinkedRoleEvidence {
  /** Role name → whether it exists in the account. */
  readonly exists: Readonly<Record<string, boolean>>;
}

const NAME = "service-linked-roles";

export const serviceLinkedRoleCheck: Check<ServiceLinkedRoleEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const exists: Record<string, boolean> = {};
    for (const need of facts.serviceLinkedRoles) {
      const command = new GetRoleCommand({ RoleName: need.roleName });
      exists[need.roleName] = (await askOptional(clients.iam, command, ["NoSuchEntityException", "NoSuchEntity"], () => clients.iam.send(command))) !== undefined;
    }
    return { exists };
  },
  evaluate(facts, evidence) {
    const findings: Finding[] = [];
    for (const need of facts.serviceLinkedRoles) {
      const exists = evidence.exists[need.roleName] === true;
      if (!exists && !need.createdByStack) {
        findings.push({ check: NAME, severity: "error", problem: `service-linked role ${need.roleName} does not exist, and ${need.neededBy} name it (KMS and IAM reject policies naming a missing principal)`, action: `deploy the bootstrap layer first (it creates the account's service-linked roles), or: aws iam create-service-linked-role --aws-service-name ${need.service}` });
      } else if (exists && need.createdByStack && !need.adoptedByStack) {
        findings.push({ check: NAME, severity: "error", problem: `service-linked role ${need.roleName} already exists, and the stack would create it again (IAM refuses: the role name is taken)`, action: "adopt it by import instead of creating it (the bootstrap's serviceLinkedRoles.adopt list)" });
      }
    }
    return findings;
  },
};

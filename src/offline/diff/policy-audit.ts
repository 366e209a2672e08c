import { runAudit, stackPolicyConfig, stackPolicyConfigFile } from "../audit";
import type { StackExport } from "../snapshot/types";
import type { AuditFunction, PolicyFinding } from "./policy-results";
import { stackOf } from "./resource-facts";

/**
 * The policy pack's offline audit as the diff needs it: the findings of one snapshot. Base and head
 * are both judged by this checkout's policies and its `policy/config/<stack>.json`, so what changes
 * between them is what the infrastructure change does, not a difference between two rule books.
 */
export const auditWithPolicyPack: AuditFunction = async (snapshot: StackExport): Promise<PolicyFinding[]> => {
  const stack = stackOf(snapshot);
  const config = stack === undefined ? undefined : stackPolicyConfig(stack);
  const result = await runAudit(snapshot, config === undefined || stack === undefined ? {} : { config, configSource: stackPolicyConfigFile(stack) });
  return result.violations.map((v) => ({
    policy: v.policy,
    level: v.kind === "violation" ? v.level : `${v.level} (cannot be checked)`,
    ...(v.urn === undefined ? {} : { urn: v.urn }),
    message: v.message,
    finding: v.finding,
  }));
};

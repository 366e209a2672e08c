import { beforeAll, describe, expect, it } from "vitest";
import { synthesize } from "../../src/offline/engine/synthesize";
import type { ResourceState, StackExport } from "../../src/offline/snapshot/types";
import { ROOT } from "../support/stack-config";

/**
 * D4: the provider reaches hosts only through Session Manager, and every session is encrypted and logged.
 * That needs the host-session policy on the role of every machine a session can open on: instance
 * profiles (DB hosts, proxy hosts) and the EKS node role.
 */
const snapshots: Record<string, StackExport> = {};
beforeAll(async () => {
  for (const stack of ["dev", "prod"]) snapshots[stack] = (await synthesize({ stack, projectRoot: ROOT })).snapshot;
});

const outputs = (r: ResourceState) => ({ ...(r.inputs ?? {}), ...(r.outputs ?? {}) });

describe.each(["dev", "prod"])("session logging on every host role (%s)", (stack) => {
  it("attaches the operator's host-session policy to each role an instance can run as", () => {
    const resources = (snapshots[stack] as StackExport).deployment.resources;
    const sessionPolicy = resources.find((r) => r.type === "aws:iam/policy:Policy" && r.urn.endsWith("::operator-host-sessions"));
    expect(sessionPolicy).toBeDefined();
    const sessionPolicyArn = String(outputs(sessionPolicy as ResourceState).arn);
    const roleByArn = new Map(resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => [String(outputs(r).arn), String(outputs(r).name)]));

    const hostRoles = new Set<string>();
    for (const r of resources) {
      if (r.type === "aws:iam/instanceProfile:InstanceProfile") hostRoles.add(String(outputs(r).role));
      if (r.type === "aws:eks/nodeGroup:NodeGroup") hostRoles.add(roleByArn.get(String(outputs(r).nodeRoleArn)) ?? "?");
    }
    // Four DB hosts, the proxy hosts, the restore drill host and the EKS nodes.
    expect(hostRoles.size).toBeGreaterThanOrEqual(7);
    expect(hostRoles.has("?")).toBe(false);

    const withSessions = new Set(
      resources
        .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && String(outputs(r).policyArn) === sessionPolicyArn)
        .map((r) => String(outputs(r).role)),
    );
    const missing = [...hostRoles].filter((role) => !withSessions.has(role));
    expect(missing).toEqual([]);
  });
});

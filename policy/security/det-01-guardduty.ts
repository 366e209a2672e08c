import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, flag, list, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { EKS_CLUSTER, GUARDDUTY_DETECTOR, GUARDDUTY_FEATURE, SUBNET_TYPES, VPC_ENDPOINT } from "./types";

/** Features (DetectorFeature names) and the protection each stands for. */
const REQUIRED = [
  ["S3_DATA_EVENTS", "S3 protection"],
  ["EKS_AUDIT_LOGS", "EKS audit log monitoring"],
] as const;
const RUNTIME = ["RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"];

function enabledFeatures(index: StackIndex, detector: PolicyResource): Map<string, PolicyResource> {
  const features = new Map<string, PolicyResource>();
  for (const f of index.referrers(detector, [GUARDDUTY_FEATURE], "detectorId")) {
    const name = text(f.props["name"]);
    if (name !== undefined && text(f.props["status"]) === "ENABLED") features.set(name, f);
  }
  // The detector's deprecated `datasources` block turns on the same protections.
  const ds = detector.props["datasources"];
  if (flag(at(ds, "s3Logs", "enable")) === true) features.set("S3_DATA_EVENTS", detector);
  if (flag(at(ds, "kubernetes", "auditLogs", "enable")) === true) features.set("EKS_AUDIT_LOGS", detector);
  return features;
}

function additionalEnabled(feature: PolicyResource, name: string): boolean {
  return list(feature.props["additionalConfigurations"]).some((c) => text(at(c, "name")) === name && text(at(c, "status")) === "ENABLED");
}

export const det01GuardDuty = defineStackPolicy({
  meta: {
    id: "DET-01",
    title: "GuardDuty on, with S3 protection, EKS audit logs and runtime monitoring reachable from the private zones",
    severity: "high",
    decisions: ["D5", "D6"],
    controls: { fsbp: ["GuardDuty.1", "GuardDuty.5", "GuardDuty.7", "GuardDuty.10", "GuardDuty.11"] },
    description:
      "The stack enables a GuardDuty detector with the S3_DATA_EVENTS and EKS_AUDIT_LOGS features and Runtime Monitoring " +
      "(RUNTIME_MONITORING or EKS_RUNTIME_MONITORING; with an EKS cluster, agent management for EKS on). When the stack has " +
      "subnets, the agent's path exists as code: an interface endpoint for guardduty-data with private DNS.",
    remediation:
      "Create aws.guardduty.Detector { enable: true } and an aws.guardduty.DetectorFeature per protection (S3_DATA_EVENTS, " +
      "EKS_AUDIT_LOGS, RUNTIME_MONITORING with EKS_ADDON_MANAGEMENT); add guardduty-data to the interface endpoints " +
      "(src/network/endpoint-plan.ts). See src/security/detective-controls.ts.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const detectors = index.ofType(GUARDDUTY_DETECTOR).filter((d) => flag(d.props["enable"]) !== false);
    if (detectors.length === 0) {
      reportViolation("the stack enables no GuardDuty detector (aws.guardduty.Detector with enable: true).", undefined, "no detector");
      return;
    }
    const hasCluster = index.ofType(EKS_CLUSTER).length > 0;
    for (const detector of detectors) {
      const features = enabledFeatures(index, detector);
      for (const [name, what] of REQUIRED) {
        if (!features.has(name)) reportViolation(`GuardDuty detector "${detector.name}" does not enable ${what} (${name}).`, detector.urn, `feature ${name}`);
      }
      const runtime = RUNTIME.map((n) => features.get(n)).find((f) => f !== undefined);
      if (runtime === undefined) {
        reportViolation(`GuardDuty detector "${detector.name}" does not enable Runtime Monitoring (RUNTIME_MONITORING).`, detector.urn, "feature RUNTIME_MONITORING");
      } else if (hasCluster && !additionalEnabled(runtime, "EKS_ADDON_MANAGEMENT")) {
        reportViolation(`GuardDuty detector "${detector.name}": Runtime Monitoring does not manage the EKS agent (EKS_ADDON_MANAGEMENT), so no node runs it.`, detector.urn, "EKS_ADDON_MANAGEMENT");
      }
    }
    if (index.ofType(...SUBNET_TYPES).length > 0) {
      const endpoint = index
        .ofType(VPC_ENDPOINT)
        .find((e) => /\.guardduty-data$/.test(text(e.props["serviceName"]) ?? "") && (text(e.props["vpcEndpointType"]) ?? "Gateway") === "Interface" && flag(e.props["privateDnsEnabled"]) === true);
      if (endpoint === undefined) {
        reportViolation("no guardduty-data interface endpoint with private DNS: the runtime agents in the private zones cannot deliver events.", undefined, "guardduty-data endpoint");
      }
    }
  },
});

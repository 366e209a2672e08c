import type { PlatformPolicy } from "../framework/metadata";
import { det01GuardDuty } from "./det-01-guardduty";
import { det02SecurityHub } from "./det-02-security-hub";
import { det03ConfigRecorder } from "./det-03-config-recorder";
import { det04AccessAnalyzer } from "./det-04-access-analyzer";
import { det05CisMonitoring } from "./det-05-cis-monitoring";

/** The account's detective controls (breach detection for personal data). */
export const securityPolicies: readonly PlatformPolicy[] = [det01GuardDuty, det02SecurityHub, det03ConfigRecorder, det04AccessAnalyzer, det05CisMonitoring];

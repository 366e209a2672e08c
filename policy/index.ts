import { PolicyPack } from "@pulumi/policy";
import { packInfo, pulumiPolicies } from "./registry";

// Constructing the pack starts the analyzer server the Pulumi CLI talks to: only the CLI loads this
// file (`pulumi preview --policy-pack policy`). Everything else imports ./registry.
new PolicyPack(packInfo.name, {
  policies: pulumiPolicies(),
  enforcementLevel: packInfo.enforcementLevel,
  description: packInfo.description,
  displayName: "Fitness platform security rules",
  provider: "aws",
  tags: ["aws", "kubernetes", "architecture-decisions"],
});

/** Every pinned AMI exists in the region, carries the host role's OS, suits its instance types' architecture, and is not deprecated. */
import { DescribeImagesCommand, type Image } from "@aws-sdk/client-ec2";
import { askOptional } from "../ask";
import { HOST_OPERATING_SYSTEMS } from "../host-os";
import type { Check, Finding } from "../types";
import { describeInstanceTypes, type InstanceTypeFacts } from "./instance-types";

type ImageFacts = Pick<Image, "ImageId" | "Name" | "OwnerId" | "ImageOwnerAlias" | "State" | "Architecture" | "DeprecationTime" | "PlatformDetails">;

export interface AmiEvidence {
  /** AMI id → its description, or null when EC2 does not know it in this region. */
  readonly images: Readonly<Record<string, ImageFacts | null>>;
  /** Instance type → what EC2 says of it, or null when the region does not offer it. */
  readonly instanceTypes: Readonly<Record<string, InstanceTypeFacts | null>>;
}

const NAME = "amis";
const DEPRECATION_NOTICE_DAYS = 30;

export const amiCheck: Check<AmiEvidence> = {
  name: NAME,
  async collect(facts, { clients }) {
    const images: Record<string, ImageFacts | null> = {};
    for (const amiId of [...new Set(facts.amis.map((a) => a.amiId))]) {
      const command = new DescribeImagesCommand({ ImageIds: [amiId], IncludeDeprecated: true });
      const out = await askOptional(clients.ec2, command, ["InvalidAMIID.NotFound", "InvalidAMIID.Malformed", "InvalidAMIID.Unavailable"], () => clients.ec2.send(command));
      images[amiId] = out?.Images?.[0] ?? null;
    }
    return { images, instanceTypes: await describeInstanceTypes(clients, facts.amis.flatMap((a) => a.instanceTypes)) };
  },
  evaluate(facts, evidence, { now }) {
    const findings: Finding[] = [];
    for (const use of facts.amis) {
      const os = HOST_OPERATING_SYSTEMS[use.role];
      const image = evidence.images[use.amiId];
      const fix = `pin a current ${os.label} AMI of ${facts.region} in ${use.key}`;
      if (image === undefined || image === null) {
        findings.push({ check: NAME, severity: "error", problem: `${use.key} = ${use.amiId} does not exist in ${facts.region} (or is not shared with this account)`, action: fix });
        continue;
      }
      if (image.State !== "available") {
        findings.push({ check: NAME, severity: "error", problem: `${use.amiId} (${use.key}) is in state ${image.State ?? "unknown"}, not available`, action: fix });
      }
      const owned = os.owners.includes(image.OwnerId ?? "");
      if (!owned || !os.namePattern.test(image.Name ?? "")) {
        findings.push({ check: NAME, severity: "error", problem: `${use.amiId} (${use.key}) is "${image.Name ?? "unnamed"}" owned by ${image.OwnerId ?? "unknown"}, not ${os.label} from its publisher (${os.owners.join(", ")})`, action: fix });
      }
      for (const type of use.instanceTypes) {
        const supported = evidence.instanceTypes[type]?.architectures;
        if (supported === undefined) {
          findings.push({ check: NAME, severity: "error", problem: `instance type ${type} (launched from ${use.key}) is not offered in ${facts.region}`, action: "choose an instance type the region offers" });
        } else if (image.Architecture !== undefined && !supported.includes(image.Architecture)) {
          findings.push({ check: NAME, severity: "error", problem: `${use.amiId} is ${image.Architecture} but ${type} runs ${supported.join("/")}`, action: `pin the ${supported[0] ?? "matching"} build of ${os.label} in ${use.key}, or choose a ${image.Architecture} instance type` });
        }
      }
      if (image.DeprecationTime !== undefined) {
        const at = new Date(image.DeprecationTime);
        const days = (at.getTime() - now.getTime()) / 86_400_000;
        if (days <= 0) {
          findings.push({ check: NAME, severity: "error", problem: `${use.amiId} (${use.key}) has been deprecated since ${at.toISOString().slice(0, 10)}`, action: fix });
        } else if (days <= DEPRECATION_NOTICE_DAYS) {
          findings.push({ check: NAME, severity: "warning", problem: `${use.amiId} (${use.key}) is deprecated from ${at.toISOString().slice(0, 10)}`, action: fix });
        }
      }
    }
    return findings;
  },
};

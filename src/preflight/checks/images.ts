/**
 * Every image the stack pins is in this account's ECR before the cluster pulls it: third-party images
 * in the mirror with the pinned digest (nodes cannot reach public registries), service images by
 * their immutable tag.
 */
import type { Check, Finding } from "../types";
import { type EcrLookup, findImage } from "./ecr-lookup";

export interface ImageEvidence {
  /** `<repository>@<digest or tag>` → what ECR answered. */
  readonly lookups: Readonly<Record<string, EcrLookup>>;
}

const NAME = "images";
export const imageKey = (repository: string, ref: string): string => `${repository}@${ref}`;

export const imageCheck: Check<ImageEvidence> = {
  name: NAME,
  async collect(facts, { clients, accountId }) {
    const lookups: Record<string, EcrLookup> = {};
    for (const image of facts.images) {
      const ref = image.digest ?? image.tag;
      lookups[imageKey(image.repository, ref)] = await findImage(clients, accountId, image.repository, image.digest === undefined ? { imageTag: image.tag } : { imageDigest: image.digest });
    }
    return { lookups };
  },
  evaluate(facts, evidence) {
    const findings: Finding[] = [];
    for (const image of facts.images) {
      const ref = image.digest ?? image.tag;
      const lookup = evidence.lookups[imageKey(image.repository, ref)];
      const mirrored = image.digest !== undefined;
      const fill = mirrored ? "run the mirror job (it copies the pinned digest into ECR)" : "build and push the image with this tag (docs/runbooks/deploy-image.md)";
      if (lookup === undefined || "missing" in lookup) {
        const what = lookup !== undefined && lookup.missing === "image" ? `holds no image ${ref}` : "does not exist";
        const extra = !mirrored && (lookup === undefined || lookup.missing === "repository") ? "; the stack creates the repository, but the service's Deployment needs the image in the same run: create and push it first" : "";
        findings.push({ check: NAME, severity: "error", problem: `ECR repository ${image.repository} ${what} (${image.key}: ${image.tag}${mirrored ? `@${image.digest}` : ""})${extra}`, action: fill });
        continue;
      }
      if (mirrored && !(lookup.found.imageTags ?? []).includes(image.tag)) {
        findings.push({ check: NAME, severity: "warning", problem: `${image.repository}@${image.digest} is in ECR but not tagged ${image.tag} (tags: ${(lookup.found.imageTags ?? []).join(", ") || "none"})`, action: `re-run the mirror job so the tag and the digest of ${image.key} agree` });
      }
    }
    return findings;
  },
};

import type { PolicyResource } from "@pulumi/policy";
import { defineStackPolicy } from "../framework/define";
import { at, isRecord, type Json, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { containersOf, helmReleases, kubeObjects, label, podTemplates, walk } from "./objects";

const ECR_REPOSITORY = "aws:ecr/repository:Repository";
const DIGEST = /@sha256:[0-9a-f]{64}$/;

interface Repo {
  readonly url: string;
  readonly immutable: boolean;
}

/** The stack's ECR repositories by URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
function repositories(index: StackIndex): Repo[] {
  return index.ofType(ECR_REPOSITORY).flatMap((r: PolicyResource) => {
    const url = text(r.props["repositoryUrl"]);
    return url === undefined ? [] : [{ url, immutable: text(r.props["imageTagMutability"]) === "IMMUTABLE" }];
  });
}

/** Why an image reference is not allowed, or undefined when it is. */
export function imageProblem(image: string, repos: readonly Repo[]): string | undefined {
  const digest = DIGEST.test(image);
  const withoutDigest = image.replace(DIGEST, "");
  const colon = withoutDigest.lastIndexOf(":");
  const slash = withoutDigest.lastIndexOf("/");
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
  const repo = repos.find((r) => r.url === repository);
  if (repo === undefined) return `is not from one of this stack's ECR repositories`;
  if (digest) return undefined;
  if (tag === undefined || tag === "latest") return `is not pinned (no digest, tag ${JSON.stringify(tag ?? "none")})`;
  if (!repo.immutable) return `is pinned by tag "${tag}" in a repository with mutable tags; add the digest`;
  return undefined;
}

/** Image references in chart values: `{repository, tag[, digest]}` or ingress-nginx's `{registry, image, tag, digest}`. */
function valueImages(values: Json): { path: string; image: string }[] {
  const out: { path: string; image: string }[] = [];
  walk(values, (path, key, value) => {
    if (key !== "image" || !isRecord(value)) return;
    const tag = text(value["tag"]);
    const digest = text(value["digest"]);
    const repository = text(value["repository"]) ?? (text(value["registry"]) !== undefined && text(value["image"]) !== undefined ? `${text(value["registry"])}/${text(value["image"])}` : undefined);
    if (repository === undefined) return;
    const ref = `${repository}${tag === undefined ? "" : `:${tag}`}${digest === undefined || tag?.includes("@") === true ? "" : `@${digest}`}`;
    out.push({ path: path.join("."), image: ref });
  });
  return out;
}

export const k8sImages = defineStackPolicy({
  meta: {
    id: "K8S-03",
    title: "Images only from this account's ECR, pinned by digest or immutable tag",
    severity: "high",
    decisions: ["D1", "D6"],
    controls: { checkov: ["CKV_K8S_14", "CKV_K8S_43"], fsbp: ["ECR.1", "ECR.2"] },
    description:
      "Every container image of a registered pod template, and every image set in a Helm release's values, names one of the " +
      "stack's ECR repositories (nodes have no internet route, D6) and is pinned: by digest, or by tag in a repository with " +
      "immutable tags. `latest` and untagged references fail.",
    remediation:
      "Push service images to <account>.dkr.ecr.<region>.amazonaws.com/<project>/services/<service> with an immutable tag; add " +
      "third-party images to images.mirrored (mirrored by the pipeline) and reference them by tag@digest.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const objects = kubeObjects(index);
    const releases = helmReleases(index);
    if (objects.length === 0 && releases.length === 0) args.notApplicable("the stack registers no Kubernetes objects");
    const repos = repositories(index);

    for (const template of podTemplates(objects)) {
      for (const c of containersOf(template.spec)) {
        const image = text(c.props["image"]) ?? "";
        const problem = imageProblem(image, repos);
        if (problem !== undefined) reportViolation(`${label(template.owner)}: ${c.kind} "${c.name}" image "${image}" ${problem}.`, template.owner.resource.urn);
      }
    }
    for (const release of releases) {
      for (const { path, image } of valueImages(release.values)) {
        const problem = imageProblem(image, repos);
        if (problem !== undefined) reportViolation(`Helm release "${release.namespace}/${release.name}": values ${path} "${image}" ${problem}.`, release.resource.urn);
      }
      if (at(release.values, "testFramework", "enabled") === true) {
        reportViolation(`Helm release "${release.namespace}/${release.name}" enables the chart's test framework, whose image is not mirrored.`, release.resource.urn);
      }
    }
  },
});

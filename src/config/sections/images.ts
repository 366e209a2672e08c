import { z } from "zod";
import { imageDigest, kebabName } from "./primitives";

/**
 * Image references (K8S-03). Services are deployed from their own ECR repository by immutable tag AND
 * digest (`<tag>@sha256:<digest>`: the tag says which release, the digest is what the kubelet pulls);
 * third-party images are mirrored into ECR by the pipeline from this list and pinned by digest.
 */
export const SERVICE_IMAGE_PATTERN = /^([0-9]+\.[0-9]+\.[0-9]+(-[a-z0-9.]+)?)@(sha256:[0-9a-f]{64})$/;

export const imagesSchema = z.strictObject({
  serviceTags: z.record(
    kebabName,
    z.string().regex(SERVICE_IMAGE_PATTERN, { message: "allowed: an immutable semantic version tag and its digest, such as 1.4.2@sha256:<64 hex digits>" }),
  ),
  mirrored: z.array(
    z.strictObject({
      name: kebabName,
      source: z.string().regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/, { message: "allowed: a registry/repository reference without tag" }),
      tag: z.string().min(1),
      digest: imageDigest,
    }),
  ),
});
export type ImagesConfig = z.infer<typeof imagesSchema>;

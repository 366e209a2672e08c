import { z } from "zod";
import { imageDigest, kebabName } from "./primitives";

/**
 * Image references. Services are deployed by immutable tag from their own ECR repository;
 * third-party images are mirrored into ECR by the pipeline from this list and pinned by digest.
 */
export const imagesSchema = z.strictObject({
  serviceTags: z.record(
    kebabName,
    z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+(-[a-z0-9.]+)?$/, { message: "allowed: an immutable semantic version tag such as 1.4.2" }),
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

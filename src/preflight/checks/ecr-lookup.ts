/** One image (by digest or tag) in one ECR repository of this account: found, no such image, or no such repository. */
import { DescribeImagesCommand, type ImageDetail } from "@aws-sdk/client-ecr";
import { ask } from "../ask";
import { errorName } from "../aws-errors";
import type { AwsClients } from "../clients";

export type EcrImage = Pick<ImageDetail, "imageDigest" | "imageTags" | "artifactMediaType" | "imageManifestMediaType">;

export type EcrLookup = { readonly found: EcrImage } | { readonly missing: "repository" | "image" };

export async function findImage(clients: AwsClients, registryId: string, repositoryName: string, ref: { imageDigest: string } | { imageTag: string }): Promise<EcrLookup> {
  const command = new DescribeImagesCommand({ registryId, repositoryName, imageIds: [ref] });
  try {
    const out = await ask(clients.ecr, command, () => clients.ecr.send(command));
    const detail = out.imageDetails?.[0];
    return detail === undefined ? { missing: "image" } : { found: detail };
  } catch (err) {
    if (errorName(err) === "RepositoryNotFoundException") return { missing: "repository" };
    if (errorName(err) === "ImageNotFoundException") return { missing: "image" };
    throw err;
  }
}

import type { RepositoryPlan } from "./images";

/** How many tagged images each kind of repository keeps: enough releases to roll back through. */
export const KEPT_TAGGED_IMAGES: Readonly<Record<RepositoryPlan["kind"], number>> = { service: 30, mirror: 10 };
export const UNTAGGED_EXPIRY_DAYS = 7;

interface LifecycleRule {
  readonly rulePriority: number;
  readonly description: string;
  readonly selection: {
    readonly tagStatus: "untagged" | "tagged";
    readonly tagPatternList?: string[];
    readonly countType: "sinceImagePushed" | "imageCountMoreThan";
    readonly countUnit?: "days";
    readonly countNumber: number;
  };
  readonly action: { readonly type: "expire" };
}

/**
 * ECR lifecycle of one repository: untagged layers (failed or superseded pushes) go after a week, and
 * only the newest tagged images are kept. Tags are immutable, so a kept tag always means the same image.
 */
export function ecrLifecyclePolicy(kind: RepositoryPlan["kind"]): { rules: LifecycleRule[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `expire untagged images after ${UNTAGGED_EXPIRY_DAYS} days`,
        selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: UNTAGGED_EXPIRY_DAYS },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `keep the newest ${KEPT_TAGGED_IMAGES[kind]} tagged images`,
        selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: KEPT_TAGGED_IMAGES[kind] },
        action: { type: "expire" },
      },
    ],
  };
}

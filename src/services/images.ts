/**
 * Image references (K8S-03): every image the cluster runs comes from this account's ECR, a service's
 * from its own repository by immutable tag, a third-party one from the pipeline's mirror by tag and
 * digest. Pure: the account comes from `aws:allowedAccountIds`, which the provider also enforces.
 */
import type { Catalog } from "../config/catalog-schema";
import { type ImagesConfig, SERVICE_IMAGE_PATTERN } from "../config/sections/images";

export const ecrRegistry = (accountId: string, region: string) => `${accountId}.dkr.ecr.${region}.amazonaws.com`;

/** `<project>/services/<service>`: one repository per catalog service. */
export const serviceRepositoryName = (project: string, service: string) => `${project}/services/${service}`;

/** `<project>/mirror/<name>`: where the pipeline mirrors third-party images (as `src/logs` expects). */
export const mirrorRepositoryName = (project: string, name: string) => `${project}/mirror/${name}`;

export interface RepositoryPlan {
  /** Logical key (`service-<name>` or `mirror-<name>`): stable resource names. */
  readonly key: string;
  readonly name: string;
  readonly kind: "service" | "mirror";
  /** For mirrors: the upstream the pipeline copies from. */
  readonly source?: string;
}

export function planRepositories(project: string, catalog: Catalog, images: ImagesConfig): RepositoryPlan[] {
  const services = Object.keys(catalog.services)
    .sort()
    .map((service): RepositoryPlan => ({ key: `service-${service}`, name: serviceRepositoryName(project, service), kind: "service" }));
  const mirrors = [...images.mirrored]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m): RepositoryPlan => ({ key: `mirror-${m.name}`, name: mirrorRepositoryName(project, m.name), kind: "mirror", source: m.source }));
  return [...services, ...mirrors];
}

export interface ImageScope {
  readonly project: string;
  readonly accountId: string;
  readonly region: string;
}

/** `<registry>/<project>/services/<service>:<tag>@<digest>`: the tag for people, the digest for the kubelet. */
export function serviceImage(scope: ImageScope, images: ImagesConfig, service: string): string {
  const ref = images.serviceTags[service];
  if (ref === undefined) {
    throw new Error(`fitness-platform:images.serviceTags.${service} = (missing): allowed: an immutable image tag and digest for every catalog service`);
  }
  const match = SERVICE_IMAGE_PATTERN.exec(ref);
  if (match === null) throw new Error(`fitness-platform:images.serviceTags.${service} = ${ref}: allowed: <tag>@sha256:<64 hex digits>`);
  return `${ecrRegistry(scope.accountId, scope.region)}/${serviceRepositoryName(scope.project, service)}:${match[1]}@${match[3]}`;
}

export interface MirroredImageRef {
  /** `<registry>/<project>/mirror/<name>` */
  readonly repository: string;
  readonly registry: string;
  /** Path inside the registry: `<project>/mirror/<name>`. */
  readonly path: string;
  readonly tag: string;
  readonly digest: string;
}

/** A mirrored image by its `images.mirrored` name; a one-line error when the list lacks it. */
export function mirroredImage(scope: ImageScope, images: ImagesConfig, name: string): MirroredImageRef {
  const entry = images.mirrored.find((m) => m.name === name);
  if (entry === undefined) {
    throw new Error(`fitness-platform:images.mirrored has no "${name}": allowed: add { name: ${name}, source, tag, digest } (the pipeline mirrors it into ECR)`);
  }
  const registry = ecrRegistry(scope.accountId, scope.region);
  const path = mirrorRepositoryName(scope.project, name);
  return { repository: `${registry}/${path}`, registry, path, tag: entry.tag, digest: entry.digest };
}

/** `<project>/charts/<chart>`: where the pipeline mirrors third-party Helm charts (OCI artifacts). */
export const chartRepositoryName = (project: string, chart: string) => `${project}/charts/${chart}`;

/** A Helm release's chart source: the OCI artifact in this account's ECR at the pinned version. */
export function chartReference(scope: ImageScope, chart: string, version: string): { chart: string; version: string } {
  return { chart: `oci://${ecrRegistry(scope.accountId, scope.region)}/${chartRepositoryName(scope.project, chart)}`, version };
}

import { z } from "zod";
import { backupsSchema } from "./sections/backups";
import { clusterSchema } from "./sections/cluster";
import { databasesSchema } from "./sections/databases";
import { deploySchema } from "./sections/deploy";
import { edgeSchema } from "./sections/edge";
import { egressSchema } from "./sections/egress";
import { imagesSchema } from "./sections/images";
import { logsSchema } from "./sections/logs";
import { messagingSchema } from "./sections/messaging";
import { networkSchema } from "./sections/network";
import { operatorSchema } from "./sections/operator";
import { awsRegion } from "./sections/primitives";

/** The project's namespace in Pulumi.<stack>.yaml (`fitness-platform:<key>`). */
export const PROJECT = "fitness-platform";

/** One schema for the whole stack configuration, keyed as in Pulumi.<stack>.yaml without the namespace. */
export const stackConfigSchema = z.strictObject({
  environment: z.enum(["dev", "prod"], { message: "allowed: dev, prod" }),
  /** Path of the service catalog, relative to the project root. */
  catalogFile: z.string().regex(/^[\w./-]+\.ya?ml$/, { message: "allowed: a path to a .yaml file, relative to the project root" }).default("src/config/catalog.yaml"),
  network: networkSchema,
  edge: edgeSchema,
  egress: egressSchema,
  databases: databasesSchema,
  backups: backupsSchema,
  logs: logsSchema,
  messaging: messagingSchema,
  cluster: clusterSchema,
  images: imagesSchema,
  operator: operatorSchema,
  deploy: deploySchema,
});
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Provider settings this project reads or allows; any other `aws:` key is reported as a typo. */
export const awsConfigSchema = z.strictObject({
  region: awsRegion,
  // Exactly one: bucket names and image references carry the account id, and the provider refuses any other.
  allowedAccountIds: z
    .array(z.string().regex(/^\d{12}$/, { message: "allowed: 12-digit account ids" }))
    .length(1, { message: "allowed: exactly one 12-digit account id (the stack's account: bucket names and image references carry it)" }),
  profile: z.string().optional(),
});
export type AwsConfig = z.infer<typeof awsConfigSchema>;

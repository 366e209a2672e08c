/**
 * What a same-account log writer (Fluent Bit, the egress proxy, SSM session logging on a host) needs
 * to put its logs into the application log bucket: PutObject under its own prefix only, and the logs
 * key through S3 only. PutObject, not multipart: that would need kms:Decrypt as well.
 */
import { LOG_PREFIXES } from "./archive-plan";
import type { PolicyStatement } from "./policy-document";

export type AppLogPrefix = (typeof LOG_PREFIXES)["containers" | "proxy" | "ssmSessions"];

export function archiveWriteStatements(args: { bucketArn: string; keyArn: string; region: string; prefix: AppLogPrefix; sid: string }): PolicyStatement[] {
  if (!(Object.values(LOG_PREFIXES) as string[]).includes(args.prefix)) throw new Error(`log prefix "${args.prefix}" is not one of the archive's prefixes`);
  return [
    { Sid: `${args.sid}PutLogs`, Effect: "Allow", Action: "s3:PutObject", Resource: `${args.bucketArn}/${args.prefix}*` },
    {
      Sid: `${args.sid}EncryptWithLogsKey`,
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Encrypt"],
      Resource: args.keyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
    },
  ];
}

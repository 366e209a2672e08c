/**
 * VPC flow logs (NET-08): all traffic, to the log archive under `flow-logs/`, in Parquet with hourly
 * Hive partitions so that Athena queries read one hour of one day, not the whole archive.
 */
import { LOG_PREFIXES } from "../logs/archive-plan";

/** Version 5 fields: packet addresses and traffic path show what went through the proxy or an endpoint. */
export const FLOW_LOG_FIELDS = [
  "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
  "packets", "bytes", "start", "end", "action", "log-status",
  "vpc-id", "subnet-id", "instance-id", "tcp-flags", "type", "pkt-srcaddr", "pkt-dstaddr",
  "az-id", "flow-direction", "traffic-path",
] as const;

export const FLOW_LOG_FORMAT = FLOW_LOG_FIELDS.map((field) => `\${${field}}`).join(" ");

export interface FlowLogPlan {
  readonly trafficType: "ALL";
  readonly logDestinationType: "s3";
  readonly logDestination: string;
  readonly logFormat: string;
  readonly maxAggregationInterval: 60 | 600;
  readonly destinationOptions: { readonly fileFormat: "parquet"; readonly hiveCompatiblePartitions: true; readonly perHourPartition: true };
}

export function planFlowLog(bucketArn: string, maxAggregationInterval: 60 | 600): FlowLogPlan {
  if (!/^arn:aws[a-z-]*:s3:::[a-z0-9.-]{3,63}$/.test(bucketArn)) {
    throw new Error(`flow log bucket "${bucketArn}": allowed: the ARN of an S3 bucket (arn:aws:s3:::<bucket>)`);
  }
  return {
    trafficType: "ALL",
    logDestinationType: "s3",
    logDestination: `${bucketArn}/${LOG_PREFIXES.flowLogs}`,
    logFormat: FLOW_LOG_FORMAT,
    maxAggregationInterval,
    destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
  };
}

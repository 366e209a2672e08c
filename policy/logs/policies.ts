import type { PlatformPolicy } from "../framework/metadata";
import { log01CloudTrail } from "./log-01-cloudtrail";
import { log02LogGroups } from "./log-02-log-groups";
import { log03LogDestinations } from "./log-03-log-destinations";
import { s3LogBuckets } from "./s3-05-log-buckets";

export const logsPolicies: readonly PlatformPolicy[] = [s3LogBuckets, log01CloudTrail, log02LogGroups, log03LogDestinations];

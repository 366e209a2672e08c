/** Every preflight check, in the order their findings are listed. */
import type { Check } from "../types";
import { accountCheck } from "./account";
import { amiCheck } from "./amis";
import { bucketCheck } from "./buckets";
import { chartCheck } from "./charts";
import { dnsCheck } from "./dns";
import { eksCheck } from "./eks";
import { endpointCheck } from "./endpoints";
import { imageCheck } from "./images";
import { packageCheck } from "./packages";
import { placeholderCheck } from "./placeholders";
import { quotaCheck } from "./quotas";
import { serviceLinkedRoleCheck } from "./service-linked-roles";
import { sesCheck } from "./ses";

export const CHECKS: ReadonlyArray<Check<unknown>> = [
  accountCheck,
  placeholderCheck,
  amiCheck,
  dnsCheck,
  imageCheck,
  chartCheck,
  packageCheck,
  serviceLinkedRoleCheck,
  quotaCheck,
  endpointCheck,
  eksCheck,
  sesCheck,
  bucketCheck,
] as ReadonlyArray<Check<unknown>>;

/**
 * Who writes ALB access logs into S3, per region. AWS documents two forms: for regions available
 * before August 2022 the bucket policy names the regional Elastic Load Balancing account; regions
 * launched since then use the `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
 * (docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html, step 2)
 *
 * The table lists only the regions this platform may run in; another region fails loudly rather than
 * getting a guessed principal (a wrong principal silently drops every access log).
 */
export type ElbLogDeliveryPrincipal = { readonly type: "AWS"; readonly accountId: string } | { readonly type: "Service"; readonly service: string };

export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Regional ELB accounts of the pre-August-2022 regions in use. */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
};

/** Regions launched since August 2022 (service principal form). */
const SERVICE_PRINCIPAL_REGIONS: ReadonlySet<string> = new Set([
  "eu-central-2",
  "eu-south-2",
  "ap-south-2",
  "ap-southeast-4",
  "me-central-1",
  "il-central-1",
  "ca-west-1",
]);

export function elbLogDeliveryPrincipal(region: string): ElbLogDeliveryPrincipal {
  const accountId = ELB_LOG_DELIVERY_ACCOUNTS[region];
  if (accountId !== undefined) return { type: "AWS", accountId };
  if (SERVICE_PRINCIPAL_REGIONS.has(region)) return { type: "Service", service: ELB_LOG_DELIVERY_SERVICE };
  throw new Error(
    `region "${region}" has no documented ALB log delivery principal in src/logs/elb-log-delivery.ts; add its ELB account id (regions before August 2022) or list it as a service-principal region`,
  );
}

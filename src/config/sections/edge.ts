import { z } from "zod";
import { acceptsOnly } from "../../conventions/tls-policies";
import { dnsName, positiveInt } from "./primitives";

/**
 * The ALB's TLS policy: any predefined ELB policy whose family accepts nothing older than TLS 1.2 (judged
 * by family, as EDGE-01 does, so AWS's newer PQ/FIPS/dated variants need no code change).
 */
const tlsPolicy = z.string().refine((name) => /^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(name) && acceptsOnly(name, "1.2", new Set()), {
  message: "allowed: a predefined ELB security policy accepting TLS 1.2 or newer only, such as ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
});

/** The DMZ edge (D3, D6): internet-facing ALB with WAF in front of the in-cluster gateway. */

export const edgeSchema = z.strictObject({
  domainName: dnsName,
  certificate: z.discriminatedUnion(
    "mode",
    [
      z.strictObject({
        mode: z.literal("dns-validated"),
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, { message: "allowed: a Route 53 hosted zone id such as Z0123456789ABC" }),
      }),
      z.strictObject({
        mode: z.literal("imported"),
        certificateArn: z.string().regex(/^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, {
          message: "allowed: an ACM certificate ARN",
        }),
      }),
    ],
    { message: "allowed: mode dns-validated (with hostedZoneId) or imported (with certificateArn)" },
  ),
  tlsPolicy,
  /** Requests per 5 minutes per client IP before WAF blocks it. */
  wafRateLimitPerIp: z.number().int().min(100, { message: "allowed: 100..2000000000" }).max(2_000_000_000, {
    message: "allowed: 100..2000000000",
  }),
  idleTimeoutSeconds: positiveInt(4000),
  /** Path the ALB's health check asks the edge gateway for (Envoy answers it itself: src/services/gateway-plan.ts). */
  healthCheckPath: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]{0,1023}$/, { message: "allowed: an absolute URL path such as /healthz" })
    .default("/healthz"),
});
export type EdgeConfig = z.infer<typeof edgeSchema>;

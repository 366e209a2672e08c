import type { EdgeConfig } from "../config/sections/edge";
import { planWafRules } from "./waf-rules";

export interface EdgePlanInput {
  readonly environment: "dev" | "prod";
  readonly edge: EdgeConfig;
  /** The in-cluster ingress gateway's port (`cluster.ingressGateway.port`): the only place the ALB sends to. */
  readonly gatewayPort: number;
  readonly metricPrefix: string;
}

/** One security-group rule of the edge, on the ALB's group or on the app zone's. */
export interface EdgeRule {
  readonly key: string;
  readonly direction: "ingress" | "egress";
  readonly group: "alb" | "app";
  readonly peer: { readonly cidr: string } | { readonly group: "alb" | "app" };
  readonly port: number;
  readonly description: string;
}

/** ALB access logs go under this prefix of the edge log bucket (SSE-S3: ALB log delivery needs it). */
export const ALB_LOG_PREFIX = "alb";

export interface EdgePlan {
  readonly loadBalancer: {
    readonly internal: false;
    readonly dropInvalidHeaderFields: true;
    readonly desyncMitigationMode: "strictest";
    readonly enableDeletionProtection: boolean;
    readonly enableHttp2: true;
    readonly idleTimeout: number;
    readonly ipAddressType: "ipv4";
    readonly accessLogPrefix: string;
  };
  readonly https: { readonly port: 443; readonly sslPolicy: string };
  readonly redirect: { readonly port: 80; readonly statusCode: "HTTP_301" };
  readonly targetGroup: {
    readonly port: number;
    readonly protocol: "HTTP";
    readonly targetType: "ip";
    readonly deregistrationDelay: number;
    readonly healthCheck: {
      readonly path: string;
      readonly protocol: "HTTP";
      readonly port: "traffic-port";
      readonly matcher: string;
      readonly interval: number;
      readonly timeout: number;
      readonly healthyThreshold: number;
      readonly unhealthyThreshold: number;
    };
  };
  readonly rules: readonly EdgeRule[];
  readonly waf: { readonly rules: ReturnType<typeof planWafRules> };
}

/**
 * The DMZ edge (D3, D6) from config: an internet-facing ALB that speaks HTTPS with a TLS 1.2+ policy,
 * redirects HTTP, drops malformed headers, mitigates desync strictly, logs, and forwards only to the
 * ingress gateway in the app zone. Pure; the Edge component registers it.
 */
export function planEdge(input: EdgePlanInput): EdgePlan {
  const port = input.gatewayPort;
  return {
    loadBalancer: {
      internal: false,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: input.environment === "prod",
      enableHttp2: true,
      idleTimeout: input.edge.idleTimeoutSeconds,
      ipAddressType: "ipv4",
      accessLogPrefix: ALB_LOG_PREFIX,
    },
    https: { port: 443, sslPolicy: input.edge.tlsPolicy },
    redirect: { port: 80, statusCode: "HTTP_301" },
    targetGroup: {
      port,
      // TLS ends at the ALB; inside the VPC the gateway speaks HTTP on its port, reachable only from the ALB.
      protocol: "HTTP",
      targetType: "ip",
      deregistrationDelay: 30,
      healthCheck: {
        path: input.edge.healthCheckPath,
        protocol: "HTTP",
        port: "traffic-port",
        matcher: "200",
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
    },
    rules: [
      { key: "https-from-internet", direction: "ingress", group: "alb", peer: { cidr: "0.0.0.0/0" }, port: 443, description: "HTTPS from the internet" },
      { key: "http-from-internet", direction: "ingress", group: "alb", peer: { cidr: "0.0.0.0/0" }, port: 80, description: "HTTP from the internet (redirected to HTTPS)" },
      { key: "to-gateway", direction: "egress", group: "alb", peer: { group: "app" }, port, description: "to the ingress gateway in the app zone" },
      { key: "gateway-from-alb", direction: "ingress", group: "app", peer: { group: "alb" }, port, description: "ingress gateway from the edge ALB" },
    ],
    waf: { rules: planWafRules({ rateLimitPerIp: input.edge.wafRateLimitPerIp, metricPrefix: input.metricPrefix }) },
  };
}

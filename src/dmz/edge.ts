/**
 * The DMZ edge (D3, D6): the only way in from the internet. An internet-facing ALB in the dmz subnets,
 * HTTPS with the configured TLS 1.2+ policy, HTTP redirected, WAF in front, access and WAF logs to the
 * edge log bucket, forwarding only to the in-cluster ingress gateway (registered by the services).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeConfig } from "../config/sections/edge";
import type { PlatformContext } from "../conventions/context";
import type { Zone } from "../conventions/tags";
import type { DmzNetwork } from "./dmz-network";
import { type EdgeRule, planEdge } from "./edge-plan";
import { WAF_REDACTED_HEADERS, webAclVisibility } from "./waf-rules";

export interface EdgeArgs {
  readonly ctx: PlatformContext;
  readonly config: EdgeConfig;
  /** `cluster.ingressGateway.port`: the target group's port and the only port the ALB may send to. */
  readonly gatewayPort: number;
  readonly network: Pick<DmzNetwork, "vpc" | "subnets" | "zoneSecurityGroups">;
  readonly logs: {
    /** The edge log bucket's name (SSE-S3, `aws-waf-logs-*`). */
    readonly bucket: pulumi.Input<string>;
    /** ALB access-log prefix in that bucket (`LogArchive.albLogPrefix`). */
    readonly albPrefix: string;
    /** `LogArchive.wafLogDestinationArn`. */
    readonly wafDestinationArn: pulumi.Input<string>;
    /** Resources that must exist before AWS delivers logs (the bucket policy admitting ELB and WAF delivery). */
    readonly ready?: pulumi.Input<pulumi.Resource>[];
  };
}

const COMPONENT = "edge";

export class Edge extends pulumi.ComponentResource {
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly securityGroup: aws.ec2.SecurityGroup;
  /** Type `ip` on the gateway port: the services register the gateway pods here. */
  readonly targetGroup: aws.lb.TargetGroup;
  readonly httpsListener: aws.lb.Listener;
  readonly httpListener: aws.lb.Listener;
  readonly webAcl: aws.wafv2.WebAcl;
  readonly certificateArn: pulumi.Output<string>;
  /** `https://<edge.domainName>` */
  readonly url: string;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:dmz:Edge", name, {}, opts);
    const { ctx, config, network } = args;
    const parent = { parent: this };
    const tags = (zone: Zone, thing: string) => ctx.tags({ component: COMPONENT, zone }, ctx.name(COMPONENT, thing));
    const plan = planEdge({ environment: ctx.environment, edge: config, gatewayPort: args.gatewayPort, metricPrefix: ctx.name(COMPONENT) });

    this.securityGroup = new aws.ec2.SecurityGroup(
      `${name}-alb-sg`,
      {
        name: ctx.name(COMPONENT, "alb"),
        description: "Edge ALB: 80/443 from the internet, out only to the ingress gateway",
        vpcId: network.vpc.id,
        revokeRulesOnDelete: true,
        tags: tags("dmz", "alb"),
      },
      parent,
    );
    const groups = { alb: this.securityGroup.id, app: network.zoneSecurityGroups.app.id };
    for (const rule of plan.rules) this.rule(name, rule, groups, tags);

    this.certificateArn = this.certificate(name, config, tags("dmz", "certificate"));

    this.loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: ctx.name(COMPONENT, "alb", 32),
        loadBalancerType: "application",
        internal: plan.loadBalancer.internal,
        ipAddressType: plan.loadBalancer.ipAddressType,
        subnets: network.subnets.dmz.map((s) => s.id),
        securityGroups: [this.securityGroup.id],
        dropInvalidHeaderFields: plan.loadBalancer.dropInvalidHeaderFields,
        desyncMitigationMode: plan.loadBalancer.desyncMitigationMode,
        enableDeletionProtection: plan.loadBalancer.enableDeletionProtection,
        enableHttp2: plan.loadBalancer.enableHttp2,
        idleTimeout: plan.loadBalancer.idleTimeout,
        accessLogs: { bucket: args.logs.bucket, prefix: args.logs.albPrefix, enabled: true },
        tags: tags("dmz", "alb"),
      },
      { parent: this, dependsOn: args.logs.ready },
    );

    this.targetGroup = new aws.lb.TargetGroup(
      `${name}-gateway`,
      {
        name: ctx.name(COMPONENT, "gateway", 32),
        vpcId: network.vpc.id,
        targetType: plan.targetGroup.targetType,
        port: plan.targetGroup.port,
        protocol: plan.targetGroup.protocol,
        protocolVersion: "HTTP1",
        ipAddressType: "ipv4",
        deregistrationDelay: plan.targetGroup.deregistrationDelay,
        healthCheck: { enabled: true, ...plan.targetGroup.healthCheck },
        tags: tags("dmz", "gateway"),
      },
      parent,
    );

    this.httpsListener = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: plan.https.port,
        protocol: "HTTPS",
        sslPolicy: plan.https.sslPolicy,
        certificateArn: this.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
        tags: tags("dmz", "https"),
      },
      parent,
    );
    this.httpListener = new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: this.loadBalancer.arn,
        port: plan.redirect.port,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(plan.https.port), statusCode: plan.redirect.statusCode } }],
        tags: tags("dmz", "http"),
      },
      parent,
    );

    this.webAcl = new aws.wafv2.WebAcl(
      `${name}-waf`,
      {
        name: ctx.name(COMPONENT, "waf"),
        description: `Edge of ${ctx.project} ${ctx.stack}: rate limit per IP and AWS managed rules`,
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: plan.waf.rules,
        visibilityConfig: webAclVisibility(ctx.name(COMPONENT)),
        tags: tags("dmz", "waf"),
      },
      parent,
    );
    new aws.wafv2.WebAclAssociation(`${name}-waf-alb`, { resourceArn: this.loadBalancer.arn, webAclArn: this.webAcl.arn }, parent);
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-waf-logs`,
      {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [args.logs.wafDestinationArn],
        redactedFields: WAF_REDACTED_HEADERS.map((header) => ({ singleHeader: { name: header } })),
      },
      { parent: this, dependsOn: args.logs.ready },
    );

    // With a DNS-validated certificate the stack owns the public zone: the API name points at the ALB.
    if (config.certificate.mode === "dns-validated") {
      new aws.route53.Record(
        `${name}-dns`,
        {
          zoneId: config.certificate.hostedZoneId,
          name: config.domainName,
          type: "A",
          aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true }],
        },
        parent,
      );
    }
    this.url = `https://${config.domainName}`;

    this.registerOutputs({
      url: this.url,
      loadBalancerArn: this.loadBalancer.arn,
      loadBalancerDnsName: this.loadBalancer.dnsName,
      targetGroupArn: this.targetGroup.arn,
      webAclArn: this.webAcl.arn,
      securityGroupId: this.securityGroup.id,
    });
  }

  private rule(
    name: string,
    rule: EdgeRule,
    groups: Record<EdgeRule["group"], pulumi.Input<string>>,
    tags: (zone: Zone, thing: string) => Record<string, string>,
  ): void {
    const common = {
      securityGroupId: groups[rule.group],
      description: rule.description,
      ipProtocol: "tcp",
      fromPort: rule.port,
      toPort: rule.port,
      ...("cidr" in rule.peer ? { cidrIpv4: rule.peer.cidr } : { referencedSecurityGroupId: groups[rule.peer.group] }),
      tags: tags(rule.group === "app" ? "app" : "dmz", rule.key),
    };
    if (rule.direction === "ingress") new aws.vpc.SecurityGroupIngressRule(`${name}-${rule.key}`, common, { parent: this });
    else new aws.vpc.SecurityGroupEgressRule(`${name}-${rule.key}`, common, { parent: this });
  }

  /** An imported certificate is used as given; otherwise ACM issues one, validated through Route 53. */
  private certificate(name: string, config: EdgeConfig, tags: Record<string, string>): pulumi.Output<string> {
    const cert = config.certificate;
    if (cert.mode === "imported") return pulumi.output(cert.certificateArn);
    const certificate = new aws.acm.Certificate(
      `${name}-certificate`,
      { domainName: config.domainName, validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags },
      { parent: this },
    );
    // One name, one validation record.
    const option = certificate.domainValidationOptions.apply((options) => {
      const found = options.find((o) => o.domainName === config.domainName);
      if (found === undefined) throw new Error(`ACM returned no DNS validation record for ${config.domainName}`);
      return found;
    });
    const record = new aws.route53.Record(
      `${name}-certificate-validation-record`,
      {
        zoneId: cert.hostedZoneId,
        name: option.resourceRecordName,
        type: option.resourceRecordType,
        records: [option.resourceRecordValue],
        ttl: 60,
        allowOverwrite: true,
      },
      { parent: this },
    );
    const validation = new aws.acm.CertificateValidation(
      `${name}-certificate-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      { parent: this },
    );
    return validation.certificateArn;
  }
}

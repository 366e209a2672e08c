import { SERVICE_LINKED_ROLES } from "../../../account/service-linked-roles";
import { isTaggableAwsType } from "../../../conventions/taggable";
import { type Fakes, type MockedResource, type ResourceContext, str } from "./context";

/**
 * Plausible ids, ARNs and computed attributes for the AWS resources the platform uses, shaped like the
 * real ones (`vpc-` + 17 hex, `arn:aws:<service>:<region>:<account>:...`), so that policies and
 * reviewers read snapshots as they would a real stack. Types without a rule get a generic id and ARN.
 */
type Extra = Record<string, unknown>;
type Rule = (ctx: ResourceContext, f: Fakes) => { id: string; extra?: Extra };

const ELB_ZONE_IDS: Record<string, string> = {
  "eu-central-1": "Z215JYRZR1TBD5",
  "eu-west-1": "Z32O12XQLNTSW2",
  "us-east-1": "Z35SXDOTRQ7X7K",
};
const S3_ZONE_IDS: Record<string, string> = {
  "eu-central-1": "Z21DNDUVLTQW6Q",
  "eu-west-1": "Z1BKCTXD74EZPE",
  "us-east-1": "Z3AQBSTGFYJSTF",
};

function regional(ctx: ResourceContext, service: string, resource: string): string {
  return `arn:aws:${service}:${ctx.region}:${ctx.account}:${resource}`;
}

function iamArn(ctx: ResourceContext, resource: string): string {
  return `arn:aws:iam::${ctx.account}:${resource}`;
}

/** The physical name: given in the inputs, derived from a prefix, or auto-named as Pulumi would. */
function physical(ctx: ResourceContext, f: Fakes, prop: string, opts: { max?: number; lower?: boolean; suffix?: string } = {}): string {
  const given = str(ctx.inputs[prop]);
  if (given !== undefined) return given;
  const prefix = str(ctx.inputs[`${prop === "name" ? "name" : prop}Prefix`]);
  const base = prefix !== undefined ? `${prefix}${f.digits(26)}` : f.autoName(opts.max === undefined ? undefined : opts.max - (opts.suffix?.length ?? 0));
  return `${opts.lower === true ? base.toLowerCase() : base}${opts.suffix ?? ""}`;
}

function ec2(prefix: string, kind: string, extra?: (ctx: ResourceContext, f: Fakes, id: string) => Extra): Rule {
  return (ctx, f) => {
    const id = `${prefix}-${f.hex(17)}`;
    return { id, extra: { arn: regional(ctx, "ec2", `${kind}/${id}`), ownerId: ctx.account, ...extra?.(ctx, f, id) } };
  };
}

function short(prefix: string, digits = 10): Rule {
  return (_ctx, f) => ({ id: `${prefix}${f.digits(digits)}` });
}

function byInput(prop: string, fallback?: Rule): Rule {
  return (ctx, f) => {
    const value = str(ctx.inputs[prop]);
    if (value !== undefined) return { id: value };
    return fallback?.(ctx, f) ?? { id: f.autoName() };
  };
}

function privateIp(f: Fakes): string {
  return `10.${(Number(f.digits(3)) % 200) + 20}.${Number(f.digits(3, "b")) % 256}.${(Number(f.digits(3, "c")) % 250) + 4}`;
}

function lbRule(kind: "app" | "net"): Rule {
  return (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 32 });
    const type = ctx.inputs.loadBalancerType === "network" ? "net" : kind;
    const suffix = `${type}/${name}/${f.hex(16)}`;
    const internal = ctx.inputs.internal === true ? "internal-" : "";
    return {
      id: regional(ctx, "elasticloadbalancing", `loadbalancer/${suffix}`),
      extra: {
        name,
        arn: regional(ctx, "elasticloadbalancing", `loadbalancer/${suffix}`),
        arnSuffix: suffix,
        dnsName: `${internal}${name}-${f.digits(10)}.${ctx.region}.elb.amazonaws.com`,
        zoneId: ELB_ZONE_IDS[ctx.region] ?? `Z${f.upper(13)}`,
        vpcId: `vpc-${f.hex(17, "vpc")}`,
      },
    };
  };
}

const targetGroup: Rule = (ctx, f) => {
  const name = physical(ctx, f, "name", { max: 32 });
  const suffix = `targetgroup/${name}/${f.hex(16)}`;
  const arn = regional(ctx, "elasticloadbalancing", suffix);
  return { id: arn, extra: { name, arn, arnSuffix: suffix } };
};

/** `.../loadbalancer/app/<name>/<hex>` → `app/<name>/<hex>`, to build listener ARNs under it. */
function lbPath(ctx: ResourceContext, f: Fakes): string {
  const lbArn = str(ctx.inputs.loadBalancerArn) ?? str(ctx.inputs.listenerArn) ?? "";
  const match = /(?:loadbalancer|listener)\/((?:app|net)\/[^/]+\/[0-9a-f]+)/.exec(lbArn);
  return match?.[1] ?? `app/${ctx.name}/${f.hex(16, "lb")}`;
}

function wafArn(ctx: ResourceContext, kind: string, name: string, id: string): string {
  const scope = ctx.inputs.scope === "CLOUDFRONT" ? "global" : "regional";
  const region = scope === "global" ? "us-east-1" : ctx.region;
  return `arn:aws:wafv2:${region}:${ctx.account}:${scope}/${kind}/${name}/${id}`;
}

function wafRule(kind: string): Rule {
  return (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    const id = f.uuid();
    const arn = wafArn(ctx, kind, name, id);
    return { id, extra: { name, arn, lockToken: f.uuid("lock") } };
  };
}

function certificateValidation(ctx: ResourceContext, f: Fakes): Extra[] {
  if (ctx.inputs.validationMethod !== "DNS") return [];
  const sans = Array.isArray(ctx.inputs.subjectAlternativeNames) ? ctx.inputs.subjectAlternativeNames : [];
  const domains = [...new Set([str(ctx.inputs.domainName), ...sans.map(str)].filter((d): d is string => d !== undefined))];
  return domains.map((domain) => ({
    domainName: domain,
    resourceRecordName: `_${f.hex(32, domain)}.${domain.replace(/^\*\./, "")}.`,
    resourceRecordType: "CNAME",
    resourceRecordValue: `_${f.hex(32, `${domain}v`)}.${f.hex(10, `${domain}z`)}.acm-validations.aws.`,
  }));
}

function fifo(ctx: ResourceContext): string {
  return ctx.inputs.fifoQueue === true || ctx.inputs.fifoTopic === true ? ".fifo" : "";
}

function iamPath(ctx: ResourceContext): string {
  return str(ctx.inputs.path) ?? "/";
}

const RULES: Record<string, Rule> = {
  // --- network
  "aws:ec2/vpc:Vpc": ec2("vpc", "vpc", (_ctx, f) => {
    const routeTable = `rtb-${f.hex(17, "main")}`;
    return {
      defaultSecurityGroupId: `sg-${f.hex(17, "default-sg")}`,
      defaultRouteTableId: routeTable,
      mainRouteTableId: routeTable,
      defaultNetworkAclId: `acl-${f.hex(17, "default-acl")}`,
      dhcpOptionsId: `dopt-${f.hex(17, "dopt")}`,
      instanceTenancy: "default",
    };
  }),
  "aws:ec2/subnet:Subnet": ec2("subnet", "subnet", (ctx) => ({
    availabilityZoneId: typeof ctx.inputs.availabilityZone === "string" ? `${ctx.inputs.availabilityZone}-id` : undefined,
  })),
  "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
  "aws:ec2/internetGatewayAttachment:InternetGatewayAttachment": (ctx, f) => ({ id: `igw-attach-${f.hex(8)}-${str(ctx.inputs.vpcId) ?? ""}` }),
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": ec2("eigw", "egress-only-internet-gateway"),
  "aws:ec2/natGateway:NatGateway": ec2("nat", "natgateway", (_ctx, f) => ({ privateIp: privateIp(f) })),
  "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
  "aws:ec2/defaultRouteTable:DefaultRouteTable": ec2("rtb", "route-table"),
  "aws:ec2/route:Route": (ctx, f) => ({
    id: `r-${str(ctx.inputs.routeTableId) ?? "rtb"}${f.digits(10)}`,
    extra: { origin: "CreateRoute", state: "active" },
  }),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (_ctx, f) => ({ id: `rtbassoc-${f.hex(17)}` }),
  "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": (_ctx, f) => ({ id: `rtbassoc-${f.hex(17)}` }),
  "aws:ec2/securityGroup:SecurityGroup": (ctx, f) => {
    const id = `sg-${f.hex(17)}`;
    return { id, extra: { name: physical(ctx, f, "name", { max: 255 }), arn: regional(ctx, "ec2", `security-group/${id}`), ownerId: ctx.account } };
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2("sg", "security-group", () => ({ name: "default" })),
  "aws:ec2/securityGroupRule:SecurityGroupRule": (_ctx, f) => ({ id: `sgrule-${f.digits(10)}`, extra: { securityGroupRuleId: `sgr-${f.hex(17)}` } }),
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2("sgr", "security-group-rule", (_ctx, _f, id) => ({ securityGroupRuleId: id })),
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2("sgr", "security-group-rule", (_ctx, _f, id) => ({ securityGroupRuleId: id })),
  "aws:ec2/networkAcl:NetworkAcl": ec2("acl", "network-acl"),
  "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": ec2("acl", "network-acl"),
  "aws:ec2/networkAclRule:NetworkAclRule": short("nacl-"),
  "aws:ec2/networkAclAssociation:NetworkAclAssociation": (_ctx, f) => ({ id: `aclassoc-${f.hex(17)}` }),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (ctx, f) => {
    const id = `vpce-${f.hex(17)}`;
    const service = str(ctx.inputs.serviceName) ?? "";
    const interfaceType = ctx.inputs.vpcEndpointType === "Interface";
    const subnets = Array.isArray(ctx.inputs.subnetIds) ? ctx.inputs.subnetIds : [];
    const shortName = service.replace(/^com\.amazonaws\.[a-z0-9-]+\./, "");
    return {
      id,
      extra: {
        arn: regional(ctx, "ec2", `vpc-endpoint/${id}`),
        ownerId: ctx.account,
        state: "available",
        vpcEndpointType: ctx.inputs.vpcEndpointType ?? "Gateway",
        requesterManaged: false,
        prefixListId: interfaceType ? undefined : `pl-${f.hex(8, "pl")}`,
        cidrBlocks: interfaceType ? [] : [`52.219.${Number(f.digits(2)) + 100}.0/19`],
        networkInterfaceIds: interfaceType ? subnets.map((_s, i) => `eni-${f.hex(17, `eni${i}`)}`) : [],
        dnsEntries: interfaceType
          ? [{ dnsName: `${id}-${f.hex(8, "dns")}.${shortName}.${ctx.region}.vpce.amazonaws.com`, hostedZoneId: `Z${f.upper(13, "vpce-zone")}` }]
          : [],
      },
    };
  },
  "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": (_ctx, f) => ({ id: `a-vpce-${f.hex(17)}${f.digits(10)}` }),
  "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation": (_ctx, f) => ({ id: `a-vpce-${f.hex(17)}${f.digits(10)}` }),
  "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": byInput("vpcEndpointId"),
  "aws:ec2/eip:Eip": (ctx, f) => {
    const id = `eipalloc-${f.hex(17)}`;
    const ip = `203.0.113.${(Number(f.digits(3)) % 250) + 2}`;
    return {
      id,
      extra: {
        allocationId: id,
        arn: regional(ctx, "ec2", `elastic-ip/${id}`),
        domain: "vpc",
        publicIp: ip,
        publicDns: `ec2-${ip.replace(/\./g, "-")}.${ctx.region}.compute.amazonaws.com`,
      },
    };
  },
  "aws:ec2/eipAssociation:EipAssociation": (_ctx, f) => ({ id: `eipassoc-${f.hex(17)}` }),
  "aws:ec2/flowLog:FlowLog": ec2("fl", "vpc-flow-log"),
  "aws:ec2/networkInterface:NetworkInterface": ec2("eni", "network-interface", (ctx, f) => ({
    privateIp: str(ctx.inputs.privateIp) ?? privateIp(f),
  })),
  "aws:ec2/vpcDhcpOptions:VpcDhcpOptions": ec2("dopt", "dhcp-options"),
  "aws:ec2/managedPrefixList:ManagedPrefixList": ec2("pl", "prefix-list", () => ({ version: 1 })),
  "aws:ec2/placementGroup:PlacementGroup": (ctx, f) => {
    const name = physical(ctx, f, "name");
    return { id: name, extra: { name, placementGroupId: `pg-${f.hex(17)}`, arn: regional(ctx, "ec2", `placement-group/${name}`) } };
  },
  "aws:ec2/keyPair:KeyPair": (ctx, f) => {
    const name = physical(ctx, f, "keyName");
    return { id: name, extra: { keyName: name, keyPairId: `key-${f.hex(17)}`, arn: regional(ctx, "ec2", `key-pair/${name}`) } };
  },
  // --- compute and storage
  "aws:ec2/instance:Instance": ec2("i", "instance", (ctx, f, id) => {
    const ip = str(ctx.inputs.privateIp) ?? privateIp(f);
    return {
      instanceState: "running",
      privateIp: ip,
      privateDns: `ip-${ip.replace(/\./g, "-")}.${ctx.region}.compute.internal`,
      primaryNetworkInterfaceId: `eni-${f.hex(17, "eni")}`,
      availabilityZone: str(ctx.inputs.availabilityZone) ?? `${ctx.region}a`,
      passwordData: "",
      hostId: ctx.inputs.tenancy === "host" ? `h-${f.hex(17, id)}` : undefined,
    };
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": (ctx, f) => {
    const id = `lt-${f.hex(17)}`;
    return { id, extra: { name: physical(ctx, f, "name", { max: 128 }), arn: regional(ctx, "ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 } };
  },
  "aws:ebs/volume:Volume": ec2("vol", "volume"),
  "aws:ebs/snapshot:Snapshot": ec2("snap", "snapshot"),
  "aws:ec2/volumeAttachment:VolumeAttachment": short("vai-"),
  "aws:ebs/encryptionByDefault:EncryptionByDefault": (ctx) => ({ id: ctx.region }),
  "aws:ebs/defaultKmsKey:DefaultKmsKey": byInput("keyArn"),
  "aws:autoscaling/group:Group": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 255 });
    return { id: name, extra: { name, arn: regional(ctx, "autoscaling", `autoScalingGroup:${f.uuid()}:autoScalingGroupName/${name}`) } };
  },
  "aws:dlm/lifecyclePolicy:LifecyclePolicy": (ctx, f) => {
    const id = `policy-${f.hex(17)}`;
    return { id, extra: { arn: regional(ctx, "dlm", `policy/${id}`) } };
  },
  // --- edge
  "aws:lb/loadBalancer:LoadBalancer": lbRule("app"),
  "aws:alb/loadBalancer:LoadBalancer": lbRule("app"),
  "aws:lb/targetGroup:TargetGroup": targetGroup,
  "aws:alb/targetGroup:TargetGroup": targetGroup,
  "aws:lb/listener:Listener": (ctx, f) => {
    const arn = regional(ctx, "elasticloadbalancing", `listener/${lbPath(ctx, f)}/${f.hex(16)}`);
    return { id: arn, extra: { arn } };
  },
  "aws:lb/listenerRule:ListenerRule": (ctx, f) => {
    const arn = regional(ctx, "elasticloadbalancing", `listener-rule/${lbPath(ctx, f)}/${f.hex(16, "listener")}/${f.hex(16)}`);
    return { id: arn, extra: { arn } };
  },
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": (ctx, f) => ({ id: `${str(ctx.inputs.targetGroupArn) ?? "tg"}-${f.digits(26)}` }),
  "aws:lb/listenerCertificate:ListenerCertificate": (ctx) => ({ id: `${str(ctx.inputs.listenerArn) ?? ""}_${str(ctx.inputs.certificateArn) ?? ""}` }),
  "aws:wafv2/webAcl:WebAcl": wafRule("webacl"),
  "aws:wafv2/ipSet:IpSet": wafRule("ipset"),
  "aws:wafv2/regexPatternSet:RegexPatternSet": wafRule("regexpatternset"),
  "aws:wafv2/ruleGroup:RuleGroup": wafRule("rulegroup"),
  "aws:wafv2/webAclAssociation:WebAclAssociation": (ctx) => ({ id: `${str(ctx.inputs.webAclArn) ?? ""},${str(ctx.inputs.resourceArn) ?? ""}` }),
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": byInput("resourceArn"),
  "aws:acm/certificate:Certificate": (ctx, f) => {
    const arn = regional(ctx, "acm", `certificate/${f.uuid()}`);
    return {
      id: arn,
      extra: { arn, status: "ISSUED", domainValidationOptions: certificateValidation(ctx, f), notAfter: "2031-01-01T00:00:00Z", notBefore: "2030-01-01T00:00:00Z" },
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": byInput("certificateArn"),
  "aws:route53/zone:Zone": (_ctx, f) => {
    const id = `Z${f.upper(20)}`;
    return {
      id,
      extra: { zoneId: id, arn: `arn:aws:route53:::hostedzone/${id}`, nameServers: [0, 1, 2, 3].map((i) => `ns-${Number(f.digits(4, `ns${i}`)) % 2048}.awsdns-${f.digits(2, `d${i}`)}.${["com", "net", "org", "co.uk"][i]}`) },
    };
  },
  "aws:route53/record:Record": (ctx) => {
    const name = str(ctx.inputs.name) ?? ctx.name;
    return { id: `${str(ctx.inputs.zoneId) ?? "Z"}_${name}_${str(ctx.inputs.type) ?? "A"}`, extra: { fqdn: name } };
  },
  // --- storage and logs
  "aws:s3/bucket:Bucket": bucketRule,
  "aws:s3/bucketV2:BucketV2": bucketRule,
  "aws:s3/bucketObject:BucketObject": byInput("key"),
  "aws:s3/bucketObjectv2:BucketObjectv2": byInput("key"),
  "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": (ctx) => ({ id: ctx.account }),
  "aws:cloudwatch/logGroup:LogGroup": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 512 });
    return { id: name, extra: { name, arn: regional(ctx, "logs", `log-group:${name}`) } };
  },
  "aws:cloudwatch/logStream:LogStream": (ctx, f) => {
    const name = physical(ctx, f, "name");
    return { id: name, extra: { name, arn: regional(ctx, "logs", `log-group:${str(ctx.inputs.logGroupName) ?? ""}:log-stream:${name}`) } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (ctx, f) => {
    const name = physical(ctx, f, "name");
    return { id: name, extra: { name, arn: regional(ctx, "cloudwatch", `alarm:${name}`) } };
  },
  "aws:cloudwatch/eventRule:EventRule": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 64 });
    return { id: name, extra: { name, arn: regional(ctx, "events", `rule/${name}`) } };
  },
  "aws:cloudwatch/eventTarget:EventTarget": (ctx, f) => ({ id: `${str(ctx.inputs.rule) ?? ""}-${str(ctx.inputs.targetId) ?? f.autoName()}` }),
  "aws:cloudtrail/trail:Trail": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    const arn = regional(ctx, "cloudtrail", `trail/${name}`);
    return { id: arn, extra: { name, arn, homeRegion: ctx.region } };
  },
  // --- identity and secrets
  "aws:iam/role:Role": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 64 });
    return { id: name, extra: { name, arn: iamArn(ctx, `role${iamPath(ctx)}${name}`), uniqueId: `AROA${f.upper(17)}`, createDate: "2030-01-01T00:00:00Z" } };
  },
  "aws:iam/policy:Policy": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    const arn = iamArn(ctx, `policy${iamPath(ctx)}${name}`);
    return { id: arn, extra: { name, arn, policyId: `ANPA${f.upper(17)}`, attachmentCount: 0 } };
  },
  "aws:iam/rolePolicy:RolePolicy": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    return { id: `${str(ctx.inputs.role) ?? ""}:${name}`, extra: { name } };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (ctx, f) => ({ id: `${str(ctx.inputs.role) ?? "role"}-${f.digits(26)}` }),
  "aws:iam/instanceProfile:InstanceProfile": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    return { id: name, extra: { name, arn: iamArn(ctx, `instance-profile${iamPath(ctx)}${name}`), uniqueId: `AIPA${f.upper(17)}` } };
  },
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (ctx) => {
    const arn = iamArn(ctx, `oidc-provider/${(str(ctx.inputs.url) ?? ctx.name).replace(/^https:\/\//, "")}`);
    return { id: arn, extra: { arn } };
  },
  "aws:iam/user:User": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 64 });
    return { id: name, extra: { name, arn: iamArn(ctx, `user${iamPath(ctx)}${name}`), uniqueId: `AIDA${f.upper(17)}` } };
  },
  "aws:iam/group:Group": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    return { id: name, extra: { name, arn: iamArn(ctx, `group${iamPath(ctx)}${name}`), uniqueId: `AGPA${f.upper(17)}` } };
  },
  "aws:iam/groupPolicy:GroupPolicy": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    return { id: `${str(ctx.inputs.group) ?? ""}:${name}`, extra: { name } };
  },
  "aws:iam/userPolicy:UserPolicy": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 128 });
    return { id: `${str(ctx.inputs.user) ?? ""}:${name}`, extra: { name } };
  },
  "aws:iam/accessKey:AccessKey": (_ctx, f) => ({
    id: `AKIA${f.upper(16)}`,
    extra: {
      status: "Active",
      createDate: "2030-01-01T00:00:00Z",
      secret: Buffer.from(f.hex(60, "secret"), "hex").toString("base64"),
      sesSmtpPasswordV4: Buffer.from(f.hex(66, "smtp"), "hex").toString("base64"),
    },
  }),
  "aws:iam/serviceLinkedRole:ServiceLinkedRole": (ctx, f) => {
    const service = str(ctx.inputs.awsServiceName) ?? "service.amazonaws.com";
    // AWS fixes each service's role name; the table has the documented ones, others get a guessed name.
    const known = SERVICE_LINKED_ROLES.find((s) => s.service === service)?.roleName;
    const name = known ?? `AWSServiceRoleFor${service.split(".")[0]?.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()) ?? "Service"}`;
    const arn = iamArn(ctx, `role/aws-service-role/${service}/${name}`);
    return { id: arn, extra: { name, arn, uniqueId: `AROA${f.upper(17)}` } };
  },
  "aws:kms/key:Key": (ctx, f) => {
    const keyId = f.uuid();
    return { id: keyId, extra: { keyId, arn: regional(ctx, "kms", `key/${keyId}`) } };
  },
  "aws:kms/replicaKey:ReplicaKey": (ctx, f) => {
    const keyId = `mrk-${f.hex(32)}`;
    return { id: keyId, extra: { keyId, arn: regional(ctx, "kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (ctx, f) => {
    const name = str(ctx.inputs.name) ?? `alias/${f.autoName()}`;
    const target = str(ctx.inputs.targetKeyId) ?? f.uuid("target");
    return {
      id: name,
      extra: { name, arn: regional(ctx, "kms", name), targetKeyArn: target.startsWith("arn:") ? target : regional(ctx, "kms", `key/${target}`) },
    };
  },
  "aws:kms/keyPolicy:KeyPolicy": byInput("keyId"),
  "aws:kms/grant:Grant": (ctx, f) => {
    const grantId = f.hex(64);
    return { id: `${str(ctx.inputs.keyId) ?? ""}:${grantId}`, extra: { grantId, grantToken: f.hex(64, "token") } };
  },
  "aws:secretsmanager/secret:Secret": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 512 });
    const arn = regional(ctx, "secretsmanager", `secret:${name}-${f.upper(6).replace(/[0-9]/g, "x")}`);
    return { id: arn, extra: { name, arn } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": (ctx, f) => {
    const versionId = f.uuid();
    const secret = str(ctx.inputs.secretId) ?? "";
    return { id: `${secret}|${versionId}`, extra: { arn: secret, versionId, versionStages: ["AWSCURRENT"] } };
  },
  "aws:secretsmanager/secretPolicy:SecretPolicy": byInput("secretArn"),
  "aws:secretsmanager/secretRotation:SecretRotation": byInput("secretId"),
  "aws:ssm/parameter:Parameter": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 2048 });
    return { id: name, extra: { name, arn: regional(ctx, "ssm", `parameter/${name.replace(/^\//, "")}`), version: 1, tier: ctx.inputs.tier ?? "Standard" } };
  },
  "aws:ssm/document:Document": (ctx, f) => {
    const name = physical(ctx, f, "name");
    return { id: name, extra: { name, arn: regional(ctx, "ssm", `document/${name}`), latestVersion: "1", defaultVersion: "1" } };
  },
  "aws:ssm/association:Association": (_ctx, f) => {
    const associationId = f.uuid();
    return { id: associationId, extra: { associationId } };
  },
  // --- messaging
  "aws:sesv2/emailIdentity:EmailIdentity": (ctx, f) => {
    const identity = str(ctx.inputs.emailIdentity) ?? ctx.name;
    const dkim = typeof ctx.inputs.dkimSigningAttributes === "object" && ctx.inputs.dkimSigningAttributes !== null ? ctx.inputs.dkimSigningAttributes : {};
    return {
      id: identity,
      extra: {
        arn: regional(ctx, "ses", `identity/${identity}`),
        identityType: identity.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN",
        verifiedForSendingStatus: true,
        dkimSigningAttributes: {
          ...dkim,
          currentSigningKeyLength: "RSA_2048_BIT",
          signingAttributesOrigin: "AWS_SES",
          status: "SUCCESS",
          tokens: [0, 1, 2].map((i) => f.hex(32, `dkim${i}`)),
        },
      },
    };
  },
  "aws:sns/topic:Topic": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 256, suffix: fifo(ctx) });
    const arn = regional(ctx, "sns", name);
    return { id: arn, extra: { name, arn, owner: ctx.account } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (ctx, f) => {
    const arn = `${str(ctx.inputs.topic) ?? regional(ctx, "sns", "topic")}:${f.uuid()}`;
    return { id: arn, extra: { arn, ownerId: ctx.account, pendingConfirmation: false } };
  },
  "aws:sns/topicPolicy:TopicPolicy": byInput("arn"),
  "aws:sqs/queue:Queue": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 80, suffix: fifo(ctx) });
    const url = `https://sqs.${ctx.region}.amazonaws.com/${ctx.account}/${name}`;
    return { id: url, extra: { name, url, arn: regional(ctx, "sqs", name) } };
  },
  "aws:sqs/queuePolicy:QueuePolicy": byInput("queueUrl"),
  "aws:sqs/redrivePolicy:RedrivePolicy": byInput("queueUrl"),
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": byInput("queueUrl"),
  // --- Kubernetes on AWS
  "aws:eks/cluster:Cluster": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 100 });
    const vpcConfig = typeof ctx.inputs.vpcConfig === "object" && ctx.inputs.vpcConfig !== null ? ctx.inputs.vpcConfig : {};
    return {
      id: name,
      extra: {
        name,
        arn: regional(ctx, "eks", `cluster/${name}`),
        endpoint: `https://${f.hex(32).toUpperCase()}.gr7.${ctx.region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`offline certificate authority of ${name}`).toString("base64") },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${ctx.region}.amazonaws.com/id/${f.hex(32, "oidc").toUpperCase()}` }] }],
        platformVersion: "eks.1",
        status: "ACTIVE",
        version: ctx.inputs.version ?? "1.33",
        vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-${f.hex(17, "cluster-sg")}`, vpcId: `vpc-${f.hex(17, "vpc")}` },
      },
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (ctx, f) => {
    const cluster = str(ctx.inputs.clusterName) ?? "cluster";
    const name = physical(ctx, f, "nodeGroupName", { max: 63 });
    const uuid = f.uuid();
    return {
      id: `${cluster}:${name}`,
      extra: {
        nodeGroupName: name,
        arn: regional(ctx, "eks", `nodegroup/${cluster}/${name}/${uuid}`),
        status: "ACTIVE",
        resources: [{ autoscalingGroups: [{ name: `eks-${name}-${uuid}` }], remoteAccessSecurityGroupId: "" }],
      },
    };
  },
  "aws:eks/addon:Addon": (ctx, f) => {
    const cluster = str(ctx.inputs.clusterName) ?? "cluster";
    const addon = str(ctx.inputs.addonName) ?? ctx.name;
    return {
      id: `${cluster}:${addon}`,
      extra: { arn: regional(ctx, "eks", `addon/${cluster}/${addon}/${f.uuid()}`), addonVersion: ctx.inputs.addonVersion ?? "v1.0.0-eksbuild.1" },
    };
  },
  "aws:eks/accessEntry:AccessEntry": (ctx, f) => {
    const cluster = str(ctx.inputs.clusterName) ?? "cluster";
    const principal = str(ctx.inputs.principalArn) ?? "";
    return { id: `${cluster}:${principal}`, extra: { accessEntryArn: regional(ctx, "eks", `access-entry/${cluster}/role/${ctx.account}/${ctx.name}/${f.uuid()}`) } };
  },
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (ctx) => ({
    id: `${str(ctx.inputs.clusterName) ?? ""}#${str(ctx.inputs.principalArn) ?? ""}#${str(ctx.inputs.policyArn) ?? ""}`,
  }),
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (ctx, f) => {
    const cluster = str(ctx.inputs.clusterName) ?? "cluster";
    const associationId = `a-${f.hex(17)}`;
    return {
      id: `${cluster},${associationId}`,
      extra: { associationId, associationArn: regional(ctx, "eks", `podidentityassociation/${cluster}/${associationId}`) },
    };
  },
  "aws:ecr/repository:Repository": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 256, lower: true });
    return {
      id: name,
      extra: { name, arn: regional(ctx, "ecr", `repository/${name}`), registryId: ctx.account, repositoryUrl: `${ctx.account}.dkr.ecr.${ctx.region}.amazonaws.com/${name}` },
    };
  },
  "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": (ctx, f) => ({ id: str(ctx.inputs.ecrRepositoryPrefix) ?? f.autoName(), extra: { registryId: ctx.account } }),
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (ctx, f) => ({ id: str(ctx.inputs.repository) ?? f.autoName(), extra: { registryId: ctx.account } }),
  "aws:ecr/repositoryPolicy:RepositoryPolicy": (ctx, f) => ({ id: str(ctx.inputs.repository) ?? f.autoName(), extra: { registryId: ctx.account } }),
  "aws:ecr/replicationConfiguration:ReplicationConfiguration": (ctx) => ({ id: ctx.account, extra: { registryId: ctx.account } }),
  "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": (ctx) => ({ id: ctx.account, extra: { registryId: ctx.account } }),
  "aws:lambda/function:Function": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 64 });
    const arn = regional(ctx, "lambda", `function:${name}`);
    return {
      id: name,
      extra: { name, arn, qualifiedArn: `${arn}:$LATEST`, version: "$LATEST", invokeArn: `arn:aws:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${arn}/invocations` },
    };
  },
  // --- backups
  "aws:backup/vault:Vault": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 50 });
    return { id: name, extra: { name, arn: regional(ctx, "backup", `backup-vault:${name}`), recoveryPoints: 0 } };
  },
  "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault": (ctx, f) => {
    const name = physical(ctx, f, "name", { max: 50 });
    return { id: name, extra: { name, arn: regional(ctx, "backup", `backup-vault:${name}`) } };
  },
  "aws:backup/plan:Plan": (ctx, f) => {
    const id = f.uuid();
    return { id, extra: { arn: regional(ctx, "backup", `backup-plan:${id}`), version: Buffer.from(f.hex(24)).toString("base64") } };
  },
  "aws:backup/selection:Selection": (_ctx, f) => ({ id: f.uuid() }),
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": vaultChild,
  "aws:backup/vaultPolicy:VaultPolicy": vaultChild,
  "aws:backup/vaultNotifications:VaultNotifications": vaultChild,
  "aws:backup/regionSettings:RegionSettings": (ctx) => ({ id: ctx.region }),
};

function vaultChild(ctx: ResourceContext, f: Fakes): { id: string; extra: Extra } {
  const vault = str(ctx.inputs.backupVaultName) ?? f.autoName();
  return { id: vault, extra: { backupVaultArn: regional(ctx, "backup", `backup-vault:${vault}`) } };
}

function bucketRule(ctx: ResourceContext, f: Fakes): { id: string; extra: Extra } {
  const bucket = physical(ctx, f, "bucket", { max: 63, lower: true });
  return {
    id: bucket,
    extra: {
      bucket,
      arn: `arn:aws:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${bucket}.s3.${ctx.region}.amazonaws.com`,
      hostedZoneId: S3_ZONE_IDS[ctx.region] ?? `Z${f.upper(13)}`,
      region: ctx.region,
    },
  };
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** Provider modules whose ARNs name another service. */
const ARN_SERVICES: Record<string, string> = { sesv2: "ses", lb: "elasticloadbalancing", alb: "elasticloadbalancing", cfg: "config", ebs: "ec2", vpc: "ec2" };
/** Services whose ARNs carry no region. */
const GLOBAL_SERVICES = new Set(["iam", "route53", "cloudfront", "organizations"]);

/** Types without a rule: bucket sub-resources are identified by their bucket, others by name. */
const generic: Rule = (ctx, f) => {
  const [, modulePath = "", typeName = ""] = ctx.type.split(":");
  const module = modulePath.split("/")[0] ?? "aws";
  const bucket = str(ctx.inputs.bucket);
  if (module === "s3" && bucket !== undefined) return { id: bucket };
  const id = str(ctx.inputs.name) ?? `${ctx.name}-${f.hex(8)}`;
  // Links and settings between resources have no ARN of their own.
  if (/(Association|Attachment|Membership|Policy|Configuration|Version|Permission|Rule|Settings)$/.test(typeName)) return { id };
  const service = ARN_SERVICES[module] ?? module;
  const resource = `${kebab(typeName)}/${id}`;
  const arn = GLOBAL_SERVICES.has(service) ? `arn:aws:${service}::${ctx.account}:${resource}` : regional(ctx, service, resource);
  return { id, extra: { arn } };
};

export function mockAwsResource(ctx: ResourceContext, f: Fakes): MockedResource {
  const rule = RULES[ctx.type] ?? generic;
  const { id, extra = {} } = rule(ctx, f);
  const state: Record<string, unknown> = { ...ctx.inputs };
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && state[key] === undefined) state[key] = value;
  }
  // The provider reports every tag the resource carries, its default tags included, as `tagsAll`.
  const tags = ctx.inputs.tags;
  const mapTags = typeof tags === "object" && tags !== null && !Array.isArray(tags) ? (tags as Record<string, unknown>) : undefined;
  if (isTaggableAwsType(ctx.type) && !Array.isArray(tags) && (mapTags !== undefined || Object.keys(ctx.defaultTags).length > 0)) {
    state.tagsAll = { ...ctx.defaultTags, ...mapTags };
  }
  return { id, state };
}

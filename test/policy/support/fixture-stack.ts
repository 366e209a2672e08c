import { platformTags, type DataClass, type Zone } from "../../../src/conventions/tags";
import type { ResourceState, StackExport } from "../../../src/offline/snapshot/types";

/**
 * Hand-built stacks in the `pulumi stack export` format, for crafting one violation at a time. Inputs
 * use the real @pulumi/aws 7 names; outputs default to the inputs plus id and ARN (what a Terraform-based
 * provider reports after an update); references between resources are recorded as dependencies and
 * property dependencies, as the engine records them.
 */
export type Json = Record<string, unknown>;

export interface Ref {
  readonly urn: string;
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: string;
}

export interface AddOptions {
  readonly parent?: Ref;
  /** property -> referenced resources (become dependencies and property dependencies). */
  readonly deps?: Readonly<Record<string, readonly Ref[]>>;
  /** Explicit outputs; by default the inputs plus id and arn. */
  readonly outputs?: Json;
  readonly custom?: boolean;
  readonly protect?: boolean;
  /** The physical id; defaults to a stable one derived from the name. */
  readonly id?: string;
}

export class FixtureStack {
  private readonly states: ResourceState[] = [];
  readonly root: Ref;
  readonly provider: Ref;

  constructor(
    readonly stack = "test",
    readonly project = "fitness-platform",
  ) {
    this.root = this.add("pulumi:pulumi:Stack", `${project}-${stack}`, {}, { custom: false });
    this.provider = this.add("pulumi:providers:aws", "default_7_48_0", { region: "eu-central-1" }, { id: "04f3a1c2-provider" });
  }

  tags(zone: Zone, component: string, dataClass?: DataClass): Record<string, string> {
    return platformTags({ project: this.project, environment: this.stack }, { zone, component, ...(dataClass === undefined ? {} : { dataClass }) });
  }

  add(type: string, name: string, inputs: Json, options: AddOptions = {}): Ref {
    const custom = options.custom ?? !type.startsWith("fitness:");
    const parent = options.parent ?? (type === "pulumi:pulumi:Stack" ? undefined : this.root);
    const qualified = parent === undefined || parent.type === "pulumi:pulumi:Stack" ? type : `${parent.urn.split("::")[2]}$${type}`;
    const urn = `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    const id = options.id ?? (type === "aws:s3/bucket:Bucket" ? String(inputs["bucket"] ?? name) : `${name}-0123abcd`);
    const arn = `arn:aws:${type.split(":")[1]?.split("/")[0] ?? "x"}:eu-central-1:123456789012:${name}`;
    const deps = options.deps ?? {};
    const state: ResourceState = {
      urn,
      custom,
      type,
      ...(custom ? { id } : {}),
      inputs: structuredClone(inputs),
      outputs: options.outputs ?? (custom ? { ...structuredClone(inputs), id, arn } : {}),
      ...(parent === undefined ? {} : { parent: parent.urn }),
      ...(options.protect === true ? { protect: true } : {}),
      dependencies: [...new Set(Object.values(deps).flatMap((refs) => refs.map((r) => r.urn)))],
      propertyDependencies: Object.fromEntries(Object.entries(deps).map(([k, refs]) => [k, refs.map((r) => r.urn)])),
      ...(custom && type.startsWith("aws:") ? { provider: `${this.provider?.urn}::${this.provider?.id}` } : {}),
    };
    this.states.push(state);
    return { urn, id, arn, name, type };
  }

  /** Changes a resource's inputs (and outputs, unless they were given explicitly). */
  update(ref: Ref, change: (inputs: Json) => void): void {
    const state = this.state(ref);
    const inputs = structuredClone(state.inputs ?? {});
    change(inputs);
    state.inputs = inputs;
    if (state.custom) state.outputs = { ...structuredClone(inputs), id: ref.id, arn: ref.arn };
  }

  get size(): number {
    return this.states.length;
  }

  state(ref: Ref): ResourceState {
    const state = this.states.find((s) => s.urn === ref.urn);
    if (state === undefined) throw new Error(`no resource ${ref.urn}`);
    return state;
  }

  remove(ref: Ref): void {
    const i = this.states.findIndex((s) => s.urn === ref.urn);
    if (i >= 0) this.states.splice(i, 1);
  }

  toExport(): StackExport {
    return {
      version: 3,
      deployment: {
        manifest: { time: "1970-01-01T00:00:00Z", magic: "fixture", version: "v3.270.0" },
        resources: structuredClone(this.states),
      },
    };
  }
}

export function tlsOnlyBucketPolicy(bucketArn: string, extra: Json[] = []): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      ...extra,
    ],
  });
}

/** A public certificate, base64-encoded, as cloud-init carries CA bundles: must not look like a secret. */
const CA_BUNDLE = Buffer.from(
  "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVOb3RBU2VjcmV0MAoGCCqGSM49BAMC\n-----END CERTIFICATE-----\n",
).toString("base64");

export const DB_USER_DATA = [
  "#!/bin/bash",
  "set -euo pipefail",
  "TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')",
  "PASSWORD=$(aws secretsmanager get-secret-value --secret-id arn:aws:secretsmanager:eu-central-1:123456789012:secret:db --query SecretString --output text)",
  `echo ${CA_BUNDLE} | base64 -d > /etc/pki/ca.pem`,
  "psql -v fitness_password=\"$PASSWORD\" <<'SQL'",
  "ALTER ROLE \"users\" WITH LOGIN PASSWORD :'fitness_password';",
  "SQL",
  "echo 'image sha256:0f2c9a7d5e1b3c4a6f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a' > /etc/motd",
].join("\n");

/** The resources of a compliant stack, by role, so tests can break one thing at a time. */
export interface CompliantStack {
  readonly fx: FixtureStack;
  readonly network: Ref;
  readonly key: Ref;
  readonly vpc: Ref;
  readonly subnets: { readonly dmz: Ref; readonly app: Ref; readonly data: Ref };
  readonly igw: Ref;
  readonly routeTables: { readonly dmz: Ref; readonly app: Ref; readonly data: Ref };
  readonly groups: { readonly alb: Ref; readonly app: Ref; readonly data: Ref; readonly proxy: Ref; readonly endpoints: Ref };
  readonly alb: Ref;
  readonly proxyTemplate: Ref;
  readonly proxyGroup: Ref;
  readonly appInstance: Ref;
  readonly dbInstance: Ref;
  readonly bucket: Ref;
  readonly bucketPolicy: Ref;
  readonly role: Ref;
  readonly rolePolicy: Ref;
}

export function compliantStack(stack = "test"): CompliantStack {
  const fx = new FixtureStack(stack);
  const network = fx.add("fitness:network:Network", "network", {}, { custom: false });
  const p = { parent: network };
  const key = fx.add("aws:kms/key:Key", "data-key", { description: "data at rest", enableKeyRotation: true, deletionWindowInDays: 30, tags: fx.tags("global", "security", "critical") });

  const vpc = fx.add("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: fx.tags("global", "network") }, p);
  const subnet = (zone: Zone, cidr: string): Ref =>
    fx.add("aws:ec2/subnet:Subnet", `subnet-${zone}-a`, { vpcId: vpc.id, cidrBlock: cidr, availabilityZone: "eu-central-1a", mapPublicIpOnLaunch: false, tags: fx.tags(zone, "network") }, { ...p, deps: { vpcId: [vpc] } });
  const subnets = { dmz: subnet("dmz", "10.0.0.0/24"), app: subnet("app", "10.0.16.0/20"), data: subnet("data", "10.0.32.0/24") };
  const igw = fx.add("aws:ec2/internetGateway:InternetGateway", "igw", { vpcId: vpc.id, tags: fx.tags("dmz", "network") }, { ...p, deps: { vpcId: [vpc] } });
  const table = (zone: Zone): Ref => fx.add("aws:ec2/routeTable:RouteTable", `rt-${zone}`, { vpcId: vpc.id, tags: fx.tags(zone, "network") }, { ...p, deps: { vpcId: [vpc] } });
  const routeTables = { dmz: table("dmz"), app: table("app"), data: table("data") };
  fx.add("aws:ec2/route:Route", "rt-dmz-default", { routeTableId: routeTables.dmz.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, { ...p, deps: { routeTableId: [routeTables.dmz], gatewayId: [igw] } });
  for (const zone of ["dmz", "app", "data"] as const) {
    fx.add("aws:ec2/routeTableAssociation:RouteTableAssociation", `rta-${zone}-a`, { subnetId: subnets[zone].id, routeTableId: routeTables[zone].id }, { ...p, deps: { subnetId: [subnets[zone]], routeTableId: [routeTables[zone]] } });
  }
  fx.add(
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "vpce-s3",
    { vpcId: vpc.id, serviceName: "com.amazonaws.eu-central-1.s3", vpcEndpointType: "Gateway", routeTableIds: [routeTables.app.id, routeTables.data.id], tags: fx.tags("app", "network") },
    { ...p, deps: { vpcId: [vpc], routeTableIds: [routeTables.app, routeTables.data] } },
  );
  const vpcOnly = [{ ruleNo: 100, action: "allow", protocol: "-1", cidrBlock: "10.0.0.0/16", fromPort: 0, toPort: 0 }];
  fx.add("aws:ec2/networkAcl:NetworkAcl", "acl-data", { vpcId: vpc.id, subnetIds: [subnets.data.id], ingress: vpcOnly, egress: vpcOnly, tags: fx.tags("data", "network") }, { ...p, deps: { vpcId: [vpc], subnetIds: [subnets.data] } });

  const sg = (name: string, zone: Zone, extra: Json = {}, deps: Record<string, Ref[]> = {}): Ref =>
    fx.add("aws:ec2/securityGroup:SecurityGroup", name, { vpcId: vpc.id, description: name, tags: fx.tags(zone, "network"), ...extra }, { ...p, deps: { vpcId: [vpc], ...deps } });
  const albSg = sg("sg-alb", "dmz", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
  const appSg = sg("sg-app", "app");
  const dataSg = sg("sg-data", "data");
  const endpointSg = sg("sg-endpoints", "app", { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }] });
  const proxySg = sg(
    "sg-proxy",
    "dmz",
    {
      ingress: [{ protocol: "tcp", fromPort: 3128, toPort: 3128, securityGroups: [appSg.id] }],
      egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
    },
    { ingress: [appSg] },
  );
  const rule = (kind: "Ingress" | "Egress", name: string, group: Ref, peer: Ref, port: number): Ref =>
    fx.add(
      `aws:vpc/securityGroup${kind}Rule:SecurityGroup${kind}Rule`,
      name,
      { securityGroupId: group.id, referencedSecurityGroupId: peer.id, ipProtocol: "tcp", fromPort: port, toPort: port, tags: fx.tags("global", "network") },
      { ...p, deps: { securityGroupId: [group], referencedSecurityGroupId: [peer] } },
    );
  rule("Egress", "alb-to-app", albSg, appSg, 8080);
  rule("Ingress", "app-from-alb", appSg, albSg, 8080);
  rule("Egress", "app-to-data", appSg, dataSg, 5432);
  rule("Ingress", "data-from-app", dataSg, appSg, 5432);
  rule("Egress", "app-to-proxy", appSg, proxySg, 3128);
  rule("Egress", "app-to-endpoints", appSg, endpointSg, 443);
  fx.add(
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "data-to-endpoints",
    { type: "egress", securityGroupId: dataSg.id, sourceSecurityGroupId: endpointSg.id, protocol: "tcp", fromPort: 443, toPort: 443 },
    { ...p, deps: { securityGroupId: [dataSg], sourceSecurityGroupId: [endpointSg] } },
  );

  const alb = fx.add(
    "aws:lb/loadBalancer:LoadBalancer",
    "alb",
    { internal: false, loadBalancerType: "application", subnets: [subnets.dmz.id], securityGroups: [albSg.id], tags: fx.tags("dmz", "edge") },
    { deps: { subnets: [subnets.dmz], securityGroups: [albSg] } },
  );
  const metadata = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };
  const proxyTemplate = fx.add(
    "aws:ec2/launchTemplate:LaunchTemplate",
    "proxy-lt",
    {
      imageId: "ami-0c4e1d2b3a5f60718",
      instanceType: "t3.small",
      metadataOptions: metadata,
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "true", securityGroups: [proxySg.id] }],
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: key.arn, volumeSize: 20 } }],
      userData: Buffer.from("#!/bin/bash\nsystemctl enable --now squid\n").toString("base64"),
      tags: fx.tags("dmz", "egress-proxy"),
    },
    { deps: { networkInterfaces: [proxySg], blockDeviceMappings: [key] } },
  );
  const proxyGroup = fx.add(
    "aws:autoscaling/group:Group",
    "proxy-asg",
    {
      vpcZoneIdentifiers: [subnets.dmz.id],
      launchTemplate: { id: proxyTemplate.id, version: "$Latest" },
      minSize: 1,
      maxSize: 1,
      tags: Object.entries(fx.tags("dmz", "egress-proxy")).map(([k, v]) => ({ key: k, value: v, propagateAtLaunch: true })),
    },
    { deps: { vpcZoneIdentifiers: [subnets.dmz], launchTemplate: [proxyTemplate] } },
  );
  const appInstance = fx.add(
    "aws:ec2/instance:Instance",
    "app-host",
    {
      ami: "ami-0c4e1d2b3a5f60718",
      instanceType: "t3.small",
      subnetId: subnets.app.id,
      vpcSecurityGroupIds: [appSg.id],
      metadataOptions: metadata,
      rootBlockDevice: { encrypted: true, kmsKeyId: key.arn, volumeSize: 20 },
      userData: "#!/bin/bash\necho ready\n",
      tags: fx.tags("app", "api"),
    },
    { deps: { subnetId: [subnets.app], vpcSecurityGroupIds: [appSg], rootBlockDevice: [key] } },
  );
  const dbInstance = fx.add(
    "aws:ec2/instance:Instance",
    "db-host",
    {
      ami: "ami-0c4e1d2b3a5f60718",
      instanceType: "m7i.large",
      subnetId: subnets.data.id,
      vpcSecurityGroupIds: [dataSg.id],
      metadataOptions: metadata,
      rootBlockDevice: { encrypted: true, kmsKeyId: key.arn, volumeSize: 20 },
      ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, kmsKeyId: key.arn, volumeSize: 100 }],
      userData: DB_USER_DATA,
      tags: fx.tags("data", "databases", "critical"),
    },
    { deps: { subnetId: [subnets.data], vpcSecurityGroupIds: [dataSg], rootBlockDevice: [key], ebsBlockDevices: [key] } },
  );
  fx.add(
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "vpce-ssm",
    { vpcId: vpc.id, serviceName: "com.amazonaws.eu-central-1.ssm", vpcEndpointType: "Interface", privateDnsEnabled: true, subnetIds: [subnets.app.id], securityGroupIds: [endpointSg.id], tags: fx.tags("app", "network") },
    { ...p, deps: { vpcId: [vpc], subnetIds: [subnets.app], securityGroupIds: [endpointSg] } },
  );
  fx.add("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default", { enabled: true });
  fx.add("aws:ebs/defaultKmsKey:DefaultKmsKey", "ebs-default-key", { keyArn: key.arn }, { deps: { keyArn: [key] } });

  const bucket = fx.add("aws:s3/bucket:Bucket", "logs", { bucket: "fitness-test-logs", tags: fx.tags("global", "logs") });
  const arnOf = "arn:aws:s3:::fitness-test-logs";
  fx.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-pab", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, { deps: { bucket: [bucket] } });
  const bucketPolicy = fx.add("aws:s3/bucketPolicy:BucketPolicy", "logs-policy", { bucket: bucket.id, policy: tlsOnlyBucketPolicy(arnOf) }, { deps: { bucket: [bucket] } });
  fx.add(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "logs-sse",
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
    { deps: { bucket: [bucket], rules: [key] } },
  );
  fx.add("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "logs-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { deps: { bucket: [bucket] } });

  const role = fx.add("aws:iam/role:Role", "app-role", {
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    managedPolicyArns: [],
    // A customer managed boundary, made by another stack (IAM-03).
    permissionsBoundary: "arn:aws:iam::123456789012:policy/test-iam-boundary",
    tags: fx.tags("app", "api"),
  });
  const rolePolicy = fx.add(
    "aws:iam/rolePolicy:RolePolicy",
    "app-role-policy",
    {
      role: role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${arnOf}/*` },
          { Effect: "Allow", Action: ["ssmmessages:CreateControlChannel", "ec2:DescribeInstances"], Resource: "*" },
          { Effect: "Allow", Action: ["kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } } },
        ],
      }),
    },
    { deps: { role: [role] } },
  );
  fx.add("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-role-ssm", { role: role.id, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" }, { deps: { role: [role] } });

  return {
    fx,
    network,
    key,
    vpc,
    subnets,
    igw,
    routeTables,
    groups: { alb: albSg, app: appSg, data: dataSg, proxy: proxySg, endpoints: endpointSg },
    alb,
    proxyTemplate,
    proxyGroup,
    appInstance,
    dbInstance,
    bucket,
    bucketPolicy,
    role,
    rolePolicy,
  };
}

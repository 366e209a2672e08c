import { parseYamlStream } from "../../config/yaml-reader";
import { hexFrom } from "./deterministic";
import { renderPolicyDocument } from "./policy-document";

/** What an invoke mock knows: the region and account of the provider it is called through. */
export interface InvokeContext {
  readonly region: string;
  readonly account: string;
  /** Reports an invoke the engine cannot answer faithfully (shown in synth's warnings). */
  warn(message: string): void;
}

type Inputs = Record<string, unknown>;
type Result = Record<string, unknown>;

/** Account ids of the regional Elastic Load Balancing service (for access-log bucket policies). */
const ELB_ACCOUNTS: Record<string, string> = {
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "us-east-1": "127311923021",
};

/** A short zone id per region (`euc1-az1`), as getAvailabilityZones reports. */
function zoneIdPrefix(region: string): string {
  const [geo = "", area = "", n = ""] = region.split("-");
  return `${geo}${area.slice(0, 1)}${n}`;
}

const INVOKES: Record<string, (inputs: Inputs, ctx: InvokeContext) => Result> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_i, ctx) => ({
    accountId: ctx.account,
    arn: `arn:aws:sts::${ctx.account}:assumed-role/offline-engine/offline`,
    userId: `AROA${hexFrom(17, ctx.account).toUpperCase()}:offline`,
    id: ctx.account,
  }),
  "aws:index/getRegion:getRegion": (_i, ctx) => ({
    name: ctx.region,
    region: ctx.region,
    id: ctx.region,
    endpoint: `ec2.${ctx.region}.amazonaws.com`,
    description: ctx.region,
  }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" }),
  "aws:index/getAvailabilityZones:getAvailabilityZones": (_i, ctx) => ({
    id: ctx.region,
    names: ["a", "b", "c"].map((z) => `${ctx.region}${z}`),
    zoneIds: [1, 2, 3].map((n) => `${zoneIdPrefix(ctx.region)}-az${n}`),
    groupNames: [ctx.region],
    state: "available",
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => ({ ...renderPolicyDocument(inputs), id: hexFrom(10, JSON.stringify(inputs)) }),
  "aws:elb/getServiceAccount:getServiceAccount": (_i, ctx) => {
    const account = ELB_ACCOUNTS[ctx.region] ?? "127311923021";
    return { id: account, arn: `arn:aws:iam::${account}:root` };
  },
  "aws:ec2/getAmi:getAmi": (inputs, ctx) => {
    const id = `ami-${hexFrom(17, ctx.region, JSON.stringify(inputs))}`;
    return { id, imageId: id, architecture: "x86_64", rootDeviceName: "/dev/xvda", name: "offline-image", ownerId: ctx.account };
  },
  "aws:ec2/getPrefixList:getPrefixList": (inputs, ctx) => ({
    id: `pl-${hexFrom(8, ctx.region, JSON.stringify(inputs))}`,
    name: typeof inputs.name === "string" ? inputs.name : `com.amazonaws.${ctx.region}.s3`,
    cidrBlocks: ["52.219.168.0/24"],
  }),
  "aws:ssm/getParameter:getParameter": (inputs, ctx) => {
    const name = String(inputs.name);
    return { id: name, name, arn: `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/${name.replace(/^\//, "")}`, type: "String", value: `offline-${hexFrom(12, name)}`, version: 1 };
  },
  "aws:route53/getZone:getZone": (inputs) => {
    const zoneId = typeof inputs.zoneId === "string" ? inputs.zoneId : `Z${hexFrom(20, String(inputs.name)).toUpperCase()}`;
    return { id: zoneId, zoneId, name: typeof inputs.name === "string" ? inputs.name : "example.com", arn: `arn:aws:route53:::hostedzone/${zoneId}` };
  },
  "aws:eks/getClusterAuth:getClusterAuth": (inputs) => ({ id: String(inputs.name), name: inputs.name, token: `k8s-aws-v1.offline-${hexFrom(32, String(inputs.name))}` }),
  "kubernetes:yaml:decode": (inputs) => ({ result: parseYamlStream(String(inputs.text ?? ""), "kubernetes:yaml:decode text").filter((d) => d !== null && d !== undefined) }),
};

/** The result of a provider function; unknown functions answer empty, with a warning. */
export function mockInvoke(token: string, inputs: Inputs, ctx: InvokeContext): Result {
  const mock = INVOKES[token];
  if (mock !== undefined) return mock(inputs, ctx);
  ctx.warn(`provider function ${token} has no offline mock; it returned no values (add one in src/offline/engine/invokes.ts)`);
  return {};
}

import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SecretLeakError } from "../../src/offline/engine/leak-guard";
import { synthesize, type SynthResult } from "../../src/offline/engine/synthesize";
import { graphOf } from "../../src/offline/snapshot/graph";
import { parseSnapshot } from "../../src/offline/snapshot/reader";
import { isSecretValue } from "../../src/offline/snapshot/secrets";
import type { ResourceState } from "../../src/offline/snapshot/types";
import { parseProviderReference, parseUrn, ROOT_STACK_TYPE } from "../../src/offline/snapshot/urn";
import { serializeSnapshot } from "../../src/offline/snapshot/writer";

/**
 * The offline engine on a small program with the composition root's contract (test/fixtures/mini):
 * a component with a nested component, an explicit provider, secrets of every kind, invokes.
 */
const FIXTURE = path.resolve(__dirname, "..", "fixtures", "mini");
const URN = "urn:pulumi:test::mini::";

let first: SynthResult;
let firstText: string;
let secondText: string;
let secretsSeen: string[];

function fixtureSecrets(): string[] {
  return [...((globalThis as { FIXTURE_SECRETS?: string[] }).FIXTURE_SECRETS ?? [])];
}

beforeAll(async () => {
  first = await synthesize({ stack: "test", projectRoot: FIXTURE });
  firstText = serializeSnapshot(first.snapshot);
  secretsSeen = fixtureSecrets();
  const second = await synthesize({ stack: "test", projectRoot: FIXTURE });
  secondText = serializeSnapshot(second.snapshot);
});

function resource(urn: string): ResourceState {
  const found = first.snapshot.deployment.resources.find((r) => r.urn === urn);
  if (found === undefined) throw new Error(`no resource ${urn}`);
  return found;
}

describe("offline engine: URNs", () => {
  it("builds the full parent type chain, as the engine does", () => {
    const sg = resource(`${URN}fixture:app:App$fixture:app:Tier$aws:ec2/securityGroup:SecurityGroup::shop-web-sg`);
    expect(sg.parent).toBe(`${URN}fixture:app:App$fixture:app:Tier::shop-web`);
    expect(resource(`${URN}fixture:app:App$fixture:app:Tier::shop-web`).parent).toBe(`${URN}fixture:app:App::shop`);
  });

  it("leaves the root stack out of its children's types", () => {
    const app = resource(`${URN}fixture:app:App::shop`);
    expect(app.parent).toBe(`${URN}pulumi:pulumi:Stack::mini-test`);
    for (const r of first.snapshot.deployment.resources) expect(r.urn).not.toContain("pulumi:pulumi:Stack$");
  });

  it("gives every resource the URN of its parent's chain plus its own type", () => {
    const graph = graphOf(first.snapshot);
    const checked = first.snapshot.deployment.resources.filter((r) => r.parent !== undefined);
    expect(checked.length).toBeGreaterThan(10);
    for (const r of checked) {
      const parent = graph.byUrn.get(r.parent as string) as ResourceState;
      const expected = parent.type === ROOT_STACK_TYPE ? r.type : `${parseUrn(parent.urn).qualifiedType}$${r.type}`;
      expect(parseUrn(r.urn).qualifiedType, r.urn).toBe(expected);
    }
  });

  it("has no duplicate URNs and lists every resource after what it refers to", () => {
    const seen = new Set<string>();
    for (const r of first.snapshot.deployment.resources) {
      const refs = [r.parent, ...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat()];
      if (r.provider !== undefined) refs.push(parseProviderReference(r.provider).urn);
      for (const ref of refs) if (ref !== undefined) expect(seen.has(ref), `${r.urn} refers to ${ref} before it`).toBe(true);
      expect(seen.has(r.urn)).toBe(false);
      seen.add(r.urn);
    }
  });
});

describe("offline engine: what is captured", () => {
  it("records property dependencies per input and their union as dependencies", () => {
    const vpc = `${URN}fixture:app:App$aws:ec2/vpc:Vpc::shop-vpc`;
    const subnet = resource(`${URN}fixture:app:App$aws:ec2/subnet:Subnet::shop-subnet`);
    expect(subnet.propertyDependencies?.vpcId).toEqual([vpc]);
    expect(subnet.propertyDependencies?.cidrBlock).toEqual([vpc]);
    expect(subnet.propertyDependencies?.tags).toEqual([]);
    const version = resource(`${URN}fixture:app:App$aws:secretsmanager/secretVersion:SecretVersion::shop-db`);
    expect(version.propertyDependencies?.secretString).toEqual([`${URN}fixture:app:App$random:index/randomPassword:RandomPassword::shop-db-password`]);
    for (const r of first.snapshot.deployment.resources) {
      const union = new Set(Object.values(r.propertyDependencies ?? {}).flat());
      for (const urn of union) expect(r.dependencies ?? []).toContain(urn);
    }
  });

  it("records protect and retainOnDelete, and only where the program set them", () => {
    const secret = resource(`${URN}fixture:app:App$aws:secretsmanager/secret:Secret::shop-db`);
    expect(secret.protect).toBe(true);
    expect(secret.retainOnDelete).toBe(true);
    const flagged = first.snapshot.deployment.resources.filter((r) => r.protect === true || r.retainOnDelete === true);
    expect(flagged.map((r) => r.urn)).toEqual([secret.urn]);
  });

  it("creates the default providers the engine would, and honours explicit ones", () => {
    const aws = resource(`${URN}pulumi:providers:aws::default_7_48_0`);
    expect(aws.parent).toBeUndefined();
    expect(aws.inputs).toMatchObject({ region: "eu-central-1", version: "7.48.0" });
    const vpc = resource(`${URN}fixture:app:App$aws:ec2/vpc:Vpc::shop-vpc`);
    expect(vpc.provider).toBe(`${aws.urn}::${aws.id}`);

    const replica = resource(`${URN}fixture:app:App$pulumi:providers:aws::shop-replica`);
    const bucket = resource(`${URN}fixture:app:App$aws:s3/bucket:Bucket::shop-logs`);
    expect(bucket.provider).toBe(`${replica.urn}::${replica.id}`);
    expect(bucket.outputs?.bucketRegionalDomainName).toBe(`${bucket.id}.s3.eu-west-1.amazonaws.com`);
  });

  it("gives plausible ids and ARNs in the stack's account and region", () => {
    const vpc = resource(`${URN}fixture:app:App$aws:ec2/vpc:Vpc::shop-vpc`);
    expect(vpc.id).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(vpc.outputs?.arn).toBe(`arn:aws:ec2:eu-central-1:111111111111:vpc/${vpc.id}`);
    const secret = resource(`${URN}fixture:app:App$aws:secretsmanager/secret:Secret::shop-db`);
    expect(secret.id).toMatch(/^arn:aws:secretsmanager:eu-central-1:111111111111:secret:shop-db-[0-9a-f]{7}-\w{6}$/);
    const stack = resource(`${URN}pulumi:pulumi:Stack::mini-test`);
    expect(stack.outputs?.accountId).toBe("111111111111");
    expect(stack.outputs?.vpcId).toBe(vpc.id);
  });

  it("renders IAM policy documents as AWS does", () => {
    const policy = resource(`${URN}fixture:app:App$aws:s3/bucketPolicy:BucketPolicy::shop-logs`);
    const bucket = resource(`${URN}fixture:app:App$aws:s3/bucket:Bucket::shop-logs`);
    const doc = JSON.parse(String(policy.inputs?.policy)) as { Statement: Array<Record<string, unknown>> };
    expect(doc.Statement[0]).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Action: "s3:*",
      Resource: [bucket.outputs?.arn, `${String(bucket.outputs?.arn)}/*`],
      Principal: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});

describe("offline engine: secrets", () => {
  it("never writes a secret's value, wherever it flowed", () => {
    // A literal pulumi.secret, secret config (plain and nested in an object), a random password.
    expect(secretsSeen.length).toBe(4);
    for (const value of secretsSeen) {
      expect(value.length).toBeGreaterThanOrEqual(12);
      expect(firstText).not.toContain(value);
    }
  });

  it("writes secrets as Pulumi secret objects with a placeholder ciphertext", () => {
    const sealed: unknown[] = [
      resource(`${URN}fixture:app:App$aws:secretsmanager/secretVersion:SecretVersion::shop-db`).inputs?.secretString,
      resource(`${URN}fixture:app:App$aws:secretsmanager/secretVersion:SecretVersion::shop-db`).outputs?.secretString,
      resource(`${URN}fixture:app:App$random:index/randomPassword:RandomPassword::shop-db-password`).outputs?.result,
      resource(`${URN}fixture:app:App$aws:ssm/parameter:Parameter::shop-token`).inputs?.value,
      resource(`${URN}fixture:app:App$aws:ssm/parameter:Parameter::shop-admin`).inputs?.value,
      resource(`${URN}fixture:app:App::shop`).outputs?.dbPassword,
      resource(`${URN}pulumi:pulumi:Stack::mini-test`).outputs?.dbPassword,
    ];
    for (const value of sealed) {
      expect(isSecretValue(value)).toBe(true);
      expect(Object.keys(value as object).sort()).toEqual(["4dabf18193072939515e22adb298388d", "ciphertext"]);
    }
    // The placeholder depends on where the secret sits, not on its value.
    const ciphertexts = sealed.map((v) => (v as { ciphertext: string }).ciphertext);
    expect(new Set(ciphertexts).size).toBe(ciphertexts.length);
  });

  it("refuses to write a snapshot into which the program leaked a secret", async () => {
    await expect(synthesize({ stack: "leak", projectRoot: FIXTURE })).rejects.toThrow(SecretLeakError);
    await expect(synthesize({ stack: "leak", projectRoot: FIXTURE })).rejects.toThrow(/Vpc::leaky\.inputs\.tags\.note/);
  });
});

describe("offline engine: determinism and format", () => {
  it("gives byte-identical snapshots for repeated runs", () => {
    expect(secondText).toBe(firstText);
    expect(first.snapshot.deployment.manifest.time).toBe("1970-01-01T00:00:00Z");
  });

  it("writes what the snapshot reader accepts, and reads back to the same bytes", () => {
    const read = parseSnapshot(firstText, "stack.json");
    expect(serializeSnapshot(read)).toBe(firstText);
    expect(read.version).toBe(3);
  });

  it("reports no warnings for a program whose functions are all mocked", () => {
    expect(first.warnings).toEqual([]);
  });
});

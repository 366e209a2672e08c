/**
 * Replays recorded AWS answers through aws-sdk-client-mock: every client class preflight uses is
 * mocked (no request leaves the process), each recorded call answers the command it names (matched on
 * the recorded input, partially), and recorded errors are thrown as the SDK throws them (name,
 * HTTP status in $metadata). Entries without input are the default answer for that command.
 */
import { gzipSync } from "node:zlib";
import { ACMClient, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { DescribeAvailabilityZonesCommand, DescribeImagesCommand as Ec2DescribeImagesCommand, DescribeInstanceTypesCommand, DescribeVpcEndpointServicesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeImagesCommand as EcrDescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { DescribeAddonVersionsCommand, DescribeClusterVersionsCommand, EKSClient } from "@aws-sdk/client-eks";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetHostedZoneCommand, Route53Client } from "@aws-sdk/client-route-53";
import { GetObjectCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ListServiceQuotasCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import type { CaaAnswer, DnsLookup } from "../../../src/preflight/dns-lookup";

export interface RecordedError {
  readonly name: string;
  readonly message?: string;
  readonly status?: number;
}

export interface RecordedCall {
  readonly client: string;
  readonly command: string;
  readonly input?: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly error?: RecordedError;
}

export interface Recording {
  readonly calls: readonly RecordedCall[];
  readonly dns?: { readonly ns?: Readonly<Record<string, string[]>>; readonly caa?: Readonly<Record<string, CaaAnswer[]>> };
}

type CommandClass = abstract new (input: never) => object;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- only passed on to mockClient
type ClientClass = Function;

const CLIENTS: Record<string, { client: ClientClass; commands: Record<string, CommandClass> }> = {
  STSClient: { client: STSClient, commands: { GetCallerIdentityCommand } },
  EC2Client: { client: EC2Client, commands: { DescribeAvailabilityZonesCommand, DescribeImagesCommand: Ec2DescribeImagesCommand, DescribeInstanceTypesCommand, DescribeVpcEndpointServicesCommand } },
  Route53Client: { client: Route53Client, commands: { GetHostedZoneCommand } },
  ACMClient: { client: ACMClient, commands: { DescribeCertificateCommand } },
  ECRClient: { client: ECRClient, commands: { DescribeImagesCommand: EcrDescribeImagesCommand } },
  S3Client: { client: S3Client, commands: { HeadBucketCommand, GetObjectCommand } },
  IAMClient: { client: IAMClient, commands: { GetRoleCommand } },
  ServiceQuotasClient: { client: ServiceQuotasClient, commands: { GetServiceQuotaCommand, GetAWSDefaultServiceQuotaCommand, ListServiceQuotasCommand } },
  EKSClient: { client: EKSClient, commands: { DescribeClusterVersionsCommand, DescribeAddonVersionsCommand } },
  SESv2Client: { client: SESv2Client, commands: { GetAccountCommand, GetEmailIdentityCommand } },
};

/** The error the SDK would throw: a ServiceException-shaped Error. */
export function awsError(e: RecordedError): Error {
  return Object.assign(new Error(e.message ?? e.name), { name: e.name, $fault: "client", $metadata: { httpStatusCode: e.status ?? 400 } });
}

/** S3 bodies are recorded as text (`{ text, gzip }`) and replayed as the SDK's stream mixin offers them. */
function output(call: RecordedCall): Record<string, unknown> {
  const out: Record<string, unknown> = { $metadata: { httpStatusCode: 200 }, ...(call.output ?? {}) };
  const body = out.Body as { text?: string; gzip?: boolean } | undefined;
  if (body !== undefined && typeof body.text === "string") {
    const bytes = body.gzip === true ? gzipSync(Buffer.from(body.text)) : Buffer.from(body.text);
    out.Body = { transformToByteArray: () => Promise.resolve(new Uint8Array(bytes)) };
  }
  return out;
}

export interface SentCommand {
  readonly client: string;
  readonly command: string;
  readonly input: unknown;
}

export interface Replay {
  /** Every command sent to any mocked client, in order per client. */
  sent(): SentCommand[];
  restore(): void;
}

export function replay(recording: Recording): Replay {
  const stubs = Object.entries(CLIENTS).map(([name, { client }]) => ({ name, stub: mockClient(client as never) }));
  const byName = new Map(stubs.map((s) => [s.name, s.stub]));
  // Defaults first, so recorded inputs win over them.
  const ordered = [...recording.calls].sort((a, b) => Number(a.input !== undefined) - Number(b.input !== undefined));
  for (const call of ordered) {
    const entry = CLIENTS[call.client];
    const command = entry?.commands[call.command];
    if (entry === undefined || command === undefined) throw new Error(`recording names ${call.client}:${call.command}, which the replay does not know`);
    const stub = byName.get(call.client) as unknown as { on(c: unknown, i?: unknown): { resolves(o: unknown): void; rejects(e: Error): void } };
    const behaviour = stub.on(command, call.input);
    if (call.error !== undefined) behaviour.rejects(awsError(call.error));
    else behaviour.resolves(output(call));
  }
  return {
    sent: () =>
      stubs.flatMap(({ name, stub }) =>
        (stub as unknown as { calls(): Array<{ args: [{ constructor: { name: string }; input: unknown }] }> }).calls().map((c) => ({ client: name, command: c.args[0].constructor.name, input: c.args[0].input })),
      ),
    restore: () => stubs.forEach(({ stub }) => (stub as unknown as { restore(): void }).restore()),
  };
}

/** Recorded public DNS answers; names not recorded have no records. */
export function recordedDns(recording: Recording): DnsLookup {
  const norm = (n: string) => n.toLowerCase().replace(/\.$/, "");
  return {
    nameServers: (name) => Promise.resolve(recording.dns?.ns?.[norm(name)] ?? []),
    caa: (name) => Promise.resolve(recording.dns?.caa?.[norm(name)] ?? []),
  };
}

/**
 * Every bucket name the stack creates is free, or already ours (S3 names are global). HeadBucket with
 * ExpectedBucketOwner = this account answers 200 when the bucket is ours, 403 when it exists but
 * belongs to another account (or we may not list it), 404 when nobody has it (S3 API reference,
 * HeadBucket; "Verifying bucket ownership with bucket owner condition").
 */
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { ask } from "../ask";
import { httpStatus } from "../aws-errors";
import type { Check, Finding } from "../types";

export interface BucketAnswer {
  readonly status: number;
  /** `x-amz-bucket-region`, when S3 said. */
  readonly region?: string;
}

export interface BucketEvidence {
  readonly answers: Readonly<Record<string, BucketAnswer>>;
}

const NAME = "buckets";

export const bucketCheck: Check<BucketEvidence> = {
  name: NAME,
  async collect(facts, { clients, accountId }) {
    const answers: Record<string, BucketAnswer> = {};
    for (const bucket of facts.buckets) {
      const command = new HeadBucketCommand({ Bucket: bucket.name, ExpectedBucketOwner: accountId });
      try {
        const out = await ask(clients.s3, command, () => clients.s3.send(command));
        answers[bucket.name] = { status: 200, ...(out.BucketRegion === undefined ? {} : { region: out.BucketRegion }) };
      } catch (err) {
        const status = httpStatus(err);
        // HEAD answers carry no error body: the status is the whole answer.
        if (status === undefined || ![301, 403, 404].includes(status)) throw err;
        answers[bucket.name] = { status };
      }
    }
    return { answers };
  },
  evaluate(facts, evidence, { accountId }) {
    const findings: Finding[] = [];
    for (const bucket of facts.buckets) {
      const answer = evidence.answers[bucket.name];
      if (answer === undefined || answer.status === 404) continue;
      if (answer.status === 403) {
        findings.push({ check: NAME, severity: "error", problem: `bucket name ${bucket.name} is taken by another account (HeadBucket with owner ${accountId}: 403)`, action: "give the bucket a name of its own (the account id in the name makes it unique)" });
      } else if (answer.status === 301 || (answer.region !== undefined && answer.region !== bucket.region)) {
        findings.push({ check: NAME, severity: "error", problem: `bucket ${bucket.name} exists in ${answer.region ?? "another region"}, but the stack creates it in ${bucket.region}`, action: `delete or rename the existing bucket, or change the name` });
      }
    }
    return findings;
  },
};

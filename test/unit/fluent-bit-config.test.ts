import { describe, expect, it } from "vitest";
import { LOG_PREFIXES } from "../../src/logs/archive-plan";
import {
  DEFAULT_S3_BUFFER,
  FLUENT_BIT_PATHS,
  fluentBitConfText,
  MIN_UPLOAD_CHUNK_BYTES,
  renderFluentBitConfig,
  s3BufferProblems,
} from "../../src/logs/fluent-bit-config";
import { fluentBitPermissions } from "../../src/logs/fluent-bit-identity";
import { ecrMirrorRepository, fluentBitChartValues } from "../../src/logs/fluent-bit-values";
import { planLoggingNamespace } from "../../src/logs/logging-namespace";

const BUCKET = "fitness-platform-prod-logs-app";
const REGION = "eu-central-1";

/** The rendered file as Fluent Bit reads it: sections in order, keys case-insensitive, last value wins. */
function parseConf(text: string): { name: string; entries: Map<string, string> }[] {
  const sections: { name: string; entries: Map<string, string> }[] = [];
  for (const line of text.split("\n")) {
    const header = /^\[(\w+)\]$/.exec(line.trim());
    if (header) {
      sections.push({ name: header[1] as string, entries: new Map() });
      continue;
    }
    const entry = /^\s+(\S+)\s+(.+)$/.exec(line);
    if (entry && sections.length > 0) sections[sections.length - 1]?.entries.set((entry[1] as string).toLowerCase(), (entry[2] as string).trim());
  }
  return sections;
}

/** flb_utils_size_to_bytes: decimal multipliers (K = 1000), as the plugin's own log output shows. */
function sizeToBytes(value: string): number {
  const match = /^(\d+)\s*([KMG])?B?$/i.exec(value);
  if (!match) throw new Error(`not a Fluent Bit size: ${value}`);
  const factor = { K: 1e3, M: 1e6, G: 1e9 }[(match[2] ?? "").toUpperCase() as "K" | "M" | "G"] ?? 1;
  return Number(match[1]) * factor;
}

function s3Output(text: string): Map<string, string> {
  const outputs = parseConf(text).filter((s) => s.name === "OUTPUT" && s.entries.get("name") === "s3");
  expect(outputs).toHaveLength(1);
  return outputs[0]!.entries;
}

describe("Fluent Bit configuration", () => {
  const config = renderFluentBitConfig({ region: REGION, bucket: BUCKET });
  const text = fluentBitConfText(config);
  const out = s3Output(text);

  it("ships to the application log bucket in the stack's region through the regional endpoints", () => {
    expect(out.get("bucket")).toBe(BUCKET);
    expect(out.get("region")).toBe(REGION);
    expect(out.get("endpoint")).toBe(`https://s3.${REGION}.amazonaws.com`);
    expect(out.get("sts_endpoint")).toBe(`https://sts.${REGION}.amazonaws.com`);
    expect(out.get("match")).toBe("kube.*");
  });

  it("starts: upload_chunk_size no larger than total_file_size, both within the plugin's limits", () => {
    const total = sizeToBytes(out.get("total_file_size")!);
    const chunk = sizeToBytes(out.get("upload_chunk_size")!);
    expect(chunk).toBeLessThanOrEqual(total);
    expect(total).toBeGreaterThanOrEqual(1_000_000);
    expect(chunk).toBeGreaterThanOrEqual(MIN_UPLOAD_CHUNK_BYTES);
    // PutObject mode caps the file at 50,000,000 bytes on every 3.x release.
    expect(out.get("use_put_object")).toBe("On");
    expect(total).toBeLessThanOrEqual(50_000_000);
    expect(chunk === MIN_UPLOAD_CHUNK_BYTES || chunk * 2 <= total).toBe(true);
    expect(s3BufferProblems({ ...DEFAULT_S3_BUFFER, totalFileSizeBytes: total, uploadChunkSizeBytes: chunk })).toEqual([]);
  });

  it("compresses, and writes time-partitioned keys under containers/ that Fluent Bit's own grant covers", () => {
    expect(out.get("compression")).toBe("gzip");
    const key = out.get("s3_key_format")!;
    expect(key.startsWith(`/${LOG_PREFIXES.containers}`)).toBe(true);
    for (const part of ["year=%Y", "month=%m", "day=%d", "hour=%H", "$UUID"]) expect(key).toContain(part);
    const grant = fluentBitPermissions({ bucketArn: `arn:aws:s3:::${BUCKET}`, keyArn: "arn:aws:kms:eu-central-1:1:key/k", region: REGION }).Statement[0];
    const objectKey = key.slice(1).replace(/%[YmdHMS]/g, "01").replace("$TAG[4]", "pod_ns_c-0").replace("$UUID", "u");
    expect(`arn:aws:s3:::${BUCKET}/${objectKey}`.startsWith(String(grant?.Resource).replace(/\*$/, ""))).toBe(true);
  });

  it("buffers on the node's state directory, bounded, and tails every container log with multiline parsing", () => {
    expect(out.get("store_dir")?.startsWith(`${FLUENT_BIT_PATHS.state}/`)).toBe(true);
    expect(sizeToBytes(out.get("store_dir_limit_size")!)).toBe(DEFAULT_S3_BUFFER.storeDirLimitBytes);
    const input = parseConf(text).find((s) => s.name === "INPUT")!.entries;
    expect(input.get("name")).toBe("tail");
    expect(input.get("path")).toBe("/var/log/containers/*.log");
    expect(input.get("multiline.parser")).toBe("docker, cri");
    expect(input.get("db")?.startsWith(`${FLUENT_BIT_PATHS.state}/`)).toBe(true);
    const filter = parseConf(text).find((s) => s.name === "FILTER")!.entries;
    expect(filter.get("name")).toBe("kubernetes");
    const service = parseConf(text).find((s) => s.name === "SERVICE")!.entries;
    expect(service.get("storage.path")?.startsWith(`${FLUENT_BIT_PATHS.state}/`)).toBe(true);
    expect(service.get("health_check")).toBe("On");
  });

  it("is deterministic", () => {
    expect(fluentBitConfText(renderFluentBitConfig({ region: REGION, bucket: BUCKET }))).toBe(text);
  });

  it("refuses buffer settings the plugin would not start with", () => {
    const multipart = { ...DEFAULT_S3_BUFFER, usePutObject: false };
    expect(() => renderFluentBitConfig({ region: REGION, bucket: BUCKET, buffer: { ...multipart, totalFileSizeBytes: 20_000_000, uploadChunkSizeBytes: 30_000_000 } })).toThrow(
      /Fluent Bit s3 output would not start: upload_chunk_size 30000000 is larger than total_file_size 20000000/,
    );
    // "5M" is 5,000,000 bytes to Fluent Bit: below S3's 5 MiB part minimum.
    expect(s3BufferProblems({ ...multipart, totalFileSizeBytes: 100_000_000, uploadChunkSizeBytes: 5_000_000 })).toEqual([
      "upload_chunk_size 5000000 is below the S3 part minimum 5242880",
    ]);
    expect(s3BufferProblems({ ...multipart, totalFileSizeBytes: 100_000_000, uploadChunkSizeBytes: 60_000_000 })).toEqual([
      "upload_chunk_size 60000000 is above the plugin maximum 50000000",
      "total_file_size 100000000 is less than 2x upload_chunk_size 60000000",
    ]);
    expect(s3BufferProblems({ ...DEFAULT_S3_BUFFER, totalFileSizeBytes: 100_000_000 })).toEqual([
      "total_file_size 100000000 is above 50000000, the maximum with use_put_object",
    ]);
    expect(s3BufferProblems({ ...DEFAULT_S3_BUFFER, totalFileSizeBytes: 500_000 })).toEqual(["total_file_size 500000 is below the plugin minimum 1000000"]);
    expect(s3BufferProblems({ ...multipart, totalFileSizeBytes: 100_000_000, uploadChunkSizeBytes: 10_000_000 })).toEqual([]);
  });

  it("refuses a bucket or region that is not one", () => {
    expect(() => renderFluentBitConfig({ region: "Frankfurt", bucket: BUCKET })).toThrow(/region "Frankfurt"/);
    expect(() => renderFluentBitConfig({ region: REGION, bucket: "Bad_Bucket" })).toThrow(/bucket "Bad_Bucket"/);
  });
});

describe("Fluent Bit chart values", () => {
  const image = {
    repository: ecrMirrorRepository({ accountId: "222222222222", region: REGION, project: "fitness-platform", name: "fluent-bit" }),
    tag: "3.2.10",
    digest: `sha256:${"b".repeat(64)}`,
  };
  const config = renderFluentBitConfig({ region: REGION, bucket: BUCKET });
  const values = fluentBitChartValues({ image, config }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- chart values are free-form

  it("pulls the pinned image from this account's ECR mirror and nothing from Docker Hub", () => {
    expect(values.image.repository).toBe("222222222222.dkr.ecr.eu-central-1.amazonaws.com/fitness-platform/mirror/fluent-bit");
    expect(values.image.tag).toBe(`3.2.10@sha256:${"b".repeat(64)}`);
    expect(values.testFramework).toEqual({ enabled: false });
    expect(values.kind).toBe("DaemonSet");
  });

  it("hands the rendered configuration to the chart unchanged", () => {
    expect(values.config).toMatchObject({ service: config.service, inputs: config.inputs, filters: config.filters, outputs: config.outputs });
  });

  it("reads node logs read-only, keeps state on the node, and drops every capability", () => {
    expect(values.daemonSetVolumeMounts).toContainEqual({ name: "varlog", mountPath: "/var/log", readOnly: true });
    expect(values.daemonSetVolumes).toContainEqual({ name: "state", hostPath: { path: FLUENT_BIT_PATHS.state, type: "DirectoryOrCreate" } });
    expect(values.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } });
    expect(values.hostNetwork).toBe(false);
    expect(values.resources.limits).toBeDefined();
  });
});

describe("logging namespace", () => {
  const ns = planLoggingNamespace();
  it("enforces privileged (hostPath) but warns and audits against restricted", () => {
    expect(ns.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(ns.labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
    expect(ns.labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
  });
  it("denies all traffic by default and lets Fluent Bit out only to DNS, the Pod Identity agent and HTTPS", () => {
    expect(ns.networkPolicies[0]).toEqual({ name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
    const spec = ns.networkPolicies[1]?.spec as { egress?: { ports: { port: number }[] }[]; ingress?: unknown };
    expect((spec.egress ?? []).flatMap((e) => e.ports.map((p) => p.port))).toEqual([53, 53, 80, 443]);
    expect(spec.ingress).toBeUndefined();
  });
});

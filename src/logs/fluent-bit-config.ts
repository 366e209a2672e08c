/**
 * Fluent Bit configuration for container logs (pure). Tails every container log on the node,
 * joins multi-line records (docker/cri), adds Kubernetes metadata and ships gzip files into the
 * application log bucket under `containers/`, partitioned by time for Athena.
 *
 * The S3 buffer settings are checked against the s3 output plugin's own start-up checks
 * (plugins/out_s3/s3.c), because a violation does not show up until the DaemonSet crash-loops.
 */
import { LOG_PREFIXES } from "./archive-plan";

/** Fluent Bit parses sizes with decimal multipliers: "5M" is 5,000,000 bytes, not 5 MiB. */
export const MB = 1_000_000;
/** S3's minimum part size, and the plugin's default upload_chunk_size. */
export const MIN_UPLOAD_CHUNK_BYTES = 5_242_880;
export const MAX_UPLOAD_CHUNK_BYTES = 50 * MB;
export const MIN_TOTAL_FILE_BYTES = 1 * MB;
export const MAX_TOTAL_FILE_BYTES = 50_000 * MB;
/** With use_put_object the whole file is one PUT; 50M is the cap on every 3.x release. */
export const MAX_PUT_OBJECT_FILE_BYTES = 50 * MB;

export interface S3BufferSettings {
  readonly totalFileSizeBytes: number;
  readonly uploadChunkSizeBytes: number;
  /**
   * PutObject instead of multipart: an SSE-KMS multipart upload needs kms:Decrypt as well, so
   * PutObject keeps Fluent Bit's key grant to GenerateDataKey/Encrypt.
   */
  readonly usePutObject: boolean;
  readonly uploadTimeoutMinutes: number;
  /** Local buffer cap on the node, so an S3 outage cannot fill the node's disk. */
  readonly storeDirLimitBytes: number;
}

export const DEFAULT_S3_BUFFER: S3BufferSettings = {
  totalFileSizeBytes: 50 * MB,
  uploadChunkSizeBytes: MIN_UPLOAD_CHUNK_BYTES,
  usePutObject: true,
  uploadTimeoutMinutes: 10,
  storeDirLimitBytes: 512 * MB,
};

/** The plugin's start-up checks, in its order; an empty list means Fluent Bit starts. */
export function s3BufferProblems(b: S3BufferSettings): string[] {
  const problems: string[] = [];
  const whole = (n: number) => Number.isInteger(n) && n > 0;
  if (!whole(b.totalFileSizeBytes)) return [`total_file_size must be a positive whole number of bytes (got ${b.totalFileSizeBytes})`];
  if (!whole(b.uploadChunkSizeBytes)) return [`upload_chunk_size must be a positive whole number of bytes (got ${b.uploadChunkSizeBytes})`];
  if (b.totalFileSizeBytes < MIN_TOTAL_FILE_BYTES) problems.push(`total_file_size ${b.totalFileSizeBytes} is below the plugin minimum ${MIN_TOTAL_FILE_BYTES}`);
  if (b.totalFileSizeBytes > MAX_TOTAL_FILE_BYTES) problems.push(`total_file_size ${b.totalFileSizeBytes} is above the plugin maximum ${MAX_TOTAL_FILE_BYTES}`);
  // Below 10 MB the plugin switches to PutObject on its own; model that so the checks match.
  const putObject = b.usePutObject || b.totalFileSizeBytes < 2 * MIN_UPLOAD_CHUNK_BYTES;
  if (!b.usePutObject) {
    if (b.uploadChunkSizeBytes > b.totalFileSizeBytes) problems.push(`upload_chunk_size ${b.uploadChunkSizeBytes} is larger than total_file_size ${b.totalFileSizeBytes}`);
    if (b.uploadChunkSizeBytes < MIN_UPLOAD_CHUNK_BYTES) problems.push(`upload_chunk_size ${b.uploadChunkSizeBytes} is below the S3 part minimum ${MIN_UPLOAD_CHUNK_BYTES}`);
    if (b.uploadChunkSizeBytes > MAX_UPLOAD_CHUNK_BYTES) problems.push(`upload_chunk_size ${b.uploadChunkSizeBytes} is above the plugin maximum ${MAX_UPLOAD_CHUNK_BYTES}`);
  }
  if (b.uploadChunkSizeBytes !== MIN_UPLOAD_CHUNK_BYTES && b.uploadChunkSizeBytes * 2 > b.totalFileSizeBytes) {
    problems.push(`total_file_size ${b.totalFileSizeBytes} is less than 2x upload_chunk_size ${b.uploadChunkSizeBytes}`);
  }
  if (putObject && b.totalFileSizeBytes > MAX_PUT_OBJECT_FILE_BYTES) {
    problems.push(`total_file_size ${b.totalFileSizeBytes} is above ${MAX_PUT_OBJECT_FILE_BYTES}, the maximum with use_put_object`);
  }
  if (!(Number.isInteger(b.uploadTimeoutMinutes) && b.uploadTimeoutMinutes >= 1)) problems.push(`upload_timeout must be at least 1 minute (got ${b.uploadTimeoutMinutes})`);
  if (!whole(b.storeDirLimitBytes)) problems.push(`store_dir_limit_size must be a positive whole number of bytes (got ${b.storeDirLimitBytes})`);
  return problems;
}

/** Node paths (hostPath) Fluent Bit reads from and buffers in. */
export const FLUENT_BIT_PATHS = {
  containerLogs: "/var/log/containers",
  podLogs: "/var/log/pods",
  /** Tail positions, chunk storage and the S3 buffer survive pod restarts here. */
  state: "/var/fluent-bit/state",
} as const;

export const FLUENT_BIT_HTTP_PORT = 2020;

export interface FluentBitConfigInput {
  readonly region: string;
  readonly bucket: string;
  readonly buffer?: S3BufferSettings;
}

export interface FluentBitConfig {
  readonly service: string;
  readonly inputs: string;
  readonly filters: string;
  readonly outputs: string;
  readonly buffer: S3BufferSettings;
  /** The object key template (leading "/" as the plugin requires); keys land under containers/. */
  readonly s3KeyFormat: string;
}

/** Renders `[SECTION]` blocks with aligned keys, the way fluent-bit.conf is written by hand. */
function section(name: string, entries: readonly (readonly [string, string | number])[]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return [`[${name}]`, ...entries.map(([k, v]) => `    ${k.padEnd(width)} ${v}`)].join("\n") + "\n";
}

const megabytes = (bytes: number) => (bytes % MB === 0 ? `${bytes / MB}M` : `${bytes}`);

export function renderFluentBitConfig(input: FluentBitConfigInput): FluentBitConfig {
  const buffer = input.buffer ?? DEFAULT_S3_BUFFER;
  const problems = s3BufferProblems(buffer);
  if (problems.length > 0) throw new Error(`Fluent Bit s3 output would not start: ${problems.join("; ")}`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(input.region)) throw new Error(`Fluent Bit region "${input.region}" is not an AWS region name`);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(input.bucket)) throw new Error(`Fluent Bit bucket "${input.bucket}" is not a valid S3 bucket name`);

  const state = FLUENT_BIT_PATHS.state;
  const prefix = LOG_PREFIXES.containers.replace(/\/$/, "");
  // Hive-style time partitions for Athena; $TAG[4] is the log file name (pod_namespace_container-id).
  const s3KeyFormat = `/${prefix}/year=%Y/month=%m/day=%d/hour=%H/$TAG[4]_%M%S_$UUID.gz`;

  const service = section("SERVICE", [
    ["Daemon", "Off"],
    ["Flush", 5],
    ["Log_Level", "info"],
    ["Parsers_File", "/fluent-bit/etc/parsers.conf"],
    ["HTTP_Server", "On"],
    ["HTTP_Listen", "0.0.0.0"],
    ["HTTP_Port", FLUENT_BIT_HTTP_PORT],
    ["Health_Check", "On"],
    ["storage.path", `${state}/flb-storage/`],
    ["storage.sync", "normal"],
    ["storage.checksum", "off"],
    ["storage.backlog.mem_limit", "5M"],
  ]);
  const inputs = section("INPUT", [
    ["Name", "tail"],
    ["Tag", "kube.*"],
    ["Path", `${FLUENT_BIT_PATHS.containerLogs}/*.log`],
    ["multiline.parser", "docker, cri"],
    ["DB", `${state}/flb_kube.db`],
    ["DB.locking", "true"],
    ["Mem_Buf_Limit", "50MB"],
    ["Skip_Long_Lines", "On"],
    ["Refresh_Interval", 10],
    ["storage.type", "filesystem"],
  ]);
  const filters = section("FILTER", [
    ["Name", "kubernetes"],
    ["Match", "kube.*"],
    ["Kube_URL", "https://kubernetes.default.svc:443"],
    ["Kube_CA_File", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"],
    ["Kube_Token_File", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
    ["Kube_Tag_Prefix", "kube.var.log.containers."],
    ["Merge_Log", "On"],
    ["Keep_Log", "Off"],
    ["K8S-Logging.Parser", "On"],
    ["K8S-Logging.Exclude", "On"],
    ["Labels", "On"],
    ["Annotations", "Off"],
    ["Buffer_Size", "0"],
  ]);
  const outputs = section("OUTPUT", [
    ["Name", "s3"],
    ["Match", "kube.*"],
    ["bucket", input.bucket],
    ["region", input.region],
    // Regional names: S3 resolves through the gateway endpoint, STS through its interface endpoint.
    ["endpoint", `https://s3.${input.region}.amazonaws.com`],
    ["sts_endpoint", `https://sts.${input.region}.amazonaws.com`],
    ["use_put_object", buffer.usePutObject ? "On" : "Off"],
    ["total_file_size", megabytes(buffer.totalFileSizeBytes)],
    ["upload_chunk_size", `${buffer.uploadChunkSizeBytes}`],
    ["upload_timeout", `${buffer.uploadTimeoutMinutes}m`],
    ["compression", "gzip"],
    ["store_dir", `${state}/s3`],
    ["store_dir_limit_size", megabytes(buffer.storeDirLimitBytes)],
    ["s3_key_format", s3KeyFormat],
    ["s3_key_format_tag_delimiters", "."],
    ["json_date_key", "time"],
    ["json_date_format", "iso8601"],
    ["preserve_data_ordering", "On"],
    ["retry_limit", 5],
  ]);
  return { service, inputs, filters, outputs, buffer, s3KeyFormat };
}

/** The whole file, as the chart assembles it (service, inputs, filters, outputs). */
export function fluentBitConfText(config: FluentBitConfig): string {
  return [config.service, config.inputs, config.filters, config.outputs].join("\n");
}

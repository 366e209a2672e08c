import * as fs from "node:fs";
import * as path from "node:path";
import { type LabProcess, startNode } from "./lab-services";

/**
 * The regional AWS APIs a database host calls, as one HTTPS server answering by Host header (the host's
 * /etc/hosts sends the real endpoint names here):
 * - Secrets Manager `GetSecretValue` and SSM `GetParameter` (JSON 1.1 protocol: `X-Amz-Target`
 *   `secretsmanager.GetSecretValue` / `AmazonSSM.GetParameter`, errors as HTTP 400 with `__type`
 *   ResourceNotFoundException / ParameterNotFound, as the AWS API references document them);
 * - CloudWatch `PutMetricData` (the Query protocol the AWS CLI v2 of Debian 12 and the bootstrap's curl
 *   use: form-encoded, XML answer), every call recorded;
 * - the SSM agent's regional bucket (`amazon-ssm-<region>`): plain GETs of files under a directory.
 * Secrets and parameters are JSON files in the lab directory, read on every request, so a test can take
 * one away. Signatures are not checked: the lab has no IAM.
 */
const SERVER = `
const fs = require("fs"), https = require("https"), path = require("path"), qs = require("querystring");
const [address, cert, key, dir, log] = process.argv.slice(1);
const read = (name) => { try { return JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")); } catch { return {}; } };
const record = (entry) => fs.appendFileSync(log, JSON.stringify(entry) + "\\n");
https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
  const host = (req.headers.host || "").replace(/:\\d+$/, "");
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const target = req.headers["x-amz-target"] || "";
    const json = (status, value) => { res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }); res.end(JSON.stringify(value)); };
    if (host.startsWith("amazon-ssm-")) {
      const file = path.join(dir, "ssm-bucket", decodeURIComponent(req.url.split("?")[0]));
      record({ service: "ssm-bucket", method: req.method, path: req.url });
      if (!file.startsWith(path.join(dir, "ssm-bucket")) || !fs.existsSync(file)) { res.writeHead(404); return res.end(); }
      res.writeHead(200, { "content-length": fs.statSync(file).size });
      return fs.createReadStream(file).pipe(res);
    }
    if (target === "secretsmanager.GetSecretValue") {
      const id = JSON.parse(body || "{}").SecretId;
      const secret = read("secrets.json")[id];
      record({ service: "secretsmanager", action: "GetSecretValue", id, found: secret !== undefined });
      if (secret === undefined) return json(400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." });
      return json(200, { ARN: "arn:aws:secretsmanager:lab:000000000000:secret:" + id, Name: id, SecretString: secret, VersionId: "lab", VersionStages: ["AWSCURRENT"], CreatedDate: 0 });
    }
    if (target === "AmazonSSM.GetParameter") {
      const name = JSON.parse(body || "{}").Name;
      const value = read("parameters.json")[name];
      record({ service: "ssm", action: "GetParameter", name, found: value !== undefined });
      if (value === undefined) return json(400, { __type: "ParameterNotFound", message: "" });
      return json(200, { Parameter: { Name: name, Type: "String", Value: value, Version: 1, DataType: "text" } });
    }
    if (host.startsWith("monitoring.")) {
      const form = qs.parse(body);
      const metrics = [];
      for (let i = 1; form["MetricData.member." + i + ".MetricName"] !== undefined; i++) {
        const p = "MetricData.member." + i + ".";
        const dims = {};
        for (let d = 1; form[p + "Dimensions.member." + d + ".Name"] !== undefined; d++) dims[form[p + "Dimensions.member." + d + ".Name"]] = form[p + "Dimensions.member." + d + ".Value"];
        metrics.push({ name: form[p + "MetricName"], value: Number(form[p + "Value"]), dimensions: dims });
      }
      record({ service: "monitoring", action: form.Action, namespace: form.Namespace, metrics });
      res.writeHead(200, { "content-type": "text/xml" });
      return res.end('<PutMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><ResponseMetadata><RequestId>lab</RequestId></ResponseMetadata></PutMetricDataResponse>');
    }
    record({ service: "unknown", host, target, method: req.method, path: req.url });
    json(400, { __type: "UnknownOperationException" });
  });
}).listen(443, address, () => console.log("listening"));
`;

export interface MetricCall {
  readonly namespace: string;
  readonly name: string;
  readonly value: number;
  readonly dimensions: Record<string, string>;
}

export interface AwsApi extends LabProcess {
  readonly dir: string;
  readonly requests: string;
  setSecrets(secrets: Readonly<Record<string, string>>): void;
  setParameters(parameters: Readonly<Record<string, string>>): void;
  /** Puts a file in the SSM agent's bucket at `key`. */
  putAgentObject(key: string, file: string): void;
  /** Every request so far, parsed. */
  calls(): Record<string, unknown>[];
  metrics(): MetricCall[];
}

export function startAwsApi(ns: string, address: string, tls: { cert: string; key: string }, dir: string): AwsApi {
  const data = path.join(dir, "aws-api");
  fs.mkdirSync(path.join(data, "ssm-bucket"), { recursive: true });
  const requests = path.join(dir, "aws-api-requests.log");
  fs.writeFileSync(requests, "");
  const write = (name: string, value: unknown): void => {
    const tmp = path.join(data, `${name}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    fs.renameSync(tmp, path.join(data, name));
  };
  write("secrets.json", {});
  write("parameters.json", {});
  const proc = startNode(ns, SERVER, [address, tls.cert, tls.key, data, requests], path.join(dir, "aws-api.log"));
  const calls = (): Record<string, unknown>[] =>
    fs
      .readFileSync(requests, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    ...proc,
    dir: data,
    requests,
    setSecrets: (secrets) => write("secrets.json", secrets),
    setParameters: (parameters) => write("parameters.json", parameters),
    putAgentObject(key, file) {
      const target = path.join(data, "ssm-bucket", key);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
    },
    calls,
    metrics: () =>
      calls()
        .filter((c) => c.service === "monitoring")
        .flatMap((c) => (c.metrics as Omit<MetricCall, "namespace">[]).map((m) => ({ ...m, namespace: String(c.namespace) }))),
  };
}

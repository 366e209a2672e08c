import { shQuote } from "./shell";

/**
 * What makes a host's first boot survive a not-yet-ready dependency (the package mirror still filling,
 * IAM still propagating) and say so when it does not: on any failure the bootstrap reports
 * `BootstrapFailed{Host}` to CloudWatch and schedules itself again in five minutes (a transient systemd
 * timer), until a run succeeds. The report uses only curl (present on Debian's cloud images, unlike the
 * AWS CLI, which comes from the mirror that may be the thing failing): role credentials from IMDSv2 and
 * curl's own SigV4 signing (`--aws-sigv4`, curl 7.75+; Debian 12 ships 7.88) against the CloudWatch
 * Query API through the `monitoring` interface endpoint.
 */
export const BOOTSTRAP_METRIC_NAMESPACE = "Fitness/Databases";
export const BOOTSTRAP_RETRY_SECONDS = 300;

export function bootstrapGuard(region: string, host: string): string[] {
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new Error(`region "${region}": allowed: an AWS region name such as eu-central-1`);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(host)) throw new Error(`host "${host}": allowed: lower-case letters, digits and hyphens`);
  const imds = "http://169.254.169.254/latest";
  const data = `Action=PutMetricData&Version=2010-08-01&Namespace=${encodeURIComponent(BOOTSTRAP_METRIC_NAMESPACE)}&MetricData.member.1.MetricName=BootstrapFailed&MetricData.member.1.Value=1&MetricData.member.1.Dimensions.member.1.Name=Host&MetricData.member.1.Dimensions.member.1.Value=${host}`;
  return [
    "fitness_on_exit() { # a failed run: report it (curl only) and run again later",
    "  local rc=$? t c",
    '  [ "$rc" -eq 0 ] && return 0',
    "  set +e",
    `  echo "fitness bootstrap: FAILED (exit $rc); retrying in ${BOOTSTRAP_RETRY_SECONDS} s" >&2`,
    `  t="$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' ${imds}/api/token)"`,
    `  c="$(curl -sf -H "X-aws-ec2-metadata-token: $t" ${imds}/meta-data/iam/security-credentials/)"`,
    `  c="$(curl -sf -H "X-aws-ec2-metadata-token: $t" ${imds}/meta-data/iam/security-credentials/"$c")"`,
    "  j() { printf '%s' \"$c\" | sed -n \"s/.*\\\"$1\\\" *: *\\\"\\([^\\\"]*\\)\\\".*/\\1/p\"; }",
    `  curl -sf --aws-sigv4 ${shQuote(`aws:amz:${region}:monitoring`)} --user "$(j AccessKeyId):$(j SecretAccessKey)" -H "X-Amz-Security-Token: $(j Token)" \\`,
    `    --data ${shQuote(data)} https://monitoring.${region}.amazonaws.com/ >/dev/null || echo "fitness bootstrap: failure not reported" >&2`,
    `  systemd-run --quiet --on-active=${BOOTSTRAP_RETRY_SECONDS} --unit="fitness-bootstrap-retry-$(date +%s)" /bin/bash "$(readlink -f "$0")" || true`,
    "}",
    "trap fitness_on_exit EXIT",
  ];
}

/**
 * Debian's AMI has no SSM agent: install it from the region's own bucket (`amazon-ssm-<region>`,
 * `latest/debian_amd64/amazon-ssm-agent.deb`, AWS Systems Manager User Guide, "Manually install SSM Agent
 * on Debian Server instances") through the S3 gateway endpoint, whose policy admits reads of that bucket
 * (src/network/endpoint-plan.ts, awsOwnedReadBuckets). Before the mirror: operators can reach a host
 * whose package installation fails.
 */
export function ssmAgentBlock(region: string): string[] {
  const url = `https://amazon-ssm-${region}.s3.${region}.amazonaws.com/latest/debian_amd64/amazon-ssm-agent.deb`;
  return [
    "# 0. SSM agent (sessions, Run Command) from the region's bucket, through the S3 gateway endpoint.",
    "if ! dpkg -s amazon-ssm-agent >/dev/null 2>&1; then",
    `  for i in $(seq 1 10); do curl -fsS -o /run/amazon-ssm-agent.deb ${shQuote(url)} && break; sleep 15; done`,
    "  dpkg -i /run/amazon-ssm-agent.deb",
    "  rm -f /run/amazon-ssm-agent.deb",
    "fi",
    "systemctl enable --now amazon-ssm-agent",
  ];
}

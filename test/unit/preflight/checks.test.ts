/**
 * Every check, passing and failing, against recorded answers shaped as the AWS API references document
 * them (replayed through aws-sdk-client-mock: collect runs the real SDK commands, evaluate judges).
 */
import { afterEach, describe, expect, it } from "vitest";
import { accountCheck } from "../../../src/preflight/checks/account";
import { amiCheck } from "../../../src/preflight/checks/amis";
import { bucketCheck } from "../../../src/preflight/checks/buckets";
import { chartCheck, HELM_CONFIG_MEDIA_TYPE } from "../../../src/preflight/checks/charts";
import { dnsCheck } from "../../../src/preflight/checks/dns";
import { eksCheck } from "../../../src/preflight/checks/eks";
import { endpointCheck } from "../../../src/preflight/checks/endpoints";
import { imageCheck } from "../../../src/preflight/checks/images";
import { packageCheck } from "../../../src/preflight/checks/packages";
import { placeholderCheck } from "../../../src/preflight/checks/placeholders";
import { quotaCheck } from "../../../src/preflight/checks/quotas";
import { serviceLinkedRoleCheck } from "../../../src/preflight/checks/service-linked-roles";
import { sesCheck } from "../../../src/preflight/checks/ses";
import { createClients } from "../../../src/preflight/clients";
import { runChecks } from "../../../src/preflight/runner";
import type { Check, Finding, PreflightFacts } from "../../../src/preflight/types";
import { ACCOUNT, baseFacts, DIGEST, NOW } from "./facts-fixture";
import { type RecordedCall, type Recording, recordedDns, replay, type Replay } from "./recorded";

let active: Replay | undefined;
afterEach(() => {
  active?.restore();
  active = undefined;
});

async function run(check: Check<unknown>, facts: PreflightFacts, recording: Recording): Promise<Finding[]> {
  active = replay(recording);
  return runChecks(facts, { clients: createClients(facts.region), dns: recordedDns(recording), accountId: ACCOUNT, now: NOW }, [check]);
}

const call = (client: string, command: string, input: Record<string, unknown> | undefined, output: Record<string, unknown>): RecordedCall => ({ client, command, input, output });
const fail = (client: string, command: string, input: Record<string, unknown> | undefined, name: string, status = 400): RecordedCall => ({ client, command, input, error: { name, status } });
const lines = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.check}: ${f.problem}`);

const zones = (names: string[]) =>
  call("EC2Client", "DescribeAvailabilityZonesCommand", undefined, {
    AvailabilityZones: names.map((n, i) => ({ ZoneName: n, ZoneId: `euc1-az${i + 1}`, State: "available", ZoneType: "availability-zone", OptInStatus: "opt-in-not-required", RegionName: "eu-central-1" })),
  });

describe("account", () => {
  it("passes for an allowed account, the stack's region and existing zones", async () => {
    expect(await run(accountCheck as Check<unknown>, baseFacts(), { calls: [zones(["eu-central-1a", "eu-central-1b", "eu-central-1c"])] })).toEqual([]);
  });
  it("fails for another account, another --region and an AZ the region lacks", async () => {
    const facts = { ...baseFacts(), allowedAccountIds: ["111111111111"], requestedRegion: "eu-west-1", availabilityZones: ["eu-central-1a", "eu-central-1d"] };
    const found = lines(await run(accountCheck as Check<unknown>, facts, { calls: [zones(["eu-central-1a", "eu-central-1b"])] }));
    expect(found).toEqual([
      expect.stringContaining("account 222222222222, which aws:allowedAccountIds (111111111111) does not allow"),
      expect.stringContaining("--region eu-west-1 differs from the stack's aws:region eu-central-1"),
      expect.stringContaining("availability zone eu-central-1d does not exist"),
    ]);
  });
  it("an unset aws:allowedAccountIds is a finding", async () => {
    const facts: PreflightFacts = { ...baseFacts(), allowedAccountIds: undefined };
    expect(lines(await run(accountCheck as Check<unknown>, facts, { calls: [zones(["eu-central-1a", "eu-central-1b"])] }))).toEqual([expect.stringContaining("aws:allowedAccountIds is not set")]);
  });
});

const debianImage = { ImageId: "ami-0c4e1d2b3a5f60718", Name: "debian-12-amd64-20261110-2291", OwnerId: "136693071363", State: "available", Architecture: "x86_64", PlatformDetails: "Linux/UNIX", DeprecationTime: "2028-11-10T00:00:00.000Z" };
const proxyImage = { ...debianImage, ImageId: "ami-0a9e0c5d2b7f41c83", Name: "debian-12-amd64-20261201-2310", DeprecationTime: "2028-12-01T00:00:00.000Z" };
const instanceType = (type: string, vcpus: number, arch = "x86_64") =>
  call("EC2Client", "DescribeInstanceTypesCommand", { InstanceTypes: [type] }, { InstanceTypes: [{ InstanceType: type, VCpuInfo: { DefaultVCpus: vcpus, DefaultCores: vcpus / 2, DefaultThreadsPerCore: 2 }, ProcessorInfo: { SupportedArchitectures: [arch] } }] });
const images = (...list: Array<Record<string, unknown>>) => list.map((img) => call("EC2Client", "DescribeImagesCommand", { ImageIds: [img.ImageId] }, { Images: [img] }));

describe("amis", () => {
  it("passes for current Debian 12 images of the right architecture", async () => {
    const calls = [...images(debianImage, proxyImage), instanceType("r6i.large", 2), instanceType("t3.medium", 2)];
    expect(await run(amiCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails for a missing AMI, the wrong OS, the wrong architecture and a deprecated image", async () => {
    const calls = [
      fail("EC2Client", "DescribeImagesCommand", { ImageIds: ["ami-0c4e1d2b3a5f60718"] }, "InvalidAMIID.NotFound"),
      ...images({ ...proxyImage, Name: "ubuntu/images/hvm-ssd/ubuntu-noble-24.04-arm64-server-20261101", OwnerId: "099720109477", Architecture: "arm64", DeprecationTime: "2026-11-01T00:00:00.000Z" }),
      instanceType("r6i.large", 2),
      instanceType("t3.medium", 2),
    ];
    const found = lines(await run(amiCheck as Check<unknown>, baseFacts(), { calls }));
    expect(found).toEqual([
      expect.stringContaining("ami-0c4e1d2b3a5f60718 does not exist in eu-central-1"),
      expect.stringContaining("not Debian 12 (bookworm) from its publisher (136693071363)"),
      expect.stringContaining("ami-0a9e0c5d2b7f41c83 is arm64 but t3.medium runs x86_64"),
      expect.stringContaining("deprecated since 2026-11-01"),
    ]);
  });
});

const zone = (name: string, privateZone = false) =>
  call("Route53Client", "GetHostedZoneCommand", { Id: "Z07PRODFITNESS" }, {
    HostedZone: { Id: "/hostedzone/Z07PRODFITNESS", Name: `${name}.`, CallerReference: "2026-11-20", Config: { PrivateZone: privateZone }, ResourceRecordSetCount: 4 },
    DelegationSet: { NameServers: ["ns-1530.awsdns-63.org", "ns-383.awsdns-47.com", "ns-2001.awsdns-58.co.uk", "ns-775.awsdns-32.net"] },
  });
const delegated = { ns: { "gymco.de": ["ns-1530.awsdns-63.org", "ns-383.awsdns-47.com", "ns-2001.awsdns-58.co.uk", "ns-775.awsdns-32.net"] } };

describe("dns", () => {
  it("passes for a public zone holding the name, delegated to it, with CAA admitting Amazon", async () => {
    const recording = { calls: [zone("gymco.de")], dns: { ...delegated, caa: { "gymco.de": [{ critical: 0, issue: "amazon.com" }, { critical: 0, issue: "letsencrypt.org" }] } } };
    expect(await run(dnsCheck as Check<unknown>, baseFacts(), recording)).toEqual([]);
  });
  it("fails when the zone does not exist", async () => {
    const found = lines(await run(dnsCheck as Check<unknown>, baseFacts(), { calls: [fail("Route53Client", "GetHostedZoneCommand", undefined, "NoSuchHostedZone", 404)] }));
    expect(found).toEqual([expect.stringContaining("hosted zone Z07PRODFITNESS (fitness-platform:edge.certificate.hostedZoneId) does not exist")]);
  });
  it("fails for a zone delegated elsewhere, a zone of another name, and CAA that forbids Amazon", async () => {
    const recording = { calls: [zone("shop.gymco.de")], dns: { ns: { "shop.gymco.de": ["ns1.registrar-dns.net", "ns2.registrar-dns.net"] }, caa: { "fitness.gymco.de": [{ critical: 0, issue: "letsencrypt.org" }] } } };
    expect(lines(await run(dnsCheck as Check<unknown>, baseFacts(), recording))).toEqual([
      expect.stringContaining("is shop.gymco.de, which cannot hold records for api.fitness.gymco.de"),
      expect.stringContaining("shop.gymco.de is delegated to ns1.registrar-dns.net, ns2.registrar-dns.net"),
      expect.stringContaining("the CAA records of fitness.gymco.de allow only letsencrypt.org"),
    ]);
  });
  it("fails for an undelegated private zone", async () => {
    const found = lines(await run(dnsCheck as Check<unknown>, baseFacts(), { calls: [zone("gymco.de", true)] }));
    expect(found).toEqual([expect.stringContaining("is private: ACM validates through public DNS")]);
  });
  it("checks an imported certificate: issued, covering the name, not expired", async () => {
    const arn = "arn:aws:acm:eu-central-1:222222222222:certificate/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7";
    const facts: PreflightFacts = { ...baseFacts(), edge: { domainName: "api.fitness.gymco.de", certificate: { mode: "imported", certificateArn: arn } } };
    const cert = (c: Record<string, unknown>) => ({ calls: [call("ACMClient", "DescribeCertificateCommand", { CertificateArn: arn }, { Certificate: { CertificateArn: arn, Type: "IMPORTED", ...c } })] });
    expect(await run(dnsCheck as Check<unknown>, facts, cert({ Status: "ISSUED", DomainName: "*.fitness.gymco.de", SubjectAlternativeNames: ["*.fitness.gymco.de"], NotAfter: "2027-06-01T00:00:00Z" }))).toEqual([]);
    expect(lines(await run(dnsCheck as Check<unknown>, facts, cert({ Status: "EXPIRED", DomainName: "*.gymco.de", NotAfter: "2026-11-01T00:00:00Z" })))).toEqual([
      expect.stringContaining("is EXPIRED, not ISSUED"),
      expect.stringContaining("covers *.gymco.de, not api.fitness.gymco.de"),
      expect.stringContaining("expired on 2026-11-01"),
    ]);
  });
});

const ecr = (repositoryName: string, ref: Record<string, string>, detail: Record<string, unknown>) =>
  call("ECRClient", "DescribeImagesCommand", { repositoryName, imageIds: [ref] }, { imageDetails: [{ registryId: ACCOUNT, repositoryName, imagePushedAt: "2026-11-21T08:00:00Z", imageSizeInBytes: 31457280, ...detail }] });

describe("images", () => {
  it("passes when the mirror holds the pinned digest with its tag and the service tag exists", async () => {
    const calls = [
      ecr("fitness-platform/mirror/fluent-bit", { imageDigest: DIGEST }, { imageDigest: DIGEST, imageTags: ["3.2.10"], imageManifestMediaType: "application/vnd.oci.image.index.v1+json" }),
      ecr("fitness-platform/services/users", { imageTag: "1.4.2" }, { imageDigest: `sha256:${"1".repeat(64)}`, imageTags: ["1.4.2"] }),
    ];
    expect(await run(imageCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails for a digest the mirror lacks and a service repository nobody created", async () => {
    const calls = [
      fail("ECRClient", "DescribeImagesCommand", { repositoryName: "fitness-platform/mirror/fluent-bit" }, "ImageNotFoundException"),
      fail("ECRClient", "DescribeImagesCommand", { repositoryName: "fitness-platform/services/users" }, "RepositoryNotFoundException"),
    ];
    expect(lines(await run(imageCheck as Check<unknown>, baseFacts(), { calls }))).toEqual([
      expect.stringContaining(`fitness-platform/mirror/fluent-bit holds no image ${DIGEST}`),
      expect.stringContaining("ECR repository fitness-platform/services/users does not exist"),
    ]);
  });
  it("warns when the digest is mirrored under another tag", async () => {
    const calls = [
      ecr("fitness-platform/mirror/fluent-bit", { imageDigest: DIGEST }, { imageDigest: DIGEST, imageTags: ["3.2.9"] }),
      ecr("fitness-platform/services/users", { imageTag: "1.4.2" }, { imageDigest: `sha256:${"1".repeat(64)}`, imageTags: ["1.4.2"] }),
    ];
    expect(lines(await run(imageCheck as Check<unknown>, baseFacts(), { calls }))).toEqual([expect.stringMatching(/^warning images: .* not tagged 3\.2\.10 \(tags: 3\.2\.9\)/)]);
  });
});

describe("charts", () => {
  it("passes when the chart version is in the OCI mirror as a Helm chart", async () => {
    const calls = [ecr("fitness-platform/charts/fluent-bit", { imageTag: "0.48.9" }, { imageTags: ["0.48.9"], artifactMediaType: HELM_CONFIG_MEDIA_TYPE, imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json" })];
    expect(await run(chartCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails for a missing version and for an artifact that is not a chart", async () => {
    const missing = [fail("ECRClient", "DescribeImagesCommand", undefined, "ImageNotFoundException")];
    expect(lines(await run(chartCheck as Check<unknown>, baseFacts(), { calls: missing }))).toEqual([expect.stringContaining("fitness-platform/charts/fluent-bit has no version 0.48.9")]);
    const notChart = [ecr("fitness-platform/charts/fluent-bit", { imageTag: "0.48.9" }, { imageTags: ["0.48.9"], artifactMediaType: "application/vnd.docker.container.image.v1+json" })];
    expect(lines(await run(chartCheck as Check<unknown>, baseFacts(), { calls: notChart }))).toEqual([expect.stringContaining("is not a Helm chart")]);
  });
});

const packagesIndex = (entries: Array<[string, string]>) =>
  entries.map(([name, version]) => `Package: ${name}\nSource: ${name.startsWith("postgresql") ? "postgresql-15" : name}\nVersion: ${version}\nArchitecture: amd64\nFilename: pool/main/${name[0]}/${name}/${name}_${version}_amd64.deb\n`).join("\n");
const index = (key: string, text: string, gzip: boolean) => call("S3Client", "GetObjectCommand", { Bucket: "fitness-debian-mirror-222222222222", Key: key }, { ContentType: "application/octet-stream", Body: { text, gzip } });

describe("packages", () => {
  it("passes when the mirror's indexes (gzip or plain) hold PostgreSQL 15 and pgBackRest", async () => {
    const calls = [
      fail("S3Client", "GetObjectCommand", undefined, "NoSuchKey", 404),
      index("debian/dists/bookworm/main/binary-amd64/Packages.gz", packagesIndex([["postgresql-15", "15.14-0+deb12u1"], ["pgbackrest", "2.44-1"]]), true),
      index("debian-security/dists/bookworm-security/main/binary-amd64/Packages", packagesIndex([["postgresql-15", "15.15-0+deb12u1"]]), false),
    ];
    expect(await run(packageCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails for a missing index, a missing package and a pinned version the mirror lacks", async () => {
    const base = baseFacts();
    const facts: PreflightFacts = { ...base, packageMirror: { ...base.packageMirror!, packages: [{ name: "postgresql-15", version: "15.99-1" }, { name: "pgbackrest" }] } };
    const calls = [fail("S3Client", "GetObjectCommand", undefined, "NoSuchKey", 404), index("debian/dists/bookworm/main/binary-amd64/Packages.gz", packagesIndex([["postgresql-15", "15.14-0+deb12u1"]]), true)];
    expect(lines(await run(packageCheck as Check<unknown>, facts, { calls }))).toEqual([
      expect.stringContaining("has no debian-security/dists/bookworm-security/main/binary-amd64/Packages(.gz)"),
      expect.stringContaining("holds postgresql-15 15.14-0+deb12u1, not the pinned 15.99-1"),
      expect.stringContaining("does not hold pgbackrest"),
    ]);
  });
});

describe("service-linked roles", () => {
  const role = call("IAMClient", "GetRoleCommand", { RoleName: "AWSServiceRoleForAutoScaling" }, {
    Role: { Path: "/aws-service-role/autoscaling.amazonaws.com/", RoleName: "AWSServiceRoleForAutoScaling", RoleId: "AROAEXAMPLEID1234567", Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`, CreateDate: "2025-01-01T00:00:00Z" },
  });
  it("passes when the role exists, or the stack creates it", async () => {
    expect(await run(serviceLinkedRoleCheck as Check<unknown>, baseFacts(), { calls: [role] })).toEqual([]);
    const created = { ...baseFacts(), serviceLinkedRoles: [{ ...baseFacts().serviceLinkedRoles[0], createdByStack: true }] };
    expect(await run(serviceLinkedRoleCheck as Check<unknown>, created, { calls: [fail("IAMClient", "GetRoleCommand", undefined, "NoSuchEntityException", 404)] })).toEqual([]);
  });
  it("fails when a named role is missing, or when the stack would create an existing one", async () => {
    expect(lines(await run(serviceLinkedRoleCheck as Check<unknown>, baseFacts(), { calls: [fail("IAMClient", "GetRoleCommand", undefined, "NoSuchEntityException", 404)] }))).toEqual([
      expect.stringContaining("AWSServiceRoleForAutoScaling does not exist, and account-ebs-key name it"),
    ]);
    const created = { ...baseFacts(), serviceLinkedRoles: [{ ...baseFacts().serviceLinkedRoles[0], createdByStack: true }] };
    expect(lines(await run(serviceLinkedRoleCheck as Check<unknown>, created, { calls: [role] }))).toEqual([expect.stringContaining("already exists, and the stack would create it again")]);
  });
});

const quota = (code: string, value: number) =>
  call("ServiceQuotasClient", "GetServiceQuotaCommand", { ServiceCode: "ec2", QuotaCode: code }, {
    Quota: { ServiceCode: "ec2", ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)", QuotaArn: `arn:aws:servicequotas:eu-central-1:${ACCOUNT}:ec2/${code}`, QuotaCode: code, QuotaName: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", Value: value, Unit: "None", Adjustable: true, GlobalQuota: false },
  });

describe("quotas", () => {
  // 2 × r6i.large (2 vCPUs) + 15 × m6i.xlarge (4 vCPUs) = 64 vCPUs of the standard class.
  const types = [instanceType("r6i.large", 2), instanceType("m6i.xlarge", 4)];
  it("passes when the standard On-Demand quota covers the peak (dedicated instances count against it)", async () => {
    expect(await run(quotaCheck as Check<unknown>, baseFacts(), { calls: [...types, quota("L-1216C47A", 64)] })).toEqual([]);
  });
  it("fails when the peak exceeds the quota, naming the quota code and the need", async () => {
    expect(lines(await run(quotaCheck as Check<unknown>, baseFacts(), { calls: [...types, quota("L-1216C47A", 32)] }))).toEqual([expect.stringContaining("quota L-1216C47A (Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances) is 32 vCPUs in eu-central-1; the stack's peak needs 64")]);
  });
  it("reads the Dedicated Host quota of the family by its name", async () => {
    const facts = { ...baseFacts(), capacity: [{ purpose: "db on hosts", instanceTypes: ["r6i.large"], count: 3, tenancy: "host" as const }] };
    const list = call("ServiceQuotasClient", "ListServiceQuotasCommand", undefined, { Quotas: [{ ServiceCode: "ec2", QuotaCode: "L-F13A970A", QuotaName: "Running Dedicated r6i Hosts", Value: 2 }] });
    expect(lines(await run(quotaCheck as Check<unknown>, facts, { calls: [types[0], list] }))).toEqual([expect.stringContaining("quota L-F13A970A (Running Dedicated r6i Hosts) is 2; the stack may need 3")]);
  });
});

const endpointService = (service: string, azs: string[]) =>
  call("EC2Client", "DescribeVpcEndpointServicesCommand", { ServiceNames: [`com.amazonaws.eu-central-1.${service}`] }, {
    ServiceNames: [`com.amazonaws.eu-central-1.${service}`],
    ServiceDetails: [{ ServiceName: `com.amazonaws.eu-central-1.${service}`, ServiceType: [{ ServiceType: "Interface" }], AvailabilityZones: azs, Owner: "amazon", BaseEndpointDnsNames: [`${service}.eu-central-1.vpce.amazonaws.com`], VpcEndpointPolicySupported: true, AcceptanceRequired: false }],
  });

describe("endpoints", () => {
  it("passes when every endpoint service is offered in every chosen AZ", async () => {
    const calls = [endpointService("ecr.api", ["eu-central-1a", "eu-central-1b", "eu-central-1c"]), endpointService("email-smtp", ["eu-central-1a", "eu-central-1b"])];
    expect(await run(endpointCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails for a service missing in an AZ and for one the region does not offer", async () => {
    const calls = [endpointService("ecr.api", ["eu-central-1a"]), fail("EC2Client", "DescribeVpcEndpointServicesCommand", { ServiceNames: ["com.amazonaws.eu-central-1.email-smtp"] }, "InvalidServiceName")];
    expect(lines(await run(endpointCheck as Check<unknown>, baseFacts(), { calls }))).toEqual([
      expect.stringContaining("com.amazonaws.eu-central-1.ecr.api is not offered in eu-central-1b"),
      expect.stringContaining("com.amazonaws.eu-central-1.email-smtp is not offered in eu-central-1"),
    ]);
  });
});

const clusterVersion = (status: string) =>
  call("EKSClient", "DescribeClusterVersionsCommand", undefined, {
    clusterVersions: [{ clusterVersion: "1.33", clusterType: "eks", defaultPlatformVersion: "eks.9", defaultVersion: true, releaseDate: "2025-05-28T00:00:00Z", endOfStandardSupportDate: status === "EXTENDED_SUPPORT" ? "2026-07-29T00:00:00Z" : "2027-07-29T00:00:00Z", endOfExtendedSupportDate: "2028-07-29T00:00:00Z", versionStatus: status, kubernetesPatchVersion: "1.33.5" }],
  });
const addonVersions = (versions: string[]) =>
  call("EKSClient", "DescribeAddonVersionsCommand", { addonName: "vpc-cni", kubernetesVersion: "1.33" }, {
    addons: [{ addonName: "vpc-cni", type: "networking", owner: "aws", publisher: "eks", addonVersions: versions.map((v, i) => ({ addonVersion: v, architecture: ["amd64", "arm64"], compatibilities: [{ clusterVersion: "1.33", platformVersions: ["*"], defaultVersion: i === 0 }], requiresConfiguration: false })) }],
  });

describe("eks", () => {
  it("passes for a version in standard support and a published add-on version", async () => {
    expect(await run(eksCheck as Check<unknown>, baseFacts(), { calls: [clusterVersion("STANDARD_SUPPORT"), addonVersions(["v1.20.4-eksbuild.2", "v1.19.5-eksbuild.1"])] })).toEqual([]);
  });
  it("fails for extended support and an add-on version not published for the cluster", async () => {
    expect(lines(await run(eksCheck as Check<unknown>, baseFacts(), { calls: [clusterVersion("EXTENDED_SUPPORT"), addonVersions(["v1.20.4-eksbuild.2"])] }))).toEqual([
      expect.stringContaining("Kubernetes 1.33 is in extended support (billed per cluster hour), not in standard support (ended 2026-07-29)"),
      expect.stringContaining("add-on vpc-cni v1.19.5-eksbuild.1 is not published for Kubernetes 1.33"),
    ]);
  });
});

const sesAccount = (production: boolean) =>
  call("SESv2Client", "GetAccountCommand", undefined, { DedicatedIpAutoWarmupEnabled: false, EnforcementStatus: "HEALTHY", ProductionAccessEnabled: production, SendingEnabled: true, SendQuota: { Max24HourSend: production ? 50000 : 200, MaxSendRate: production ? 14 : 1, SentLast24Hours: 0 } });

describe("ses", () => {
  it("passes out of the sandbox, with the identity still to be created by the stack in a zone that holds it", async () => {
    const calls = [sesAccount(true), fail("SESv2Client", "GetEmailIdentityCommand", undefined, "NotFoundException", 404), zone("gymco.de")];
    expect(await run(sesCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails in the sandbox (prod), and for an identity the stack would create twice", async () => {
    const calls = [
      sesAccount(false),
      call("SESv2Client", "GetEmailIdentityCommand", { EmailIdentity: "fitness.gymco.de" }, { IdentityType: "DOMAIN", VerifiedForSendingStatus: true, DkimAttributes: { SigningEnabled: true, Status: "SUCCESS" } }),
      zone("gymco.de"),
    ];
    expect(lines(await run(sesCheck as Check<unknown>, baseFacts(), { calls }))).toEqual([
      expect.stringMatching(/^error ses: the account is in the SES sandbox in eu-central-1/),
      expect.stringContaining("SES identity fitness.gymco.de already exists, and the stack would create it again"),
    ]);
  });
  it("the sandbox is a warning in dev", async () => {
    const facts = { ...baseFacts(), environment: "dev" as const };
    const calls = [sesAccount(false), fail("SESv2Client", "GetEmailIdentityCommand", undefined, "NotFoundException", 404), zone("gymco.de")];
    expect(lines(await run(sesCheck as Check<unknown>, facts, { calls }))).toEqual([expect.stringMatching(/^warning ses: the account is in the SES sandbox/)]);
  });
});

describe("buckets", () => {
  it("passes when names are free (404) or already ours in the planned region (200)", async () => {
    const calls = [
      fail("S3Client", "HeadBucketCommand", { Bucket: "fitness-platform-prod-logs-app-222222222222" }, "NotFound", 404),
      call("S3Client", "HeadBucketCommand", { Bucket: "fitness-platform-prod-backups-pitr-eu-west-1-222222222222", ExpectedBucketOwner: ACCOUNT }, { BucketRegion: "eu-west-1", AccessPointAlias: false }),
    ];
    expect(await run(bucketCheck as Check<unknown>, baseFacts(), { calls })).toEqual([]);
  });
  it("fails for a name another account holds (403) and for our bucket in another region", async () => {
    const calls = [
      fail("S3Client", "HeadBucketCommand", { Bucket: "fitness-platform-prod-logs-app-222222222222" }, "Forbidden", 403),
      call("S3Client", "HeadBucketCommand", { Bucket: "fitness-platform-prod-backups-pitr-eu-west-1-222222222222" }, { BucketRegion: "us-east-1" }),
    ];
    expect(lines(await run(bucketCheck as Check<unknown>, baseFacts(), { calls }))).toEqual([
      expect.stringContaining("bucket name fitness-platform-prod-logs-app-222222222222 is taken by another account"),
      expect.stringContaining("exists in us-east-1, but the stack creates it in eu-west-1"),
    ]);
  });
  it("an unexpected S3 answer is not taken for a verdict", async () => {
    const calls = [fail("S3Client", "HeadBucketCommand", undefined, "InternalError", 500)];
    await expect(run(bucketCheck as Check<unknown>, baseFacts(), { calls })).rejects.toThrow("InternalError");
  });
});

describe("placeholders", () => {
  it("passes for real values", async () => {
    expect(await run(placeholderCheck as Check<unknown>, baseFacts(), { calls: [] })).toEqual([]);
  });
  it("fails for documentation ranges and example names", async () => {
    const facts = {
      ...baseFacts(),
      configValues: [
        { key: "fitness-platform:cluster.publicAccessCidrs[0]", value: "203.0.113.0/24" },
        { key: "fitness-platform:edge.domainName", value: "api.fitness.example.com" },
        { key: "fitness-platform:messaging.operationsEmails[0]", value: "ops@fitness.example.org" },
      ],
    };
    expect(lines(await run(placeholderCheck as Check<unknown>, facts, { calls: [] }))).toEqual([
      expect.stringContaining("203.0.113.0/24 is in the documentation range 203.0.113.0"),
      expect.stringContaining("uses the reserved domain example.com"),
      expect.stringContaining("uses the reserved domain example.org"),
    ]);
  });
});

describe("runner", () => {
  it("turns a denied call into a finding naming the IAM action", async () => {
    const found = await run(eksCheck as Check<unknown>, baseFacts(), { calls: [fail("EKSClient", "DescribeClusterVersionsCommand", undefined, "AccessDeniedException", 403)] });
    expect(found).toEqual([{ check: "eks", severity: "error", problem: "could not check: the caller may not call eks:DescribeClusterVersions", action: expect.stringContaining("preflightPolicyDocument()") }]);
  });
});

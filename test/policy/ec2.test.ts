import { describe, expect, it } from "vitest";
import { ec2NoPublicIp } from "../../policy/ec2/ec2-01-no-public-ip";
import { ec2Imdsv2 } from "../../policy/ec2/ec2-02-imdsv2";
import { ec2EbsCmk } from "../../policy/ec2/ec2-03-ebs-cmk";
import { ec2NoSsh } from "../../policy/ec2/ec2-04-no-ssh";
import { ec2NoSecretsInUserData } from "../../policy/ec2/ec2-05-no-secrets-in-user-data";
import { findSecrets } from "../../policy/ec2/secret-scan";
import { audit, messages } from "./support/audit";
import { compliantStack, DB_USER_DATA } from "./support/fixture-stack";

describe("EC2-01 no public IP outside the DMZ", () => {
  it("fails an app instance with a public address, and an instance in a subnet that auto-assigns one", async () => {
    const s = compliantStack();
    s.fx.update(s.appInstance, (i) => {
      i["associatePublicIpAddress"] = true;
    });
    s.fx.update(s.subnets.data, (i) => {
      i["mapPublicIpOnLaunch"] = true;
    });
    const result = await audit(s.fx, [ec2NoPublicIp]);
    expect(messages(result, "EC2-01")).toEqual([
      'Instance "app-host" gets a public IP (associatePublicIpAddress is true) in zone app; only the DMZ may.',
      'Instance "db-host" gets a public IP (its subnet "subnet-data-a" auto-assigns public IPs) in zone data; only the DMZ may.',
    ]);
  });

  it("judges a launch template by the subnets its auto scaling group uses", async () => {
    const s = compliantStack();
    s.fx.update(s.proxyGroup, (i) => {
      i["vpcZoneIdentifiers"] = [s.subnets.app.id];
    });
    s.fx.state(s.proxyGroup).propertyDependencies = { vpcZoneIdentifiers: [s.subnets.app.urn], launchTemplate: [s.proxyTemplate.urn] };
    const result = await audit(s.fx, [ec2NoPublicIp]);
    expect(messages(result, "EC2-01")).toEqual(['LaunchTemplate "proxy-lt" gets a public IP (a network interface sets associatePublicIpAddress) in zone app; only the DMZ may.']);
  });
});

describe("EC2-02 IMDSv2", () => {
  it("fails optional tokens and a hop limit above 1 outside EKS node templates", async () => {
    const s = compliantStack();
    s.fx.update(s.appInstance, (i) => {
      i["metadataOptions"] = { httpTokens: "optional", httpPutResponseHopLimit: 2 };
    });
    s.fx.update(s.dbInstance, (i) => {
      delete i["metadataOptions"];
    });
    const result = await audit(s.fx, [ec2Imdsv2]);
    expect(messages(result, "EC2-02")).toEqual([
      'Instance "app-host" allows 2 metadata hops; at most 1.',
      'Instance "app-host" does not require IMDSv2 (metadataOptions.httpTokens is "optional").',
      'Instance "db-host" does not require IMDSv2 (metadataOptions.httpTokens is "unset").',
    ]);
  });

  it("holds a template an EKS node group launches to 1 hop too (pods must not get the node role through IMDS)", async () => {
    const s = compliantStack();
    s.fx.update(s.proxyTemplate, (i) => {
      (i["metadataOptions"] as Record<string, unknown>)["httpPutResponseHopLimit"] = 2;
    });
    const before = await audit(s.fx, [ec2Imdsv2]);
    s.fx.add("aws:eks/nodeGroup:NodeGroup", "nodes", { clusterName: "c", launchTemplate: { id: s.proxyTemplate.id, version: "1" }, subnetIds: [s.subnets.app.id], tags: s.fx.tags("app", "cluster") }, { deps: { launchTemplate: [s.proxyTemplate], subnetIds: [s.subnets.app] } });
    const after = await audit(s.fx, [ec2Imdsv2]);
    expect(messages(before, "EC2-02")).toEqual(['LaunchTemplate "proxy-lt" allows 2 metadata hops; at most 1.']);
    expect(messages(after, "EC2-02")).toEqual(['LaunchTemplate "proxy-lt" allows 2 metadata hops; at most 1.']);
    s.fx.update(s.proxyTemplate, (i) => {
      (i["metadataOptions"] as Record<string, unknown>)["httpPutResponseHopLimit"] = 1;
    });
    expect(messages(await audit(s.fx, [ec2Imdsv2]), "EC2-02")).toEqual([]);
  });
});

describe("EC2-03 EBS encrypted with a customer-managed key", () => {
  it("fails an unencrypted data device and a volume on the AWS-managed key", async () => {
    const s = compliantStack();
    s.fx.update(s.dbInstance, (i) => {
      i["ebsBlockDevices"] = [{ deviceName: "/dev/sdf", encrypted: false, volumeSize: 100 }];
    });
    s.fx.add("aws:ebs/volume:Volume", "scratch", { availabilityZone: "eu-central-1a", size: 10, encrypted: true, kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:alias/aws/ebs", tags: s.fx.tags("data", "databases") });
    s.fx.remove({ ...s.key, urn: s.fx.toExport().deployment.resources.find((r) => r.type === "aws:ebs/defaultKmsKey:DefaultKmsKey")?.urn ?? "" });
    const result = await audit(s.fx, [ec2EbsCmk]);
    expect(messages(result, "EC2-03")).toEqual([
      "EBS encryption by default is not on with a customer-managed key: the stack runs EC2 but has no aws.ebs.DefaultKmsKey naming a customer-managed key.",
      'EBS volume "scratch" is not encrypted with a customer-managed KMS key (kmsKeyId).',
      'device /dev/sdf of instance "db-host" is not encrypted.',
    ]);
  });
});

describe("EC2-04 no key pairs, no port 22", () => {
  it("fails a key pair, an instance that names one, and SSH from anywhere in each rule shape", async () => {
    const s = compliantStack();
    s.fx.add("aws:ec2/keyPair:KeyPair", "ops", { publicKey: "ssh-ed25519 AAAAC3Nza", tags: s.fx.tags("global", "operator") });
    s.fx.update(s.appInstance, (i) => {
      i["keyName"] = "ops";
    });
    s.fx.update(s.groups.app, (i) => {
      i["ingress"] = [{ protocol: "tcp", fromPort: 20, toPort: 25, cidrBlocks: ["10.0.0.0/8"] }];
    });
    s.fx.add("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ssh-anywhere", { securityGroupId: s.groups.data.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", tags: s.fx.tags("data", "network") }, { deps: { securityGroupId: [s.groups.data] } });
    s.fx.add("aws:ec2/securityGroupRule:SecurityGroupRule", "ssh-rule", { type: "ingress", securityGroupId: s.groups.data.id, cidrBlocks: ["10.0.0.0/16"], protocol: "tcp", fromPort: 22, toPort: 22 }, { deps: { securityGroupId: [s.groups.data] } });
    const result = await audit(s.fx, [ec2NoSsh]);
    expect(messages(result, "EC2-04")).toEqual([
      'Instance "app-host" names the key pair "ops".',
      'key pair "ops" exists; hosts are reached through SSM, not SSH keys.',
      'ingress rule "ssh-rule" admits TCP port 22 (tcp/22).',
      'ingress rule "ssh-anywhere" admits TCP port 22 (all).',
      'security group "sg-app" ingress rule 1 admits TCP port 22 (tcp/20-25).',
    ]);
  });

  it("allows all-traffic rules between security groups (EKS node to node)", async () => {
    const s = compliantStack();
    s.fx.update(s.groups.app, (i) => {
      i["ingress"] = [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }];
    });
    const result = await audit(s.fx, [ec2NoSsh]);
    expect(messages(result, "EC2-04")).toEqual([]);
  });
});

describe("EC2-05 no secrets in user data", () => {
  it("fails a private key, an AWS access key and a literal password, without quoting them", async () => {
    const s = compliantStack();
    const secretKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----";
    s.fx.update(s.appInstance, (i) => {
      i["userData"] = ["#!/bin/bash", `cat > /root/.ssh/id <<EOF\n${secretKey}\nEOF`, "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "DB_PASSWORD=Sup3rS3cretValue!"].join("\n");
    });
    const result = await audit(s.fx, [ec2NoSecretsInUserData]);
    const found = messages(result, "EC2-05");
    expect(found).toEqual([
      'Instance "app-host": userData contains a literal password value (line 8).',
      'Instance "app-host": userData contains a private key (line 3).',
      'Instance "app-host": userData contains an AWS access key id (line 7).',
    ]);
    for (const m of found) {
      expect(m).not.toContain("AKIAIOSFODNN7EXAMPLE");
      expect(m).not.toContain("Sup3rS3cret");
    }
  });

  it("decodes a launch template's base64 (and gzip) user data and finds a high-entropy token", async () => {
    const s = compliantStack();
    const { gzipSync } = await import("node:zlib");
    const script = "#!/bin/bash\ncurl -H 'Authorization: Bearer Zq8vR2mK9xTb4LpW7nYc3HdF6sJa' https://example.com\n";
    s.fx.update(s.proxyTemplate, (i) => {
      i["userData"] = gzipSync(Buffer.from(script)).toString("base64");
    });
    const result = await audit(s.fx, [ec2NoSecretsInUserData]);
    expect(messages(result, "EC2-05")).toEqual(['LaunchTemplate "proxy-lt": userData contains a high-entropy token (line 2).']);
  });

  it("finds short secrets: a 15-character Slack token, a short assignment", () => {
    // Every text is scanned whatever its length: a length cut-off shaped to today's patterns would hide a shorter one added later.
    expect(findSecrets("xoxb-123456789a").map((f) => f.kind)).toEqual(["a Slack token"]);
    expect(findSecrets("pwd=hunter2").map((f) => f.kind)).toEqual(["a literal pwd value"]);
    expect(findSecrets("xoxb-12345678")).toEqual([]);
  });

  it("leaves secret-manager lookups, psql variables, certificates and digests alone", () => {
    expect(findSecrets(DB_USER_DATA)).toEqual([]);
  });
});

describe("EC2-05 environment-style secrets (the likeliest on a PostgreSQL host)", () => {
  it.each([
    ["export PGPASSWORD=Tr41n1ngRecords", "a literal value for PGPASSWORD"],
    ["MYSQL_PWD='shop-orders-2026' mysql -u shop", "a literal pwd value"],
    ["REDIS_PASSWORD=hunter22hunter", "a literal password value"],
    ["export APP_CLIENTSECRET=0a1b2c3d4e5f", "a literal value for APP_CLIENTSECRET"],
    ["export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "an AWS secret access key"],
    ["AWS_SESSION_TOKEN=FwoGZXIvYXdzEBYaDEXAMPLETOKENVALUE", "a literal token value"],
    ["DATABASE_URL=postgres://app:s3cretpw@db.internal:5432/app", "a URI with embedded credentials"],
    ["pgbackrest --repo1-s3-uri=https://backup:pa55word@s3.example.com restore", "a URI with embedded credentials"],
    ["echo 'db.internal:5432:*:replicator:R3pl1cat0rPw' > /var/lib/postgresql/.pgpass", "a .pgpass entry with a literal password"],
  ])("fails %s", (line, kind) => {
    const kinds = findSecrets(`#!/bin/bash\n${line}\n`).map((f) => f.kind);
    expect(kinds).toContain(kind);
  });

  it.each([
    'export PGPASSWORD="$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)"',
    "MYSQL_PWD=${DB_PASSWORD}",
    "DATABASE_URL=postgres://app@db.internal:5432/app",
    "PROXY=http://proxy.dev.fitness.internal:3128",
    "DATABASE_URL=postgres://app:${PGPASSWORD}@db.internal/app",
    "echo \"db.internal:5432:*:replicator:$(cat /run/secrets/replicator)\" > ~/.pgpass",
  ])("passes %s", (line) => {
    expect(findSecrets(`#!/bin/bash\n${line}\n`)).toEqual([]);
  });

  it("reports the finding without its value and keys it by field and kind", async () => {
    const s = compliantStack();
    s.fx.update(s.appInstance, (i) => {
      i["userData"] = "#!/bin/bash\nexport PGPASSWORD=Tr41n1ngRecords\n";
    });
    const result = await audit(s.fx, [ec2NoSecretsInUserData]);
    expect(result.violations.map((v) => [v.message, v.finding])).toEqual([
      ['Instance "app-host": userData contains a literal value for PGPASSWORD (line 2).', "userData a literal value for PGPASSWORD"],
    ]);
  });
});

describe("EC2-05 keys that name a secret word but hold none", () => {
  it("passes etcd's initial-cluster-token, still failing a real token on the next line", () => {
    const kinds = findSecrets("initial-cluster-token: fitness-platform-prod-databases-etcd\nauth-token: Zx81kLmQ2\n").map((f) => [f.kind, f.line]);
    expect(kinds).toEqual([["a literal token value", 2]]);
  });
});

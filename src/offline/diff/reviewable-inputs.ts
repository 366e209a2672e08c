import type { Props } from "./resource-facts";

/**
 * The inputs of a created resource that a reviewer must read, by type: what it allows (policies,
 * rules, routes), what it runs (images) and where it is reachable. Everything else of a new resource
 * is in the JSON diff; these are shown in the comment, so a new IAM policy is never invisible.
 */
const REVIEWABLE: Readonly<Record<string, readonly string[]>> = {
  "aws:iam/policy:Policy": ["policy"],
  "aws:iam/rolePolicy:RolePolicy": ["role", "policy"],
  "aws:iam/role:Role": ["assumeRolePolicy", "managedPolicyArns", "inlinePolicies"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
  "aws:sqs/queuePolicy:QueuePolicy": ["policy"],
  "aws:sns/topicPolicy:TopicPolicy": ["policy"],
  "aws:kms/key:Key": ["policy"],
  "aws:backup/vaultPolicy:VaultPolicy": ["policy"],
  "aws:ec2/securityGroup:SecurityGroup": ["ingress", "egress"],
  "aws:ec2/securityGroupRule:SecurityGroupRule": ["type", "protocol", "fromPort", "toPort", "cidrBlocks", "ipv6CidrBlocks", "sourceSecurityGroupId", "self"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"],
  "aws:ec2/networkAclRule:NetworkAclRule": ["egress", "ruleNumber", "ruleAction", "protocol", "fromPort", "toPort", "cidrBlock"],
  "aws:ec2/route:Route": ["destinationCidrBlock", "destinationIpv6CidrBlock", "gatewayId", "natGatewayId", "vpcEndpointId", "transitGatewayId", "networkInterfaceId"],
  "aws:ec2/routeTable:RouteTable": ["routes"],
  "aws:lb/listener:Listener": ["port", "protocol", "sslPolicy", "defaultActions"],
  "aws:lb/loadBalancer:LoadBalancer": ["internal", "loadBalancerType"],
  "aws:eks/accessEntry:AccessEntry": ["principalArn", "type", "kubernetesGroups"],
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ["principalArn", "policyArn", "accessScope"],
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["namespace", "serviceAccount", "roleArn"],
  "aws:ec2/instance:Instance": ["ami", "instanceType", "subnetId", "associatePublicIpAddress"],
  "kubernetes:apps/v1:Deployment": ["spec.template.spec.containers"],
  "kubernetes:apps/v1:DaemonSet": ["spec.template.spec.containers"],
  "kubernetes:apps/v1:StatefulSet": ["spec.template.spec.containers"],
  "kubernetes:batch/v1:Job": ["spec.template.spec.containers"],
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": ["spec"],
  "kubernetes:rbac.authorization.k8s.io/v1:Role": ["rules"],
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": ["rules"],
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef", "subjects"],
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef", "subjects"],
  "kubernetes:helm.sh/v3:Release": ["chart", "version", "repositoryOpts"],
};

/** The reviewable inputs of a new resource of this type, as a property bag; undefined when none are listed. */
export function reviewableInputs(type: string, inputs: Props): Props | undefined {
  const paths = REVIEWABLE[type];
  if (paths === undefined) return undefined;
  const picked: Record<string, unknown> = {};
  for (const path of paths) {
    const value = path.split(".").reduce<unknown>((at, key) => (typeof at === "object" && at !== null ? (at as Record<string, unknown>)[key] : undefined), inputs);
    if (value !== undefined) picked[path] = value;
  }
  return Object.keys(picked).length > 0 ? picked : undefined;
}

/**
 * Service-linked roles: one per AWS service and account, created by the bootstrap layer (they exist
 * once per account, whichever stack runs there) and read by the platform, whose key policies name them.
 *
 * Facts (AWS docs, "Using service-linked roles" of each service; Pulumi registry, aws.iam.ServiceLinkedRole):
 * - the role name is fixed per service and the ARN is
 *   `arn:<partition>:iam::<account>:role/aws-service-role/<service>/<role name>`;
 * - a fresh account has none of them until something creates them. Auto Scaling creates its own only
 *   when a group is created from the console (hashicorp/terraform-provider-aws#28644), so a key policy
 *   naming AWSServiceRoleForAutoScaling before the first group fails with MalformedPolicyDocumentException;
 * - CreateServiceLinkedRole on a role that exists fails with `InvalidInput: Service role name ... has
 *   been taken in this account` (DataDog/pathfinding-labs#23), so an existing role is adopted by
 *   import (`pulumi import aws:iam/serviceLinkedRole:ServiceLinkedRole <name> <role ARN>`, the import
 *   id being the role ARN) instead of being created: the bootstrap's `serviceLinkedRoles.adopt` list.
 */
export interface ServiceLinkedRoleSpec {
  readonly service: string;
  readonly roleName: string;
  /** Who relies on it existing before our first deploy. */
  readonly why: string;
}

export const AUTO_SCALING = "autoscaling.amazonaws.com";

export const SERVICE_LINKED_ROLES: readonly ServiceLinkedRoleSpec[] = [
  { service: AUTO_SCALING, roleName: "AWSServiceRoleForAutoScaling", why: "named by the EBS default, cluster and proxy key policies (launches encrypted volumes)" },
  { service: "eks.amazonaws.com", roleName: "AWSServiceRoleForAmazonEKS", why: "the EKS control plane's ENIs and security groups" },
  { service: "eks-nodegroup.amazonaws.com", roleName: "AWSServiceRoleForAmazonEKSNodegroup", why: "EKS managed node groups (their Auto Scaling groups and launch templates)" },
  { service: "elasticloadbalancing.amazonaws.com", roleName: "AWSServiceRoleForElasticLoadBalancing", why: "the edge ALB and the proxy NLB" },
  { service: "config.amazonaws.com", roleName: "AWSServiceRoleForConfig", why: "the AWS Config recorder of the detective controls (src/security) records as this role" },
];

/** Services whose role the platform's own policies name: it reads them (and fails clearly when missing). */
export const NAMED_BY_PLATFORM_POLICIES: readonly string[] = [AUTO_SCALING];

export function serviceLinkedRole(service: string): ServiceLinkedRoleSpec {
  const spec = SERVICE_LINKED_ROLES.find((s) => s.service === service);
  if (spec === undefined) throw new Error(`no service-linked role is known for "${service}" (src/account/service-linked-roles.ts)`);
  return spec;
}

export function serviceLinkedRoleArn(partition: string, accountId: string, service: string): string {
  return `arn:${partition}:iam::${accountId}:role/aws-service-role/${service}/${serviceLinkedRole(service).roleName}`;
}

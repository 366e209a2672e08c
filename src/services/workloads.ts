/**
 * The catalog's services in the cluster (D1): per service its pod-identity role (messaging grants and
 * its own database secret only, tagged `service=<name>`), the Pod Identity association, the database
 * password Secret, and every object of `planServiceObjects`, registered with the cluster's provider.
 */
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "../conventions/context";
import { combine, databaseSecretStatements, podIdentityTrust, type Statement } from "./iam-documents";
import type { KubeObject } from "./objects";
import { registerObject } from "./register";
import { needsMessagingRights } from "./service-identity";
import { planServiceObjects, type ServicesPlanInput } from "./workload-plan";

export const COMPONENT = "services";

/** What the workloads need from messaging (`Messaging` satisfies it). */
export interface WorkloadMessaging {
  statementsFor(service: string): pulumi.Output<readonly Statement[]>;
}

/** What a service owning a database needs (`DatabaseHosts.access[service]`): where its credentials are. */
export interface WorkloadDatabaseAccess {
  readonly secretArn: pulumi.Output<string>;
}

export interface ServiceWorkloadsArgs {
  readonly ctx: PlatformContext;
  readonly plan: ServicesPlanInput;
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Input<string>;
  readonly messaging: WorkloadMessaging;
  /** The notifications service (SES send rights come with its messaging statements). */
  readonly notifier: string;
  readonly databaseAccess: Readonly<Record<string, WorkloadDatabaseAccess>>;
  /** The key of the database secrets (`DatabaseHosts.key.arn`). */
  readonly databaseKeyArn: pulumi.Input<string>;
  /** Nodes, add-ons and access entries: objects wait for a usable cluster. */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class ServiceWorkloads extends pulumi.ComponentResource {
  readonly roles: Readonly<Record<string, aws.iam.Role>>;
  readonly objects: readonly KubeObject[];
  readonly namespaces: Readonly<Record<string, pulumi.CustomResource>>;

  constructor(name: string, args: ServiceWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fitness:services:ServiceWorkloads", name, {}, opts);
    const { ctx } = args;
    const planned = planServiceObjects(args.plan);
    const roles: Record<string, aws.iam.Role> = {};
    const namespaces: Record<string, pulumi.CustomResource> = {};
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn };

    for (const svc of planned) {
      const service = svc.service;
      const roleName = ctx.name(COMPONENT, service, 64);
      const role = new aws.iam.Role(
        `${name}-${service}-role`,
        {
          permissionsBoundary: ctx.permissionsBoundary,
          name: roleName,
          description: `Pod identity of the ${service} service: its queues, topics and database secret only`,
          assumeRolePolicy: pulumi
            .all([ctx.accountId, args.clusterName])
            .apply(([accountId, clusterName]) => JSON.stringify(podIdentityTrust({ partition: "aws", region: ctx.region, accountId, clusterName }))),
          maxSessionDuration: 3600,
          // MSG-04/05 and IAM-01 find a service's role by this tag.
          tags: { ...ctx.tags({ component: COMPONENT, zone: "app" }, roleName), service },
        },
        { parent: this },
      );
      roles[service] = role;

      const parts: pulumi.Output<readonly Statement[]>[] = [];
      if (needsMessagingRights(args.plan.catalog, service, args.notifier)) parts.push(args.messaging.statementsFor(service));
      const access = args.databaseAccess[service];
      if (access !== undefined) {
        parts.push(pulumi.all([access.secretArn, args.databaseKeyArn]).apply(([secretArn, keyArn]) => databaseSecretStatements({ secretArn, keyArn, region: ctx.region })));
      }
      if (parts.length > 0) {
        new aws.iam.RolePolicy(
          `${name}-${service}-rights`,
          { role: role.id, name: `${service}-rights`, policy: pulumi.all(parts).apply((lists) => JSON.stringify(combine(lists.flat()))) },
          { parent: this },
        );
      }
      new aws.eks.PodIdentityAssociation(
        `${name}-${service}-pod-identity`,
        { clusterName: args.clusterName, namespace: svc.namespace, serviceAccount: service, roleArn: role.arn, tags: ctx.tags({ component: COMPONENT, zone: "app" }, `${roleName}-association`) },
        { parent: this },
      );

      const [nsObject, ...rest] = svc.objects;
      if (nsObject === undefined || nsObject.kind !== "Namespace") throw new Error(`plan of ${service}: the namespace must come first`);
      const namespace = registerObject(name, nsObject, k8sOpts);
      namespaces[service] = namespace;
      const inNamespace = { ...k8sOpts, dependsOn: [...args.dependsOn, namespace] };
      for (const object of rest) registerObject(name, object, inNamespace);
    }
    this.roles = roles;
    this.namespaces = namespaces;
    this.objects = planned.flatMap((s) => s.objects);
    this.registerOutputs({ roleArns: this.roleArns() });
  }

  /** Pod-identity role ARN per service, for stack outputs. */
  roleArns(): pulumi.Output<Record<string, string>> {
    return pulumi.all(Object.fromEntries(Object.entries(this.roles).map(([s, r]) => [s, r.arn])));
  }
}

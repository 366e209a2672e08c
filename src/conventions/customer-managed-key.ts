import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** KMS-01: a deleted key can be recovered for the longest window AWS allows. */
export const KEY_DELETION_WINDOW_DAYS = 30;

export interface CustomerManagedKeyArgs {
  readonly description: pulumi.Input<string>;
  /** The key policy (JSON); without one AWS applies its default (account root administers). */
  readonly policy?: pulumi.Input<string>;
  readonly tags: Record<string, string>;
  /** `alias/<name>`. */
  readonly alias: pulumi.Input<string>;
}

/**
 * A customer-managed key with yearly rotation and the 30-day deletion window, and its alias. The key
 * takes `opts` (critical keys are protected in prod); the alias only the parent: it holds no data.
 * `names` are the logical names of the two resources.
 */
export function customerManagedKey(
  names: { readonly key: string; readonly alias: string },
  args: CustomerManagedKeyArgs,
  opts: pulumi.CustomResourceOptions & { readonly parent: pulumi.Resource },
): aws.kms.Key {
  const key = new aws.kms.Key(
    names.key,
    {
      description: args.description,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      ...(args.policy === undefined ? {} : { policy: args.policy }),
      tags: args.tags,
    },
    opts,
  );
  new aws.kms.Alias(names.alias, { name: args.alias, targetKeyId: key.keyId }, { parent: opts.parent });
  return key;
}

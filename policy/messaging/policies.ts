import type { PlatformPolicy } from "../framework/metadata";
import { messagingCmkEncryption } from "./msg-01-cmk-encryption";
import { messagingResourcePolicies } from "./msg-02-queue-topic-policies";
import { messagingSubscriptionTargets } from "./msg-03-subscription-targets";
import { messagingSubscribedEventsPublished } from "./msg-04-subscribed-events-published";
import { messagingQueueOwnership } from "./msg-05-queue-ownership";

export const messagingPolicies: readonly PlatformPolicy[] = [
  messagingCmkEncryption,
  messagingResourcePolicies,
  messagingSubscriptionTargets,
  messagingSubscribedEventsPublished,
  messagingQueueOwnership,
];

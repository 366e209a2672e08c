/**
 * Environment minimums the design sets (D6 availability, D7 retention); the config rules and the
 * policies check the same floor. A module of its own: the policies read it without loading the config
 * schema (zod), which the audit does not need.
 */
export const ENVIRONMENT_RULES = {
  dev: { minAzs: 2, minLogRetentionDays: 30 },
  prod: { minAzs: 3, minLogRetentionDays: 365 },
} as const;

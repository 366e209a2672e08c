/**
 * Memory of the EC2 instance types a database host may use, in MiB (AWS's published sizes). PostgreSQL's
 * memory settings are derived from it, so a type missing here is rejected by config validation rather
 * than guessed. All are Nitro types: the data volume is found by its NVMe serial (the volume id).
 */
const GIB = 1024;

export const INSTANCE_MEMORY_MIB: Readonly<Record<string, number>> = {
  "t3.medium": 4 * GIB,
  "t3.large": 8 * GIB,
  "t3.xlarge": 16 * GIB,
  "t3.2xlarge": 32 * GIB,
  "m6i.large": 8 * GIB,
  "m6i.xlarge": 16 * GIB,
  "m6i.2xlarge": 32 * GIB,
  "m6i.4xlarge": 64 * GIB,
  "m7i.large": 8 * GIB,
  "m7i.xlarge": 16 * GIB,
  "m7i.2xlarge": 32 * GIB,
  "m7i.4xlarge": 64 * GIB,
  "r6i.large": 16 * GIB,
  "r6i.xlarge": 32 * GIB,
  "r6i.2xlarge": 64 * GIB,
  "r6i.4xlarge": 128 * GIB,
  "r7i.large": 16 * GIB,
  "r7i.xlarge": 32 * GIB,
  "r7i.2xlarge": 64 * GIB,
  "r7i.4xlarge": 128 * GIB,
};

export const KNOWN_DB_INSTANCE_TYPES: readonly string[] = Object.keys(INSTANCE_MEMORY_MIB);

export function instanceMemoryMiB(instanceType: string): number {
  const mib = INSTANCE_MEMORY_MIB[instanceType];
  if (mib === undefined) {
    throw new Error(`instance type "${instanceType}" has no known memory size; allowed: ${KNOWN_DB_INSTANCE_TYPES.join(", ")}`);
  }
  return mib;
}


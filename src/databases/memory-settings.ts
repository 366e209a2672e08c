/**
 * PostgreSQL memory settings derived from the host's memory, the usual rules of thumb for a dedicated
 * database server: a quarter of RAM for shared buffers, three quarters as the planner's cache estimate,
 * and per-sort memory sized so that every allowed connection can run a few sorts at once without the
 * host swapping.
 */
export interface MemorySettings {
  readonly sharedBuffersMiB: number;
  readonly effectiveCacheSizeMiB: number;
  readonly maintenanceWorkMemMiB: number;
  readonly workMemKiB: number;
}

/** Sorts/hashes one query may run at once, used to split the memory left over between connections. */
const OPERATIONS_PER_CONNECTION = 3;
const MIN_WORK_MEM_KIB = 4 * 1024;
const MAX_WORK_MEM_KIB = 256 * 1024;
const MIN_MAINTENANCE_MIB = 64;
/** Beyond 2 GiB, VACUUM and CREATE INDEX gain little. */
const MAX_MAINTENANCE_MIB = 2 * 1024;

export function memorySettings(memoryMiB: number, maxConnections: number): MemorySettings {
  if (!Number.isInteger(memoryMiB) || memoryMiB < 1024) throw new Error(`memory ${memoryMiB} MiB: allowed: a whole number >= 1024`);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new Error(`maxConnections ${maxConnections}: allowed: a whole number >= 1`);
  const sharedBuffersMiB = Math.floor(memoryMiB / 4);
  const effectiveCacheSizeMiB = Math.floor((memoryMiB * 3) / 4);
  const maintenanceWorkMemMiB = clamp(Math.floor(memoryMiB / 16), MIN_MAINTENANCE_MIB, MAX_MAINTENANCE_MIB);
  const leftKiB = (memoryMiB - sharedBuffersMiB) * 1024;
  const workMemKiB = clamp(Math.floor(leftKiB / (maxConnections * OPERATIONS_PER_CONNECTION)), MIN_WORK_MEM_KIB, MAX_WORK_MEM_KIB);
  return { sharedBuffersMiB, effectiveCacheSizeMiB, maintenanceWorkMemMiB, workMemKiB };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * Kubernetes resource quantities, as far as the catalog uses them (`250m`, `1`, `512Mi`, `1Gi`): parsed
 * to millicores and MiB so that quotas can be derived from per-pod limits, and rendered back.
 */
const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Mi|Gi)$/;

export function cpuMillis(quantity: string): number {
  const m = CPU.exec(quantity);
  if (m === null) throw new Error(`cpu quantity "${quantity}": allowed: millicores such as 250m or cores such as 1 or 0.5`);
  const value = Number(m[1]);
  return Math.round(m[2] === "m" ? value : value * 1000);
}

export function memoryMiB(quantity: string): number {
  const m = MEMORY.exec(quantity);
  if (m === null) throw new Error(`memory quantity "${quantity}": allowed: Mi or Gi such as 512Mi or 1Gi`);
  const value = Number(m[1]);
  return Math.round(m[2] === "Gi" ? value * 1024 : value);
}

export const renderCpu = (millis: number) => (millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`);
export const renderMemory = (mib: number) => (mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`);

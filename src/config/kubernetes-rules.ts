/**
 * What the Kubernetes API server would refuse, checked at configuration time so that a bad catalog is a
 * one-line error (exit 2) instead of a failed deploy.
 *
 * - Namespace and Service names are RFC 1123 DNS labels: lower-case alphanumerics and '-', starting and
 *   ending with an alphanumeric, at most 63 characters (Kubernetes "Object Names and IDs"; Services are
 *   RFC 1035 labels, which also start with a letter, which the catalog's name pattern already requires).
 * - Quantities follow the resource.Quantity grammar (k8s.io/apimachinery/pkg/api/resource):
 *   <number><suffix>, suffix binary (Ki Mi Gi Ti Pi Ei), decimal (n u m "" k M G T P E) or an exponent
 *   (e3). The platform takes the sensible subset: CPU in cores or millicores (the API refuses precision
 *   finer than 1m), memory in bytes with a binary or decimal suffix, never below one byte ("256m" memory
 *   is 0.256 bytes: valid grammar, a certain OOM kill, so refused).
 */
export const DNS1123_LABEL_MAX = 63;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespaces of Kubernetes itself; `kube-` is reserved for the system by convention. */
const KUBERNETES_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export function dns1123LabelProblem(name: string): string | undefined {
  if (name.length > DNS1123_LABEL_MAX) return `allowed: at most ${DNS1123_LABEL_MAX} characters (a Kubernetes namespace and Service name); this one has ${name.length}`;
  if (!DNS1123_LABEL.test(name)) return "allowed: a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
  return undefined;
}

/** Why `name` cannot be a service's namespace: a Kubernetes or platform namespace, or the `kube-` prefix. */
export function reservedNamespaceProblem(name: string, platformNamespaces: readonly string[]): string | undefined {
  const reserved = [...new Set([...KUBERNETES_NAMESPACES, ...platformNamespaces])];
  if (reserved.includes(name) || name.startsWith("kube-")) {
    return `allowed: a name other than the system's and the platform's namespaces (${reserved.join(", ")}, kube-*)`;
  }
  return undefined;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a Kubernetes quantity, or undefined when the API server would not parse it. */
export function quantityValue(text: string): number | undefined {
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const [, sign = "", digits = "", suffix = ""] = m;
  const number = Number(`${sign}${digits}`);
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? undefined : number * factor;
}

/** CPU in millicores, or why the quantity is not one. */
export function cpuMillicores(text: string): number | string {
  const value = quantityValue(text);
  if (value === undefined || !/^(\d+(\.\d+)?|\d+m)$/.test(text)) return "allowed: a CPU quantity in cores (1, 0.5) or millicores (250m)";
  const millis = value * 1000;
  if (millis < 1) return "allowed: at least 1m (Kubernetes refuses CPU finer than 1m)";
  if (Math.abs(millis - Math.round(millis)) > 1e-9) return "allowed: a whole number of millicores (Kubernetes refuses CPU finer than 1m)";
  return Math.round(millis);
}

/** Memory in bytes, or why the quantity is not one the platform accepts. */
export function memoryBytes(text: string): number | string {
  const value = quantityValue(text);
  if (value === undefined || !/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/.test(text)) {
    return "allowed: a memory quantity such as 512Mi, 1Gi or 500M (binary or decimal suffix; not m, which means thousandths of a byte)";
  }
  if (value < 4 * 2 ** 20) return "allowed: at least 4Mi (a container needs more memory than that to start)";
  return value;
}

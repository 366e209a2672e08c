import type { PolicyResource } from "@pulumi/policy";
import { EXCEPTIONS_PARAMETER_SUFFIX, type ExceptionsDocument, parseExceptionsDocument, PROXY_COMPONENT } from "../../src/dmz/egress-register";
import { type DatedEntry, parseExceptionsFile } from "../../src/dmz/squid/exceptions-file";
import { allowlistFile, DEPLOYER_CLIENT, HOST_PATHS } from "../../src/dmz/squid/paths";
import { fileFromUserData } from "../../src/dmz/squid/user-data";
import { AUTOSCALING_GROUP, INSTANCE, LAUNCH_TEMPLATE } from "../ec2/compute";
import { decodeUserData } from "../ec2/secret-scan";
import { isRecord, peekTexts, tagsOf, text } from "../framework/props";
import type { StackIndex } from "../framework/stack-index";

/**
 * How the egress rules (EGR-01, EGR-02) find the proxy and its exceptions in a stack: the proxy's
 * resources carry `component=egress-proxy`; any host whose user-data sets up Squid counts too, tag or
 * not. The exceptions come from the register (an SSM parameter) and from the dated file in the hosts'
 * user-data, which is what the hosts actually enforce.
 */
export const SSM_PARAMETER = "aws:ssm/parameter:Parameter";
export const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

export function isTaggedProxy(resource: PolicyResource): boolean {
  return isRecord(resource.props) && tagsOf(resource.props)["component"] === PROXY_COMPONENT;
}

/** User-data as the host sees it; values unknown during preview are skipped (other rules cover them). */
export function userDataOf(resource: PolicyResource): string | undefined {
  if (resource.type === LAUNCH_TEMPLATE) {
    const [value] = peekTexts(resource.props, "userData");
    return value === undefined ? undefined : decodeUserData(value, true);
  }
  if (resource.type === INSTANCE) {
    const [plain] = peekTexts(resource.props, "userData");
    if (plain !== undefined) return decodeUserData(plain, false);
    const [encoded] = peekTexts(resource.props, "userDataBase64");
    return encoded === undefined ? undefined : decodeUserData(encoded, true);
  }
  return undefined;
}

const RUNS_SQUID = /(^|\n)\s*-\s*squid\s*(\n|$)|squid\.conf|\/usr\/sbin\/squid/;

/** Launch templates, instances and groups of the proxy: tagged so, or running Squid. */
export function proxyCompute(index: StackIndex): PolicyResource[] {
  return index.ofType(LAUNCH_TEMPLATE, INSTANCE, AUTOSCALING_GROUP).filter((r) => isTaggedProxy(r) || RUNS_SQUID.test(userDataOf(r) ?? ""));
}

export function proxyLoadBalancers(index: StackIndex): PolicyResource[] {
  return index.ofType(...LOAD_BALANCER_TYPES).filter(isTaggedProxy);
}

export interface Register {
  readonly resource: PolicyResource;
  readonly document: ExceptionsDocument | { readonly error: string };
}

/** The exceptions registers: SSM parameters named `.../egress/exceptions`, or tagged as the proxy's. */
export function registers(index: StackIndex): Register[] {
  return index
    .ofType(SSM_PARAMETER)
    .filter((p) => (text(p.props["name"]) ?? "").endsWith(EXCEPTIONS_PARAMETER_SUFFIX) || isTaggedProxy(p))
    .map((resource) => {
      const [value] = peekTexts(resource.props, "value");
      const [insecure] = peekTexts(resource.props, "insecureValue");
      const raw = value ?? insecure;
      return { resource, document: raw === undefined ? { error: "has no readable value" } : parseExceptionsDocument(raw) };
    });
}

/** The dated exceptions a proxy host is given in its user-data (what its expiry timer enforces). */
export function hostExceptions(resource: PolicyResource): DatedEntry[] | undefined {
  const userData = userDataOf(resource);
  if (userData === undefined) return undefined;
  const file = fileFromUserData(userData, HOST_PATHS.exceptionsFile);
  return file === undefined ? undefined : parseExceptionsFile(file);
}

/** Names written straight into a Squid `dstdomain` ACL in the user-data (not from a file). */
export function inlineSquidDomains(resource: PolicyResource): string[] {
  const userData = userDataOf(resource);
  if (userData === undefined) return [];
  const conf = fileFromUserData(userData, HOST_PATHS.configFile) ?? userData;
  const domains: string[] = [];
  for (const line of conf.split("\n")) {
    const acl = /^\s*acl\s+\S+\s+dstdomain\s+(.+)$/.exec(line);
    if (acl?.[1] === undefined) continue;
    for (const word of acl[1].trim().split(/\s+/)) if (!word.startsWith('"') && !word.startsWith("-")) domains.push(word);
  }
  return domains;
}

/** The in-VPC deployer's fixed allowlist in a proxy host's user-data (`allow-deployer.domains`). */
export function deployerAllowlistOf(resource: PolicyResource): string[] {
  const userData = userDataOf(resource);
  if (userData === undefined) return [];
  const file = fileFromUserData(userData, allowlistFile(HOST_PATHS, DEPLOYER_CLIENT)) ?? "";
  return file.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

/** The in-VPC deployer's security group: a standing client of the proxy from the DMZ (src/deployer). */
export function isDeployerGroup(resource: PolicyResource): boolean {
  if (!isRecord(resource.props)) return false;
  const tags = tagsOf(resource.props);
  return tags["component"] === "deployer" && tags["zone"] === "dmz";
}

export function resourceLabel(resource: PolicyResource): string {
  return `${resource.type.split(":").pop() ?? resource.type} "${resource.name}"`;
}

import { defineStackPolicy } from "../framework/define";
import { at, flag, list, peekTexts, text } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { acceptsOnly, type TlsVersion } from "../../src/conventions/tls-policies";
import { isApplication, isInternetFacing, label, listenersOf, LOAD_BALANCER_TYPES, loadBalancerZones } from "./edge-facts";
import { environmentOf } from "../framework/environment";

export const edge01PublicAlb = defineStackPolicy({
  meta: {
    id: "EDGE-01",
    title: "Internet-facing ALB only in the DMZ, hardened: TLS 1.2+, HTTP to HTTPS, header and desync protection, logs",
    severity: "high",
    decisions: ["D3", "D6"],
    controls: {
      fsbp: ["ELB.1", "ELB.4", "ELB.5", "ELB.6", "ELB.12", "ELB.17"],
      checkov: ["CKV_AWS_2", "CKV_AWS_91", "CKV_AWS_103", "CKV_AWS_131", "CKV_AWS_150", "CKV_AWS_328"],
    },
    description:
      "Every internet-facing load balancer sits in dmz subnets only. An internet-facing ALB also: drops invalid header fields, uses " +
      "the strictest desync mitigation, writes access logs, has deletion protection when tagged environment=prod, serves HTTPS " +
      "listeners with a security policy of a TLS 1.2+ family (TLS13-1-2-*, TLS13-1-3-*, TLS-1-2-*, FS-1-2-*, their FIPS and " +
      "post-quantum variants; judged by name, not a frozen list) and a certificate, and answers plain HTTP only with a permanent redirect to HTTPS.",
    remediation:
      'Set dropInvalidHeaderFields: true, desyncMitigationMode: "strictest", accessLogs { enabled: true, bucket }, ' +
      "enableDeletionProtection in prod; HTTPS listeners with sslPolicy ELBSecurityPolicy-TLS13-1-2-2021-06 (or stricter) and a " +
      'certificateArn; an HTTP listener whose default action is a redirect { protocol: "HTTPS", statusCode: "HTTP_301" }.',
    enforcementLevel: "mandatory",
  },
  config: {
    minimumTlsVersion: {
      type: "string",
      enum: ["1.2", "1.3"],
      default: "1.2",
      description: "Oldest TLS version a listener's predefined policy may accept (judged from the policy family's name).",
    },
    allowedTlsPolicies: { type: "array", items: { type: "string" }, default: [], description: "Further policies accepted by name (custom ones)." },
    desyncModes: { type: "array", items: { type: "string" }, default: ["strictest"] },
  },
  validate: (args, reportViolation) => {
    const index = new StackIndex(args.resources);
    const publicLbs = index.ofType(...LOAD_BALANCER_TYPES).filter(isInternetFacing);
    if (publicLbs.length === 0) args.notApplicable("the stack has no internet-facing load balancer");
    const config = args.getConfig<{ allowedTlsPolicies?: string[]; desyncModes?: string[]; minimumTlsVersion?: TlsVersion }>();
    const extraTlsPolicies = new Set(config.allowedTlsPolicies ?? []);
    const minimumTls = config.minimumTlsVersion ?? "1.2";
    const desyncModes = config.desyncModes ?? ["strictest"];

    for (const lb of publicLbs) {
      const what = label(lb);
      const outside = loadBalancerZones(index, lb).filter((z) => z !== "dmz");
      if (outside.length > 0) reportViolation(`${what} is internet-facing in zone ${outside.join(", ")}; only the DMZ may face the internet.`, lb.urn);
      if (!isApplication(lb)) continue;

      if (flag(lb.props["dropInvalidHeaderFields"]) !== true) reportViolation(`${what} does not drop invalid header fields (dropInvalidHeaderFields).`, lb.urn);
      const desync = text(lb.props["desyncMitigationMode"]) ?? "defensive";
      if (!desyncModes.includes(desync)) reportViolation(`${what} uses desync mitigation "${desync}"; required: ${desyncModes.join(" or ")}.`, lb.urn);
      const logs = lb.props["accessLogs"];
      // The bucket may be unknown during preview (another resource's output): set is what matters here.
      const bucketSet = peekTexts(logs, "bucket").some((b) => b !== "") || (lb.propertyDependencies["accessLogs"]?.length ?? 0) > 0;
      if (flag(at(logs, "enabled")) !== true || !bucketSet) reportViolation(`${what} writes no access logs (accessLogs.enabled with a bucket).`, lb.urn);
      if (environmentOf(lb) === "prod" && flag(lb.props["enableDeletionProtection"]) !== true) {
        reportViolation(`${what} is a prod load balancer without deletion protection.`, lb.urn);
      }

      const listeners = listenersOf(index, lb);
      if (!listeners.some((l) => text(l.props["protocol"]) === "HTTPS")) reportViolation(`${what} has no HTTPS listener.`, lb.urn);
      for (const listener of listeners) {
        const protocol = text(listener.props["protocol"]) ?? "HTTP";
        if (protocol === "HTTPS") {
          const policy = text(listener.props["sslPolicy"]) ?? "(the default, ELBSecurityPolicy-2016-08)";
          if (!acceptsOnly(policy, minimumTls, extraTlsPolicies)) {
            reportViolation(`${label(listener)} uses TLS policy ${policy}; required: a TLS ${minimumTls}+ policy such as ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09.`, listener.urn, `tls policy ${policy}`);
          }
          const certificateSet = peekTexts(listener.props, "certificateArn").some((c) => c !== "") || (listener.propertyDependencies["certificateArn"]?.length ?? 0) > 0;
          if (!certificateSet) {
            reportViolation(`${label(listener)} has no certificate.`, listener.urn);
          }
          continue;
        }
        const actions = list(listener.props["defaultActions"]);
        const redirect = actions.length === 1 && text(at(actions[0], "type")) === "redirect" ? at(actions[0], "redirect") : undefined;
        if (redirect === undefined || text(at(redirect, "protocol")) !== "HTTPS") {
          reportViolation(`${label(listener)} serves ${protocol} without redirecting to HTTPS.`, listener.urn);
        } else if (text(at(redirect, "statusCode")) !== "HTTP_301") {
          reportViolation(`${label(listener)} redirects to HTTPS with ${text(at(redirect, "statusCode")) ?? "no status"}; required: HTTP_301 (permanent).`, listener.urn);
        }
      }
    }
  },
});

import { findCredentials, isHarmlessValue } from "../ec2/secret-scan";
import { defineStackPolicy } from "../framework/define";
import { at, isRecord, list, text, texts } from "../framework/props";
import { StackIndex } from "../framework/stack-index";
import { containersOf, kubeObjects, label, podTemplates } from "./objects";

/** Variable and key names that say the value is a secret (PASSWORD, DB_PASS, API_KEY, CLIENT_SECRET, AUTH_TOKEN ...). */
const SECRET_NAME = /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|private[-_]?key|access[-_]?key|credentials?)($|[^a-z])/i;

export function secretLikeName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, "$1_$2"));
}

export const k8sSecretsByValue = defineStackPolicy({
  meta: {
    id: "K8S-08",
    title: "No secrets passed to containers by value",
    severity: "high",
    decisions: ["D1", "D5"],
    controls: { checkov: ["CKV_K8S_35"], other: ["NSA/CISA Kubernetes Hardening: secrets"] },
    description:
      "No container (or init or ephemeral container) of a pod template gets a secret as a literal: an env variable with a " +
      "secret-like name (password, secret, token, API or private key, credentials) set by `value`, or any env value, command or " +
      "argument holding credential material (a URI with user:password@, a private key, an AWS access key, a GitHub or Slack " +
      "token); and no ConfigMap carries such values (it is mounted or injected by value, unencrypted and readable by anyone " +
      "who can read ConfigMaps). References ($(VAR), valueFrom.secretKeyRef) are fine.",
    remediation:
      "Keep the secret in a Kubernetes Secret filled from Secrets Manager and reference it (valueFrom.secretKeyRef or a mounted " +
      "volume); build connection URIs in the process from separate user and password references.",
    enforcementLevel: "mandatory",
  },
  validate: (args, reportViolation) => {
    const objects = kubeObjects(new StackIndex(args.resources));
    const templates = podTemplates(objects);
    const configMaps = objects.filter((o) => o.kind === "ConfigMap");
    if (templates.length === 0 && configMaps.length === 0) args.notApplicable("the stack has no pod templates or ConfigMaps");

    for (const template of templates) {
      const owner = label(template.owner);
      for (const container of containersOf(template.spec)) {
        const where = `${owner} ${container.kind} "${container.name}"`;
        for (const env of list(container.props["env"])) {
          if (!isRecord(env) || !("value" in env)) continue;
          const name = text(env["name"]) ?? "?";
          const value = text(env["value"]) ?? "";
          if (secretLikeName(name) && !isHarmlessValue(value)) {
            reportViolation(`${where} sets ${name} to a literal value; reference a Secret (valueFrom.secretKeyRef).`, template.owner.resource.urn, `${container.name} env ${name}`);
            continue;
          }
          for (const f of findCredentials(value)) reportViolation(`${where}: env ${name} holds ${f.kind}.`, template.owner.resource.urn, `${container.name} env ${name} ${f.kind}`);
        }
        const argv = [...texts(at(container.props, "command")), ...texts(at(container.props, "args"))].join("\n");
        for (const f of findCredentials(argv)) reportViolation(`${where}: its command or arguments hold ${f.kind}.`, template.owner.resource.urn, `${container.name} args ${f.kind}`);
      }
    }

    for (const cm of configMaps) {
      const data = at(cm.props, "data");
      if (!isRecord(data)) continue;
      for (const [key, raw] of Object.entries(data)) {
        const value = text(raw) ?? "";
        if (secretLikeName(key) && !isHarmlessValue(value) && !value.includes("\n")) {
          reportViolation(`${label(cm)} key ${key} holds a literal secret value; use a Secret.`, cm.resource.urn, `data ${key}`);
          continue;
        }
        for (const f of findCredentials(value)) reportViolation(`${label(cm)} key ${key} holds ${f.kind}.`, cm.resource.urn, `data ${key} ${f.kind}`);
      }
    }
  },
});

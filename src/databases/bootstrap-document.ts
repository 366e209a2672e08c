/**
 * An SSM Command document (schema 2.2) that runs a host's bootstrap script. Run Command executes its
 * lines with /bin/sh, so the script (bash) is written to a root-only file by a quoted heredoc and run
 * with bash; nothing in it is expanded on the way.
 */
const END = "FITNESS_BOOTSTRAP_EOF";
const SCRIPT = "/root/fitness-bootstrap.sh";

export interface SsmCommandDocument {
  readonly schemaVersion: "2.2";
  readonly description: string;
  readonly mainSteps: readonly {
    readonly action: "aws:runShellScript";
    readonly name: string;
    readonly inputs: { readonly runCommand: readonly string[]; readonly timeoutSeconds: string };
  }[];
}

export function bootstrapDocument(domain: string, script: string): SsmCommandDocument {
  const lines = script.replace(/\n$/, "").split("\n");
  if (lines.includes(END)) throw new Error(`bootstrap of ${domain}: allowed: a script without a line "${END}"`);
  return {
    schemaVersion: "2.2",
    description: `Runs the current bootstrap of the PostgreSQL host of ${domain} again (idempotent; no secrets inside).`,
    mainSteps: [
      {
        action: "aws:runShellScript",
        name: "bootstrap",
        inputs: {
          runCommand: [`umask 077`, `cat > ${SCRIPT} <<'${END}'`, ...lines, END, `bash ${SCRIPT}`],
          timeoutSeconds: "3600",
        },
      },
    ],
  };
}

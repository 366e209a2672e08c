import { RunError } from "@pulumi/pulumi";

/**
 * All configuration problems of a stack, one line each. A RunError, so the Pulumi CLI prints the
 * lines without a stack trace: these are user mistakes, not program bugs.
 */
export class ConfigError extends RunError {
  constructor(readonly lines: string[]) {
    super(`invalid configuration (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
    this.name = "ConfigError";
  }
}

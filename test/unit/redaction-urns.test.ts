import { describe, expect, it } from "vitest";
import { maskSecrets, rememberFlaggedValues } from "../../src/offline/redaction/secrets";

describe("secret masking of reports", () => {
  it("keeps URNs of secrets readable (a waiver table names them) while masking secret values", () => {
    const urn = "urn:pulumi:dev::fitness-platform::fitness:backups:Backups$aws:secretsmanager/secret:Secret::backups-personal-data-cipher";
    rememberFlaggedValues({ type: "aws:secretsmanager/secret:Secret", propertyDependencies: { secret: [urn] }, dependencies: [urn], password: "hunter2-correct-horse" });
    const report = `waived: ${urn} (aws:secretsmanager/secret:Secret); password hunter2-correct-horse`;
    expect(maskSecrets(report)).toBe(`waived: ${urn} (aws:secretsmanager/secret:Secret); password [secret]`);
  });
});

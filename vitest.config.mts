import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The commands run compiled JavaScript (dist/); rebuild it when the sources are newer.
    globalSetup: ["test/support/compiled-build.ts"],
    // Program tests load the whole AWS SDK under mocks; host tests start real daemons.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Host tests share network namespaces and daemons; files run one at a time to keep labs apart.
    fileParallelism: false,
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node refuses;
    // transformed by Vite it loads (test/unit/workflows.test.ts).
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});

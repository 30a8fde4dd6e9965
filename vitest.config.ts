import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/env.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "sources", include: ["test/**/*.test.ts"] } },
      {
        // The API-level tests again, against the esbuild bundles Lambda runs (lib/bundling.ts):
        // between them they call every area's function through scripts/local/api.ts, and the
        // projector: the ledger (ledger, admin, public), webhooks, eligibility, the fund,
        // leaderboards and their settings (with the projector), the directory over the local
        // server, API Gateway's own answers (which also checks the bundles are what runs), and
        // the log lines and X-Ray subsegments Powertools records from inside the bundles.
        extends: true,
        test: {
          name: "bundles",
          globalSetup: ["test/support/bundles-setup.ts"],
          include: [
            "test/ledger/ledger-api.test.ts",
            "test/awards/webhooks.test.ts",
            "test/gates/eligibility.test.ts",
            "test/fund/fund.test.ts",
            "test/leaderboards/leaderboard.test.ts",
            "test/directory/directory-api.test.ts",
            "test/system/gateway.test.ts",
            "test/system/logs.test.ts",
            "test/system/tracing.test.ts",
          ],
        },
      },
    ],
  },
});

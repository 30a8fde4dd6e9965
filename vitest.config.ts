import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Where the suite's workers record the DynamoDB requests the functions make
 * (test/support/sdk-recorder.ts); one folder per run, kept in the environment because vitest
 * loads this file more than once.
 */
process.env.LAUREL_SDK_RECORD ??= mkdtempSync(join(tmpdir(), "laurel-sdk-requests-"));
const sdkRecord = process.env.LAUREL_SDK_RECORD;
/** Where they record every answer of the API (test/infra/contract.test.ts checks them against the OpenAPI document). */
process.env.LAUREL_ANSWER_RECORD ??= mkdtempSync(join(tmpdir(), "laurel-answers-"));
const answerRecord = process.env.LAUREL_ANSWER_RECORD;
const iamConformance = "test/infra/iam-conformance.test.ts";
const contract = "test/infra/contract.test.ts";

export default defineConfig({
  test: {
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/env.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { LAUREL_SDK_RECORD: sdkRecord, LAUREL_ANSWER_RECORD: answerRecord },
    projects: [
      {
        extends: true,
        test: { name: "sources", include: ["test/**/*.test.ts"], exclude: [iamConformance, contract], sequence: { groupOrder: 0 } },
      },
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
          sequence: { groupOrder: 0 },
          globalSetup: ["test/support/bundles-setup.ts"],
          include: [
            "test/ledger/ledger-api.test.ts",
            "test/awards/webhooks.test.ts",
            "test/gates/eligibility.test.ts",
            "test/fund/fund.test.ts",
            "test/leaderboards/leaderboard.test.ts",
            "test/directory/directory-api.test.ts",
            "test/directory/scim.test.ts",
            "test/system/gateway.test.ts",
            "test/system/logs.test.ts",
            "test/system/tracing.test.ts",
          ],
        },
      },
      // Evaluates what both projects recorded, so it runs after them; it needs no DynamoDB.
      {
        test: {
          name: "iam",
          include: [iamConformance],
          env: { LAUREL_SDK_RECORD: sdkRecord, LAUREL_ANSWER_RECORD: answerRecord },
          testTimeout: 300_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "contract",
          include: [contract],
          env: { LAUREL_ANSWER_RECORD: answerRecord },
          testTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

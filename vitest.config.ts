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
const iamConformance = "test/system/iam-conformance.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { LAUREL_SDK_RECORD: sdkRecord },
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: [iamConformance],
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["test/support/env.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      // Evaluates what the whole suite recorded, so it runs after it.
      { extends: true, test: { name: "iam", include: [iamConformance], sequence: { groupOrder: 1 } } },
    ],
  },
});

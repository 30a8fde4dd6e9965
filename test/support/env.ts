/**
 * Runs before each test file: points the handlers at this file's own tables in DynamoDB Local
 * and at a dev issuer made for this file, before any handler module is imported.
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createDynamoClient } from "../../functions/dynamo/client.ts";
import { devAuthEnv, loadDevIssuer } from "../../scripts/local/dev-issuer.ts";
import { createTables } from "../../scripts/local/dynamo.ts";
import { recordAnswers, recordSdkRequests } from "./sdk-recorder.ts";

const suffix = randomUUID().slice(0, 8);

export const tableNames = { ledger: `ledger-${suffix}`, state: `state-${suffix}` };

Object.assign(process.env, {
  DYNAMODB_ENDPOINT: inject("dynamoEndpoint"),
  // This file's own database in DynamoDB Local (letters and digits only, as it requires).
  LAUREL_LOCAL_DATABASE: `file${suffix.replaceAll("-", "")}`,
  AWS_REGION: "local",
  LEDGER_TABLE: tableNames.ledger,
  STATE_TABLE: tableNames.state,
  // Imports pause and resume in tests too: a request writes for at most 10 s.
  IMPORT_TIME_BUDGET_MS: "10000",
  LAUREL_SECRET_KEY: randomUUID() + randomUUID(),
  LAUREL_BADGE_KEY: randomUUID() + randomUUID(),
  // Credentials name the issuer's URLs under the API's public address (a custom domain in AWS).
  PUBLIC_API_URL: "https://api.laurel.test",
  LOG_LEVEL: process.env.LAUREL_TEST_LOG_LEVEL ?? "SILENT",
});
// The bundled project (vitest.config.ts) runs the handlers from their esbuild bundles.
const bundles = inject("bundles");
if (bundles) process.env.LAUREL_BUNDLES = bundles;

if (process.env.LAUREL_SDK_RECORD) recordSdkRequests(process.env.LAUREL_SDK_RECORD);
if (process.env.LAUREL_ANSWER_RECORD) recordAnswers(process.env.LAUREL_ANSWER_RECORD);

export const issuer = await loadDevIssuer();
Object.assign(process.env, devAuthEnv(issuer));

await createTables(createDynamoClient(), tableNames);

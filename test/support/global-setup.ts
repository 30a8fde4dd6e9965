/**
 * DynamoDB Local for the run (in memory), several of them: each test file makes its own tables in
 * one, taking them in turn (test/support/env.ts). One instance slowed down as the run's tables
 * piled up in it: the import test took 6 minutes at the end of a run and 1 on its own.
 *
 * Files run one at a time (vitest's default on two cores): tried two at once, on a shared machine,
 * the chaos test ran three times as long and the run was no shorter, since the functions under test
 * run in the test's own process and share the two cores with DynamoDB Local.
 */
import type { TestProject } from "vitest/node";
import { startDynamoLocal } from "../../scripts/local/dynamo.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoints: string[];
  }
}

const instances = 3;

export default async function setup(project: TestProject) {
  const running = await Promise.all(Array.from({ length: instances }, () => startDynamoLocal()));
  project.provide(
    "dynamoEndpoints",
    running.map((dynamo) => dynamo.endpoint),
  );
  return () => Promise.all(running.map((dynamo) => dynamo.stop())).then(() => undefined);
}

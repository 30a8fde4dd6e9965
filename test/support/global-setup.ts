/**
 * DynamoDB Local for the run (in memory), several of them: each test file makes its own tables in
 * one, chosen by its worker's id (test/support/env.ts). One instance slows down as the run's tables
 * pile up in it, and with two workers one instance would also serve both at once.
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

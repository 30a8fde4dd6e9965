/**
 * One DynamoDB Local for the whole run (in memory), with a database per test file: each file sends
 * an access key of its own (test/support/env.ts). In one shared database the run's stream records
 * piled up and slowed every write: the import test took 6 minutes late in a run, 1 on its own.
 */
import type { TestProject } from "vitest/node";
import { startDynamoLocal } from "../../scripts/local/dynamo.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal({ perAccessKey: true });
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return () => dynamo.stop();
}

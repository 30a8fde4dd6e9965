/** One DynamoDB Local for the whole run (in memory); each test file makes its own tables in it. */
import type { TestProject } from "vitest/node";
import { startDynamoLocal } from "../../scripts/local/dynamo.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal();
  project.provide("dynamoEndpoint", dynamo.endpoint);
  return () => dynamo.stop();
}

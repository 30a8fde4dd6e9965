import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tracer } from "../http/log.ts";

/**
 * One document client per process. DYNAMODB_ENDPOINT points it at DynamoDB Local; in Lambda the
 * SDK finds the region and credentials itself.
 */
export function createDocumentClient(client = traced(createDynamoClient())): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createDynamoClient(): DynamoDBClient {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  return new DynamoDBClient(
    endpoint
      ? {
          endpoint,
          region: process.env.AWS_REGION ?? "local",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
          maxAttempts: 3,
        }
      : { maxAttempts: 3 },
  );
}

/** An X-Ray subsegment for every call the client makes (Powertools Tracer; nothing outside Lambda). */
export const traced = (client: DynamoDBClient): DynamoDBClient => tracer.captureAWSv3Client(client);

const retryableNames = new Set([
  "TransactionCanceledException",
  "TransactionConflictException",
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
]);

/** Errors after which the same request may succeed: throttling, races and transient faults. */
export const isRetryableDynamoError = (error: unknown): boolean =>
  error instanceof Error && (retryableNames.has(error.name) || (error as { $retryable?: unknown }).$retryable !== undefined);

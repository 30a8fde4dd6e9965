import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, paginateQuery, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { tracer } from "../http/log.ts";

/** Prefix of the user agent that names the function making a request (see `createDynamoClient`). */
export const callerAgentPrefix = "laurel-";

/**
 * One document client per process. DYNAMODB_ENDPOINT points it at DynamoDB Local; in Lambda the
 * SDK finds the region and credentials itself.
 */
export function createDocumentClient(caller?: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(traced(createDynamoClient(caller)), { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * `caller` names the function (an HTTP area, the projector, the verifier) in the user agent of
 * every request: CloudTrail shows it, and the IAM conformance test evaluates each recorded request
 * against that function's role.
 */
export function createDynamoClient(caller?: string): DynamoDBClient {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  return new DynamoDBClient({
    maxAttempts: 3,
    ...(caller ? { customUserAgent: `${callerAgentPrefix}${caller}` } : {}),
    ...(endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? "local", credentials: { accessKeyId: localAccessKeyId(), secretAccessKey: "local" } }
      : {}),
  });
}

/**
 * The access key sent to DynamoDB Local, which keeps a database per access key unless started
 * with -sharedDb: each test file names its own (LAUREL_LOCAL_DATABASE), so that what other files
 * wrote does not slow its writes (DynamoDB Local reads its table's whole stream on every write).
 */
export const localAccessKeyId = (): string => process.env.LAUREL_LOCAL_DATABASE ?? "local";

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

/** Every item a Query matches, page after page, through the SDK's paginator. */
export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: db }, input)) items.push(...(page.Items ?? []));
  return items;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A read, or a write that is the same whenever it lands (a put of the same item), retried a few
 * times on throttling and transient faults: a stream batch waits rather than failing whole.
 */
export async function patiently<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= 6 || !isRetryableDynamoError(error)) throw error;
      await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
    }
  }
}

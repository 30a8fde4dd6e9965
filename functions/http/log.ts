/**
 * Logs and traces with Powertools for AWS Lambda: one JSON object a line carrying the Lambda
 * request id, cold start, function and X-Ray trace id (its `injectLambdaContext` middleware) and
 * the correlation id; an X-Ray segment per invocation (`captureLambdaHandler`) with a subsegment
 * for every DynamoDB call (functions/dynamo/client.ts). Outside Lambda the tracer does nothing.
 *
 * Logs carry ids (person, entry, correlation), never names, tokens, secrets or free text: callers
 * pass only what is safe to keep, and no response body is ever put on a trace.
 * LOG_LEVEL=SILENT keeps test output readable; Lambda and the local server log at INFO.
 */
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import type { MiddlewareObj } from "@middy/core";

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields: LogFields): void;
  error(message: string, fields: { error?: unknown; [field: string]: unknown }): void;
}

const serviceName = "laurel";
export const tracer = new Tracer({ serviceName });

/**
 * The logger of one function (an HTTP area, the projector, the verifier), its name on every line;
 * made once per cold start, when it reads its level (LOG_LEVEL) as Powertools does.
 */
export function createLogger(area: string): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName, persistentKeys: { area } });
}

/**
 * Observability first in every function's middy stack: the trace segment, then the Lambda context
 * on the log lines, cleared of per-request keys (correlation id) after each invocation.
 */
export function observe(logger: PowertoolsLogger): MiddlewareObj[] {
  return [captureLambdaHandler(tracer, { captureResponse: false }), injectLambdaContext(logger, { resetKeys: true })];
}

/**
 * Backtest jobs run apart from the request that starts them (domain/backtests BacktestJobRunner):
 * in AWS, an asynchronous invocation of the same function (`InvocationType: Event`) carrying
 * `{ backtestJob: id }`, which its handler runs instead of routing; locally (no
 * AWS_LAMBDA_FUNCTION_NAME), the same run in the same process, not awaited by the request.
 */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { BacktestJobRunner } from "../../domain/backtests/index.ts";

export interface BacktestJobEvent {
  backtestJob: string;
}

export const isBacktestJob = (event: unknown): event is BacktestJobEvent =>
  typeof event === "object" && event !== null && typeof (event as { backtestJob?: unknown }).backtestJob === "string";

export function backtestJobRunner(run: (backtestId: string) => Promise<void>): BacktestJobRunner {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!functionName)
    return {
      start: async (backtestId) => {
        // The job records its own failure; a local run has nobody else to tell.
        void run(backtestId).catch((error: unknown) => console.error(`backtest ${backtestId} failed`, error));
      },
    };
  // Loaded on the first job, not at every cold start of the admin function: jobs are rare.
  let lambda: LambdaClient | undefined;
  return {
    start: async (backtestId) => {
      const { InvokeCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
      lambda ??= new LambdaClient({});
      const payload: BacktestJobEvent = { backtestJob: backtestId };
      await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: JSON.stringify(payload) }));
    },
  };
}

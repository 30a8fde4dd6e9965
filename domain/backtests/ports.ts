/** Ports of the backtests context: what a backtest reads (it writes nothing but its audit record, kept by the HTTP stack). */
import type { Person } from "../directory/index.ts";
import type { EligibilityFacts } from "../gates/index.ts";
import type { PersonId } from "../kernel/model.ts";
import type { EventLog } from "../ledger/index.ts";
import type { BacktestReport, BacktestRequest } from "./backtest.ts";

export interface BacktestDeps {
  events: Pick<EventLog, "read" | "retracted">;
  people(): AsyncIterable<Person>;
  /** People's facts now (profile, balances, badge levels, measures, penalties), to check gates on; no gate rows without it. */
  facts?(personIds: readonly PersonId[]): Promise<Map<PersonId, EligibilityFacts>>;
}

export const backtestJobStatuses = ["running", "done", "failed", "cancelled"] as const;
export type BacktestJobStatus = (typeof backtestJobStatuses)[number];

/** A long backtest run as a job: its request, progress and, once done, its report. */
export interface BacktestJob {
  backtestId: string;
  ruleId: string;
  request: BacktestRequest;
  by: PersonId;
  status: BacktestJobStatus;
  startedAt: string;
  updatedAt: string;
  eventsReplayed: number;
  /** How far through the replay's period the last event replayed is, 0–100. */
  percent: number;
  /** Seconds left at the pace so far, while running. */
  estimateSeconds?: number;
  report?: BacktestReport;
  problem?: { code: string; detail: string };
  cancelRequested?: boolean;
}

/** A job as its rule's list shows it: its period, without its draft and its report. */
export type BacktestJobSummary = Omit<BacktestJob, "request" | "report"> & {
  request: Pick<BacktestRequest, "from" | "to" | "replayFrom">;
};

/** A page of a rule's jobs, newest first, and the cursor of the next page if there is one. */
export interface BacktestJobPage {
  jobs: BacktestJobSummary[];
  cursor?: string;
}

/** Where jobs are kept (state table, functions/dynamo/stores/backtest-job-store.ts). */
export interface BacktestJobStore {
  create(job: BacktestJob): Promise<void>;
  get(backtestId: string): Promise<BacktestJob | undefined>;
  /** A rule's jobs, newest started first; `invalid-cursor` for a cursor it did not give out. */
  list(ruleId: string, limit: number, cursor?: string): Promise<BacktestJobPage>;
  /** Progress or the outcome of a running job; false if it is no longer running. */
  update(job: BacktestJob): Promise<boolean>;
  /** Asks a running job to stop; false if it is no longer running. */
  requestCancel(backtestId: string): Promise<boolean>;
}

/** Runs a job apart from the request that started it: an asynchronous invocation of the same function in AWS, in-process locally. */
export interface BacktestJobRunner {
  start(backtestId: string): Promise<void>;
}

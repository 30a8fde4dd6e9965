/**
 * Routes of backtest jobs (served by the admin area's function): a long replay answered 202 by
 * `POST /admin/rules/{ruleId}/backtests` (functions/http/routes.ts) is followed here, and
 * cancelled. Each route's 200 answer has its zod schema here, beside it.
 */
import * as z from "zod";
import { backtestJobStatuses } from "../../../domain/backtests/index.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import { BacktestReport, csv } from "../answers.ts";
import { defineRoute } from "../route.ts";

export const backtestJobAnswer = z
  .strictObject({
    backtestId: z.string(),
    ruleId: z.string(),
    from: z.string(),
    to: z.string(),
    replayFrom: z.string().optional(),
    by: z.string(),
    status: z.enum(backtestJobStatuses),
    startedAt: z.string(),
    updatedAt: z.string(),
    eventsReplayed: z.number().int().min(0),
    percent: z.number().int().min(0).max(100),
    estimateSeconds: z.number().int().min(0).optional(),
    cancelRequested: z.boolean().optional(),
    report: BacktestReport.optional(),
    problem: z.strictObject({ code: z.string(), detail: z.string() }).optional(),
  })
  .meta({ id: "BacktestJob" });

const JobParams = z.strictObject({ ruleId: Id, backtestId: z.uuid() });

export const backtestRoutes = {
  backtestJob: defineRoute({
    method: "GET",
    path: "/admin/rules/{ruleId}/backtests/{backtestId}",
    area: "admin",
    auth: "token",
    summary:
      "A backtest run as a job: running (percent done, events replayed, an estimate of the seconds left), done (with its report; CSV with Accept: text/csv), failed or cancelled (admin).",
    params: JobParams,
    success: { status: 200, description: "The job as it stands.", schema: backtestJobAnswer, alternatives: csv },
  }),
  cancelBacktest: defineRoute({
    method: "DELETE",
    path: "/admin/rules/{ruleId}/backtests/{backtestId}",
    area: "admin",
    auth: "token",
    summary: "Cancel a running backtest job: it stops within seconds, cancelled; a finished one stays as it is (admin).",
    params: JobParams,
    success: { status: 200, description: "The job, its cancellation asked for.", schema: backtestJobAnswer },
  }),
} as const;

/**
 * Backtest throughput on one core: domain/backtests `backtest` replaying kept event records
 * (bench/domain.ts's events and rules, a draft of one rule swapped in), against evaluating the
 * same events with the rules alone. What the replay adds: progress carried per person, the
 * comparison per org unit and asset, what retractions would undo (for the events they name only).
 * Reading the event log from DynamoDB (its retractions first, then 4 Queries a day, one page each
 * in memory) is not in this figure. A job's memory in processes of their own: the demo history,
 * 100,000 events and, unless --quick (about three minutes of CPU), the job's cap of 500,000, which
 * must stay flat: what a replay keeps grows with people and retractions, not events.
 */

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { compileRules } from "../domain/awards/index.ts";
import { backtest, retractedIn } from "../domain/backtests/index.ts";
import type { OrgUnitId } from "../domain/kernel/model.ts";
import type { EventRecord } from "../domain/ledger/index.ts";
import { events, rules, run } from "./domain.ts";
import { atMost, median, type Options, type Result, reported } from "./support/result.ts";

export const backtestNames = {
  rate: "backtest: events replayed per second (one core)",
  ratio: "backtest: replay rate ÷ rule evaluation alone",
  demoRss: "backtest job, the demo history: peak RSS",
  rss: "backtest job, 100,000 events: peak RSS",
  heap: "backtest job, 100,000 events: peak heap kept (after collections)",
  capRss: "backtest job, 500,000 events (the cap): peak RSS",
  capHeap: "backtest job, 500,000 events (the cap): peak heap kept (after collections)",
  flat: "backtest job: peak RSS, 500,000 events ÷ 100,000",
};

/** The cap's peak RSS at most this (the admin function has 1,024 MB), and at most this much above 100,000 events'. */
const capRssBudgetMB = 512;
const flatBudget = 1.15;

/** A backtest's memory in a process of its own (bench/support/backtest-memory.ts), so that nothing else is counted. */
async function memoryOf(history: "demo" | number): Promise<{ peakRssMB: number; peakLiveHeapMB: number; heapBeforeMB: number }> {
  const script = fileURLToPath(new URL("./support/backtest-memory.ts", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", script, String(history)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string);
}

async function replay(records: readonly EventRecord[]): Promise<number> {
  const [first, last] = [records[0]?.time as string, records.at(-1)?.time as string];
  const draft = {
    ...(rules[0] as (typeof rules)[number]),
    award: { coins: 12, points: { capability: "tool-operation" as const, amount: 5 } },
  };
  const started = performance.now();
  const report = await backtest({
    rules,
    draft,
    events: (async function* () {
      yield* records;
    })(),
    retracted: retractedIn(records),
    from: first,
    to: new Date(Date.parse(last) + 1).toISOString(),
    unitOf: (personId) => (personId < "m" ? "store-east" : "store-south") as OrgUnitId,
    timeZone: "Asia/Shanghai",
    maxEvents: records.length,
  });
  if (report.liabilityChange === 0) throw new Error("the draft changed nothing; the benchmark measures nothing");
  return records.length / ((performance.now() - started) / 1000);
}

export async function backtestFigures(options: Options): Promise<Result[]> {
  const batch = events(options.quick ? 50_000 : 200_000);
  const records: EventRecord[] = batch.map((event) => ({
    ...event,
    fingerprint: "",
    recordedAt: event.time,
    awards: [],
    effects: [],
  }));
  const compiled = compileRules(rules);
  await replay(records.slice(0, 20_000)); // JIT warm-up
  const replays: number[] = [];
  const evaluations: number[] = [];
  for (let i = 0; i < 5; i++) {
    replays.push(await replay(records));
    evaluations.push(run(compiled, batch));
  }
  const rate = Math.round(median(replays));
  const [demo, synthetic] = [await memoryOf("demo"), await memoryOf(100_000)];
  const kept = (m: typeof synthetic) => Math.round((m.peakLiveHeapMB - m.heapBeforeMB) * 10) / 10;
  const cap = options.quick ? undefined : await memoryOf(500_000);
  return [
    reported(backtestNames.rate, rate, "events/s"),
    reported(backtestNames.ratio, Math.round((rate / median(evaluations)) * 100) / 100, "ratio"),
    reported(backtestNames.demoRss, demo.peakRssMB, "MB"),
    reported(backtestNames.rss, synthetic.peakRssMB, "MB"),
    reported(backtestNames.heap, kept(synthetic), "MB"),
    ...(cap
      ? [
          atMost(backtestNames.capRss, cap.peakRssMB, "MB", capRssBudgetMB),
          reported(backtestNames.capHeap, kept(cap), "MB"),
          atMost(backtestNames.flat, Math.round((cap.peakRssMB / synthetic.peakRssMB) * 100) / 100, "ratio", flatBudget),
        ]
      : []),
  ];
}

/**
 * A backtest job's memory, in a process of its own (bench/backtests.ts starts one per history):
 * domain/backtests `backtest` over the demo company's events, or over a synthetic period of N
 * events for 2,000 people (courses passed and failed, certifications, one in 50 retracted), read
 * lazily as the job reads the event log, with the demo rules and badges and a draft of
 * course-passed. Heap is sampled at every progress report (every 500 events; with garbage not yet
 * collected), what it keeps after a collection every 10,000 events, and at the end; RSS is the
 * process's peak. Prints one JSON line.
 *
 * What the job keeps grows with the people and the retractions (one in 50 events here), not with
 * every event: undo information is kept only for the events a retraction names, learnt first from
 * the retractions alone.
 *
 *   node --expose-gc bench/support/backtest-memory.ts demo
 *   node --expose-gc bench/support/backtest-memory.ts 100000
 *   node --expose-gc bench/support/backtest-memory.ts 500000
 */
import type { Badge, BadgeDefinition, Rule, RuleDefinition } from "../../domain/awards/index.ts";
import { backtest } from "../../domain/backtests/index.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import type { EventRecord, RetractedEvent } from "../../domain/ledger/index.ts";
import { demoBadges, demoEvents, demoPeople, demoRules } from "../../scripts/demo-data.ts";

const learning = "com.tianma.learning";
const start = Date.parse("2026-03-02T01:00:00Z");
const collect = () => (globalThis as { gc?: () => void }).gc?.();
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

function record(i: number, event: { subject: string; type: string; data: Record<string, unknown> }, retracts?: string): EventRecord {
  const time = new Date(start + i * 17_000).toISOString();
  return {
    sourceId: "tianma-learning",
    eventId: `e${i}`,
    fingerprint: "",
    recordedAt: time,
    time,
    subject: event.subject as PersonId,
    type: event.type,
    data: event.data,
    awards: [],
    effects: [],
    ...(retracts ? { retracts } : {}),
  } as unknown as EventRecord;
}

/** The i-th synthetic event: one in 50 retracts the one 10 before it. */
function synthetic(i: number): EventRecord {
  const subject = `p${i % 2000}`;
  if (i % 50 === 49) return record(i, { subject, type: "com.laurel.retraction", data: {} }, `e${i - 10}`);
  if (i % 97 === 0) return record(i, { subject, type: `${learning}.certification.passed`, data: { level: 1 + (i % 3) } });
  return record(i, { subject, type: `${learning}.course.completed`, data: { courseId: `c${i % 40}`, score: 60 + (i % 40) } });
}

async function* history(count: number | "demo"): AsyncGenerator<EventRecord> {
  if (count === "demo") {
    for (const [i, event] of demoEvents.entries()) yield record(i, event);
    return;
  }
  for (let i = 0; i < count; i++) yield synthetic(i);
}

/** What the event log's `retracted` gives for the history: the target of each retraction in it. */
async function* retracted(count: number | "demo"): AsyncGenerator<RetractedEvent> {
  if (count === "demo") return;
  for (let i = 49; i < count; i += 50) yield { sourceId: "tianma-learning", eventId: `e${i - 10}` };
}

const which = process.argv[2] === "demo" ? "demo" : Number(process.argv[2] ?? 100_000);
const rules = Object.entries(demoRules).map(([ruleId, body]): Rule => ({ ...(body as RuleDefinition), ruleId, version: 1 }));
const badges = Object.entries(demoBadges).map(([badgeId, body]): Badge => ({ ...(body as BadgeDefinition), badgeId }));
const units = new Map(demoPeople.map((p) => [p.personId, p.orgUnitId as OrgUnitId]));
const draft = {
  ...(rules.find((r) => r.ruleId === "course-passed") as Rule),
  award: { coins: 25, points: { capability: "tool-operation" as const, amount: 12 } },
};

collect();
const before = process.memoryUsage();
let peakHeap = before.heapUsed;
let peakLive = before.heapUsed;
let reports = 0;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  // Every 10,000 events, what the replay really keeps: the heap after a collection.
  if (++reports % 20 === 0) {
    collect();
    peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
  }
};
const report = await backtest({
  rules,
  draft,
  events: history(which),
  retracted: retracted(which),
  from: new Date(start - 1).toISOString(),
  to: new Date(start + 10 * 365 * 86_400_000).toISOString(),
  unitOf: (personId) => units.get(personId) ?? ((Number(personId.slice(1)) % 2 ? "store-east" : "store-south") as OrgUnitId),
  timeZone: "Asia/Shanghai",
  maxEvents: 500_000,
  badges,
  progress: async () => sample(),
});
sample();
collect();
const after = process.memoryUsage();
console.log(
  JSON.stringify({
    history: which,
    eventsReplayed: report.eventsReplayed,
    heapBeforeMB: mb(before.heapUsed),
    peakHeapMB: mb(peakHeap),
    peakLiveHeapMB: mb(peakLive),
    heapKeptMB: mb(after.heapUsed),
    peakRssMB: mb(process.resourceUsage().maxRSS * 1024),
  }),
);

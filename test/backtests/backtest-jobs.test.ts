/**
 * Backtest jobs on plain values and port fakes: a long replay's progress (percent through its
 * period, an estimate of the time left) is written as it goes, a cancellation asked for stops it
 * within one progress step, and a finished job never changes again.
 */
import { describe, expect, it } from "vitest";
import { type BacktestJob, type BacktestJobStore, BacktestRequest, BacktestService } from "../../domain/backtests/index.ts";
import type { Caller } from "../../domain/directory/index.ts";
import type { Versioned } from "../../domain/kernel/definitions.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { EventRecord } from "../../domain/ledger/index.ts";
import { demoRules } from "../../scripts/demo-data.ts";

const admin = { personId: "cao-yi" as PersonId, roles: ["admin"] } as unknown as Caller;
const course = "com.tianma.learning.course.completed";
const from = "2026-01-01T00:00:00.000Z";
const to = "2026-04-01T00:00:00.000Z";
const eventCount = 3_000;

/** Passes spread evenly over the period, oldest first, as the event log gives them. */
async function* events(): AsyncIterable<EventRecord> {
  const span = Date.parse(to) - Date.parse(from);
  for (let i = 0; i < eventCount; i++) {
    const time = new Date(Date.parse(from) + (span * i) / eventCount).toISOString();
    yield {
      sourceId: "tianma-learning",
      eventId: `e-${i}`,
      type: course,
      fingerprint: "x",
      recordedAt: time,
      awards: [],
      effects: [],
      subject: "liu-yang" as PersonId,
      time,
      data: { score: 90, courseId: `c-${i}` },
    };
  }
}

/** A store of jobs by id, and what was written to it in order. */
function jobStore(cancelAfterWrites = Number.POSITIVE_INFINITY) {
  const jobs = new Map<string, BacktestJob>();
  const writes: BacktestJob[] = [];
  const store: BacktestJobStore = {
    create: async (job) => void jobs.set(job.backtestId, job),
    get: async (id) => jobs.get(id),
    list: async (ruleId) => ({ jobs: [...jobs.values()].filter((job) => job.ruleId === ruleId).reverse() }),
    update: async (job) => {
      const stored = jobs.get(job.backtestId);
      if (stored?.status !== "running") return false;
      writes.push(job);
      jobs.set(job.backtestId, {
        ...job,
        ...(stored.cancelRequested || writes.length >= cancelAfterWrites ? { cancelRequested: true } : {}),
      });
      return true;
    },
    requestCancel: async (id) => {
      const stored = jobs.get(id);
      if (stored?.status !== "running") return false;
      jobs.set(id, { ...stored, cancelRequested: true });
      return true;
    },
  };
  return { store, jobs, writes };
}

function service(store: BacktestJobStore) {
  let tick = Date.parse("2026-05-01T00:00:00.000Z");
  const rule = (id: string, body: object): Versioned<unknown> => ({
    id,
    version: 1,
    updatedAt: from,
    updatedBy: "cao-yi" as PersonId,
    body,
  });
  const started: string[] = [];
  const backtests = new BacktestService({
    definitions: { list: async (kind: string) => (kind === "rule" ? [rule("course-passed", demoRules["course-passed"])] : []) } as never,
    events: { read: () => events(), retracted: async function* () {} },
    people: async function* () {
      yield { personId: "liu-yang", orgUnitId: "store-east" } as never;
    },
    timeZone: "Asia/Shanghai",
    // Each reading of the clock a second later: progress is written every two seconds of it.
    clock: {
      now: () => {
        tick += 1_000;
        return new Date(tick);
      },
    },
    jobs: { store, runner: { start: async (id) => void started.push(id) }, newId: () => `job-${started.length + 1}` },
  });
  return { backtests, started };
}

const request = BacktestRequest.parse({ draft: demoRules["course-passed"], from, to });

describe("backtest jobs", () => {
  it("a replay over 31 days is a job: started apart, its progress climbing with an estimate, then done with its report", async () => {
    const { store, jobs, writes } = jobStore();
    const { backtests, started } = service(store);
    const outcome = await backtests.run(admin, "course-passed", request);
    expect("job" in outcome && outcome.job).toMatchObject({ status: "running", percent: 0 });
    expect(started).toEqual(["job-1"]);
    await backtests.runJob("job-1");
    const progress = writes.filter((w) => w.status === "running");
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.map((w) => w.percent)).toEqual([...progress.map((w) => w.percent)].sort((a, b) => a - b));
    expect(progress.every((w) => w.percent < 100 && (w.estimateSeconds ?? -1) >= 0)).toBe(true);
    const done = jobs.get("job-1");
    expect(done).toMatchObject({ status: "done", percent: 100, eventsReplayed: eventCount });
    expect(done?.estimateSeconds).toBeUndefined();
    expect(done?.report?.rows.find((r) => r.asset === "coin")).toMatchObject({ orgUnitId: "store-east", wouldBe: 20 * eventCount });
  });

  it("a cancellation stops the replay at its next progress step, cancelled, its report never written", async () => {
    const { store, jobs, writes } = jobStore(1);
    const { backtests } = service(store);
    await backtests.run(admin, "course-passed", request);
    await backtests.runJob("job-1");
    expect(writes.map((w) => w.status)).toEqual(["running", "cancelled"]);
    const job = jobs.get("job-1");
    expect(job).toMatchObject({ status: "cancelled", problem: { code: "backtest-cancelled" } });
    expect(job?.report).toBeUndefined();
    expect(job?.eventsReplayed).toBeLessThan(eventCount);
    // Finished: cancelling again or running it again changes nothing.
    expect((await backtests.cancel(admin, "course-passed", "job-1")).status).toBe("cancelled");
    await backtests.runJob("job-1");
    expect(jobs.get("job-1")).toEqual(job);
  });

  it("a replay of at most 31 days answers at once", async () => {
    const { store } = jobStore();
    const { backtests, started } = service(store);
    const short = BacktestRequest.parse({ draft: demoRules["course-passed"], from, to: "2026-01-20T00:00:00.000Z" });
    const outcome = await backtests.run(admin, "course-passed", short);
    expect("report" in outcome && outcome.report.eventsCounted).toBeGreaterThan(0);
    expect(started).toEqual([]);
  });

  it("a job whose function stopped without a word (no progress for 6 minutes) reads as failed, for good", async () => {
    const { store, jobs } = jobStore();
    const { backtests } = service(store);
    await backtests.run(admin, "course-passed", request);
    // Never run: its progress is as old as its start, and the clock moves a second per reading.
    const stale = jobs.get("job-1") as BacktestJob;
    jobs.set("job-1", { ...stale, updatedAt: "2026-04-30T23:50:00.000Z" });
    expect(await backtests.job(admin, "course-passed", "job-1")).toMatchObject({ status: "failed", problem: { code: "backtest-lost" } });
    await backtests.runJob("job-1");
    expect(jobs.get("job-1")?.status).toBe("failed");
  });

  it("a rule's list shows a job whose function stopped without a word as failed, like the job itself", async () => {
    const { store, jobs } = jobStore();
    const { backtests } = service(store);
    await backtests.run(admin, "course-passed", request);
    jobs.set("job-1", { ...(jobs.get("job-1") as BacktestJob), updatedAt: "2026-04-30T23:50:00.000Z" });
    const { jobs: listed } = await backtests.list(admin, "course-passed", 20);
    expect(listed).toMatchObject([{ backtestId: "job-1", status: "failed", problem: { code: "backtest-lost" } }]);
    expect((await backtests.list(admin, "first-course", 20)).jobs).toEqual([]);
  });
});

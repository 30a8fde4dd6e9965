/**
 * `POST /admin/rules/{id}/backtests`: an admin's draft of a rule replayed over a period of kept
 * events before it is saved, the comparison per org unit and capability as JSON or CSV. A replay
 * over at most `syncBacktestDays` days answers at once; a longer one is a job (answered 202), run
 * apart from the request (`BacktestJobRunner`), its progress kept every few seconds with an
 * estimate of the time left, cancellable, its report kept with it.
 */
import type { Badge, BadgeDefinition, Rule, RuleDefinition } from "../awards/index.ts";
import { assertRole, type Caller } from "../directory/index.ts";
import type { GateDefinition } from "../gates/index.ts";
import { csvOf } from "../kernel/csv.ts";
import type { DefinitionStore } from "../kernel/definitions.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import { type BacktestInput, type BacktestReport, type BacktestRequest, backtest, noUnit, type PersonChange } from "./backtest.ts";
import { gateChanges } from "./gate-comparison.ts";
import type { BacktestDeps, BacktestJob, BacktestJobPage, BacktestJobRunner, BacktestJobStore, BacktestJobSummary } from "./ports.ts";

/** Events one request replays at most: a few seconds of a Lambda at the rate `npm run bench` measures (docs/PERFORMANCE.md). */
export const maxBacktestEvents = 100_000;
/** Events a job replays at most: its function runs for minutes (lib/laurel-stack.ts), not the 10 s of a request. */
export const maxBacktestJobEvents = 500_000;
/** Replays spanning more days than this run as jobs. */
export const syncBacktestDays = 31;
/**
 * A running job whose progress is older than this has outlived its function (5 minutes,
 * lib/laurel-stack.ts): it is failed when read, so that nobody waits on it.
 */
export const backtestJobLostAfterMs = 6 * 60_000;
/** How often a job writes its progress (and reads whether it was cancelled). */
const progressWriteMs = 2_000;
const dayMs = 86_400_000;

export interface BacktestServiceDeps extends BacktestDeps {
  definitions: DefinitionStore;
  timeZone: string;
  clock: Clock;
  /** Where long replays run as jobs; without them every replay answers at once. */
  jobs?: { store: BacktestJobStore; runner: BacktestJobRunner; newId(): string };
}

export type BacktestOutcome = { report: BacktestReport } | { job: BacktestJob };

export class BacktestService {
  readonly #deps: BacktestServiceDeps;

  constructor(deps: BacktestServiceDeps) {
    this.#deps = deps;
  }

  async run(caller: Caller, ruleId: string, request: BacktestRequest): Promise<BacktestOutcome> {
    assertRole(caller, ["admin"]);
    const start = request.replayFrom ?? request.from;
    if (!(Date.parse(start) <= Date.parse(request.from) && Date.parse(request.from) < Date.parse(request.to)))
      throw new DomainError("invalid", "invalid-period", "Give replayFrom ≤ from < to.");
    const jobs = this.#deps.jobs;
    if (!jobs || Date.parse(request.to) - Date.parse(start) <= syncBacktestDays * dayMs)
      return { report: await this.#replay(await this.#input(ruleId, request, maxBacktestEvents)) };
    const now = this.#deps.clock.now().toISOString();
    const job: BacktestJob = {
      backtestId: jobs.newId(),
      ruleId,
      request,
      by: caller.personId,
      status: "running",
      startedAt: now,
      updatedAt: now,
      eventsReplayed: 0,
      percent: 0,
    };
    await jobs.store.create(job);
    await jobs.runner.start(job.backtestId);
    return { job };
  }

  async job(caller: Caller, ruleId: string, backtestId: string): Promise<BacktestJob> {
    assertRole(caller, ["admin"]);
    const store = this.#deps.jobs?.store;
    const job = await store?.get(backtestId);
    if (!store || !job || job.ruleId !== ruleId) throw new NotFoundError("backtest", backtestId);
    const lost = lostJob(job, this.#deps.clock.now());
    if (!lost) return job;
    return (await store.update(lost)) ? lost : ((await store.get(backtestId)) ?? lost);
  }

  /** A rule's jobs, newest started first, a page at a time; one that outlived its function shows as failed. */
  async list(caller: Caller, ruleId: string, limit: number, cursor?: string): Promise<BacktestJobPage> {
    assertRole(caller, ["admin"]);
    const store = this.#deps.jobs?.store;
    if (!store) return { jobs: [] };
    const page = await store.list(ruleId, limit, cursor);
    const now = this.#deps.clock.now();
    return { ...page, jobs: page.jobs.map((job) => lostJob(job, now) ?? job) };
  }

  /** Asks a running job to stop (it does at its next progress, within seconds); a finished one stays as it is. */
  async cancel(caller: Caller, ruleId: string, backtestId: string): Promise<BacktestJob> {
    const job = await this.job(caller, ruleId, backtestId);
    if (job.status !== "running" || !(await this.#deps.jobs?.store.requestCancel(backtestId))) return job;
    return { ...job, cancelRequested: true };
  }

  /** A job's replay (the runner's invocation): progress written as it goes, then its report or why it stopped. */
  async runJob(backtestId: string): Promise<void> {
    const store = this.#deps.jobs?.store;
    const job = await store?.get(backtestId);
    if (!store || job?.status !== "running") return;
    const controller = new AbortController();
    const clock = this.#deps.clock;
    const started = clock.now().getTime();
    let written = started;
    let current = job;
    const from = Date.parse(job.request.replayFrom ?? job.request.from);
    const span = Date.parse(job.request.to) - from;
    const progress = async (replayed: number, at: string) => {
      const now = clock.now().getTime();
      if (now - written < progressWriteMs) return;
      written = now;
      if ((await store.get(backtestId))?.cancelRequested) return controller.abort();
      const done = Math.min(0.99, Math.max(0, (Date.parse(at) - from) / span));
      current = {
        ...withoutEstimate(current),
        eventsReplayed: replayed,
        percent: Math.floor(done * 100),
        updatedAt: new Date(now).toISOString(),
        ...(done > 0 ? { estimateSeconds: Math.round((((now - started) / 1000) * (1 - done)) / done) } : {}),
      };
      await store.update(current);
    };
    try {
      const report = await this.#replay({
        ...(await this.#input(job.ruleId, job.request, maxBacktestJobEvents)),
        signal: controller.signal,
        progress,
      });
      const { eventsReplayed } = report;
      await store.update({
        ...withoutEstimate(current),
        eventsReplayed,
        status: "done",
        percent: 100,
        report,
        updatedAt: clock.now().toISOString(),
      });
    } catch (error) {
      const known = error instanceof DomainError;
      await store.update({
        ...withoutEstimate(current),
        status: known && error.code === "backtest-cancelled" ? "cancelled" : "failed",
        problem: known
          ? { code: error.code, detail: error.message }
          : { code: "backtest-failed", detail: "The backtest failed; run it again." },
        updatedAt: clock.now().toISOString(),
      });
      if (!known) throw error;
    }
  }

  /** The replay, then the gates checked on the people whose coins, points or badge levels it would change. */
  async #replay(input: BacktestInput): Promise<BacktestReport> {
    const changed = new Map<PersonId, PersonChange>();
    const report = await backtest({ ...input, perPerson: (personId, change) => void changed.set(personId, change) });
    const { facts } = this.#deps;
    if (!facts || changed.size === 0) return report;
    const gates = await this.#deps.definitions.list<GateDefinition>("gate");
    if (gates.length === 0) return report;
    const found = await facts([...changed.keys()]);
    const people = new Map(
      [...changed].flatMap(([personId, change]) => {
        const personFacts = found.get(personId);
        return personFacts ? [[personId, { facts: personFacts, change }] as const] : [];
      }),
    );
    const compared = gates.map((v) => ({ gateId: v.id, version: v.version, definition: v.body }));
    return { ...report, gates: gateChanges(compared, people, input.unitOf, noUnit) };
  }

  async #input(ruleId: string, request: BacktestRequest, maxEvents: number): Promise<BacktestInput> {
    const [versions, badgeVersions] = await Promise.all([
      this.#deps.definitions.list<RuleDefinition>("rule"),
      this.#deps.definitions.list<BadgeDefinition>("badge"),
    ]);
    const rules = versions.map((v): Rule => ({ ...v.body, ruleId: v.id, version: v.version }));
    const current = versions.find((v) => v.id === ruleId);
    const units = new Map<PersonId, OrgUnitId>();
    for await (const person of this.#deps.people()) units.set(person.personId, person.orgUnitId);
    return {
      rules,
      draft: { ...request.draft, ruleId, version: (current?.version ?? 0) + 1 },
      events: this.#deps.events.read(request.replayFrom ?? request.from, request.to),
      retracted: this.#deps.events.retracted(request.replayFrom ?? request.from, request.to),
      from: request.from,
      to: request.to,
      unitOf: (personId) => units.get(personId),
      timeZone: this.#deps.timeZone,
      maxEvents,
      badges: badgeVersions.map((v): Badge => ({ ...v.body, badgeId: v.id })),
    };
  }
}

/** A job as answers show it: its period, not the draft it replays. */
export const backtestJobView = <J extends BacktestJobSummary>({ request, ...job }: J) => ({
  ...job,
  from: request.from,
  to: request.to,
  ...(request.replayFrom ? { replayFrom: request.replayFrom } : {}),
});

/** A job in its rule's list: as `backtestJobView`, and when it finished (done, failed or cancelled). */
export const backtestJobListView = (job: BacktestJobSummary) => ({
  ...backtestJobView(job),
  ...(job.status === "running" ? {} : { finishedAt: job.updatedAt }),
});

const withoutEstimate = <J extends BacktestJobSummary>({ estimateSeconds: _, ...job }: J): J => job as J;

/** A running job whose progress is older than `backtestJobLostAfterMs`, failed; undefined for any other. */
function lostJob<J extends BacktestJobSummary>(job: J, now: Date): J | undefined {
  if (job.status !== "running" || now.getTime() - Date.parse(job.updatedAt) <= backtestJobLostAfterMs) return undefined;
  return {
    ...withoutEstimate(job),
    status: "failed",
    problem: { code: "backtest-lost", detail: "The job stopped without finishing (its function ran out of time); run it again." },
    updatedAt: now.toISOString(),
  };
}

/**
 * The comparison as one table: coins and points per org unit and asset; then the people reaching
 * each badge level (its asset, `badge:<id>:<level>`: actual and wouldBe count people); then per
 * promotion gate (`gate:<id>`) the people who would newly meet and newly miss it.
 */
export function backtestCsv(report: BacktestReport): string {
  const header = ["orgUnitId", "asset", "actual", "wouldBe", "change", "newlyMeeting", "newlyMissing"];
  const compared = (orgUnitId: string, asset: string, r: { actual: number; wouldBe: number; change: number }) =>
    [orgUnitId, asset, r.actual, r.wouldBe, r.change, "", ""].map(String);
  return csvOf([
    header,
    ...report.rows.map((row) => compared(row.orgUnitId, row.asset, row)),
    ...report.badges.map((row) => compared(row.orgUnitId, `badge:${row.badgeId}:${row.level}`, row)),
    ...report.gates.map((row) => [row.orgUnitId, `gate:${row.gateId}`, "", "", "", String(row.newlyMeeting), String(row.newlyMissing)]),
  ]);
}

/**
 * `POST /admin/rules/{id}/backtests`: an admin's draft of a rule replayed over a period of kept
 * events before it is saved, the comparison per org unit and capability as JSON or CSV.
 */
import * as z from "zod";
import { type Rule, RuleDefinition } from "../awards/index.ts";
import { assertRole, type Caller } from "../directory/index.ts";
import { csvOf } from "../kernel/csv.ts";
import type { DefinitionStore } from "../kernel/definitions.ts";
import { DomainError } from "../kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../kernel/model.ts";
import { type BacktestReport, backtest } from "./backtest.ts";
import type { BacktestDeps } from "./ports.ts";

const Instant = z.iso.datetime({ offset: true, error: "an RFC 3339 timestamp" });

export const BacktestRequest = z.strictObject({
  draft: RuleDefinition,
  /** Events that happened in [from, to) are counted. */
  from: Instant,
  to: Instant,
  /** Where the replay starts, to rebuild rule progress (first times, counts, streaks, caps): the start of history for a faithful replay; `from` unless given. */
  replayFrom: Instant.optional(),
});
export type BacktestRequest = z.infer<typeof BacktestRequest>;

/** Events one request replays at most: a few seconds of a Lambda at the rate `npm run bench` measures (docs/PERFORMANCE.md). */
export const maxBacktestEvents = 100_000;

export class BacktestService {
  readonly #deps: BacktestDeps & { definitions: DefinitionStore; timeZone: string };

  constructor(deps: BacktestDeps & { definitions: DefinitionStore; timeZone: string }) {
    this.#deps = deps;
  }

  async run(caller: Caller, ruleId: string, request: BacktestRequest): Promise<BacktestReport> {
    assertRole(caller, ["admin"]);
    const start = request.replayFrom ?? request.from;
    if (!(Date.parse(start) <= Date.parse(request.from) && Date.parse(request.from) < Date.parse(request.to)))
      throw new DomainError("invalid", "invalid-period", "Give replayFrom ≤ from < to.");
    const versions = await this.#deps.definitions.list<RuleDefinition>("rule");
    const rules = versions.map((v): Rule => ({ ...v.body, ruleId: v.id, version: v.version }));
    const current = versions.find((v) => v.id === ruleId);
    const units = new Map<PersonId, OrgUnitId>();
    for await (const person of this.#deps.people()) units.set(person.personId, person.orgUnitId);
    return backtest({
      rules,
      draft: { ...request.draft, ruleId, version: (current?.version ?? 0) + 1 },
      events: this.#deps.events.read(start, request.to),
      from: request.from,
      to: request.to,
      unitOf: (personId) => units.get(personId),
      timeZone: this.#deps.timeZone,
      maxEvents: maxBacktestEvents,
    });
  }
}

export function backtestCsv(report: BacktestReport): string {
  const header = ["orgUnitId", "asset", "actual", "wouldBe", "change"] as const;
  return csvOf([header, ...report.rows.map((row) => header.map((column) => String(row[column])))]);
}

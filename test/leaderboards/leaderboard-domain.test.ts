/** Leaderboards, pure: projection of entries into aggregates, ranking, ties and the pioneer index. */
import { describe, expect, it } from "vitest";
import { OrgTree, type Person } from "../../domain/directory/index.ts";
import type { DefinitionStore } from "../../domain/kernel/definitions.ts";
import type { OrgUnitId, PersonId, Role } from "../../domain/kernel/model.ts";
import {
  aggregateUnits,
  type BoardView,
  boardPeriodKey,
  byChain,
  canSeeBoard,
  combine,
  foldProjections,
  IndexDefinition,
  indexScores,
  LeaderboardService,
  type LeaderboardStore,
  parseMetric,
  pointChange,
  projectEntry,
  rankBoard,
  topAndSelf,
  untaken,
} from "../../domain/leaderboards/index.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";

const entry = (overrides: Partial<LedgerEntry>): LedgerEntry =>
  ({
    entryId: "person.a.1",
    holder: "person:a",
    seq: 1,
    kind: "award",
    asset: "point:tool-operation",
    amount: 10,
    from: "system:issuer",
    to: "person:a",
    reason: "r",
    actor: { kind: "person", personId: "admin" },
    occurredAt: "2026-11-20T08:00:00Z",
    recordedAt: "2026-11-20T08:00:00Z",
    prevHash: "0",
    hash: "1",
    ...overrides,
  }) as LedgerEntry;

const tree = new OrgTree([
  { orgUnitId: "g" as OrgUnitId, name: "Group", kind: "group", leadId: "boss" as PersonId },
  { orgUnitId: "s" as OrgUnitId, name: "Sub", kind: "subsidiary", parentId: "g" as OrgUnitId },
  { orgUnitId: "d1" as OrgUnitId, name: "Dept 1", kind: "department", parentId: "s" as OrgUnitId, leadId: "lead1" as PersonId },
  { orgUnitId: "d2" as OrgUnitId, name: "Dept 2", kind: "department", parentId: "s" as OrgUnitId },
  { orgUnitId: "t1" as OrgUnitId, name: "Team 1", kind: "team", parentId: "d1" as OrgUnitId },
]);

describe("projection of entries", () => {
  it("awards add points, deductions and reversals of awards subtract, coins and badges change nothing", () => {
    expect(pointChange(entry({}))).toEqual({ personId: "a", capability: "tool-operation", delta: 10 });
    expect(pointChange(entry({ kind: "deduction", from: "person:a", to: "system:penalties", amount: 4 }))?.delta).toBe(-4);
    expect(pointChange(entry({ kind: "reversal", from: "person:a", to: "system:issuer", amount: 10 }))?.delta).toBe(-10);
    expect(pointChange(entry({ asset: "coin" }))).toBeUndefined();
    expect(pointChange(entry({ asset: "badge:cert:1" }))).toBeUndefined();
    expect(pointChange(entry({ holder: "fund:f", to: "fund:f" }))).toBeUndefined();
  });

  it("an entry at 2026-11-29T16:30Z counts in Shanghai's week 2026-W49 (Monday 00:30 there), not W48", () => {
    const at = "2026-11-29T16:30:00Z";
    expect(boardPeriodKey(at, "week", "Asia/Shanghai")).toBe("2026-W49");
    expect(boardPeriodKey(at, "week", "UTC")).toBe("2026-W48");
    const projection = projectEntry(entry({ occurredAt: at }), [], "Asia/Shanghai");
    expect(projection?.deltas.map((d) => d.periodKey)).toEqual(["2026-W49", "2026-11", "2026-Q4", "2026", "all"]);
    // New Year's Eve 16:30 UTC is already the new year, quarter and month in Shanghai.
    expect(projectEntry(entry({ occurredAt: "2026-12-31T16:30:00Z" }), [], "Asia/Shanghai")?.deltas.map((d) => d.periodKey)).toEqual([
      "2026-W53",
      "2027-01",
      "2027-Q1",
      "2027",
      "all",
    ]);
  });

  it("changes the person's aggregates and those of their unit and its ancestors, but not the root's", () => {
    const units = aggregateUnits(tree, "t1" as OrgUnitId);
    expect(units).toEqual(["t1", "d1", "s"]);
    const projection = projectEntry(entry({}), units, "Asia/Shanghai");
    expect(projection?.deltas).toHaveLength(4 * 5);
    expect(new Set(projection?.deltas.map((d) => `${d.subject.kind}:${d.subject.id}`))).toEqual(
      new Set(["person:a", "unit:t1", "unit:d1", "unit:s"]),
    );
    expect(aggregateUnits(tree, undefined)).toEqual([]);
  });

  it("folds to totals and per-capability points", () => {
    const projections = [
      projectEntry(entry({}), [], "UTC"),
      projectEntry(entry({ entryId: "person.a.2" as never, asset: "point:data-assurance", amount: 5 }), [], "UTC"),
      projectEntry(
        entry({ entryId: "person.a.3" as never, kind: "deduction", from: "person:a", to: "system:penalties", amount: 3 }),
        [],
        "UTC",
      ),
    ].flatMap((p) => (p ? [p] : []));
    expect(foldProjections(projections).get("person:a:all")).toEqual({
      points: 12,
      byCapability: { "tool-operation": 7, "data-assurance": 5 },
    });
  });
});

describe("a stream batch combined", () => {
  const units = aggregateUnits(tree, "t1" as OrgUnitId);
  const project = (overrides: Partial<LedgerEntry>) => {
    const projection = projectEntry(entry(overrides), units, "Asia/Shanghai");
    if (!projection) throw new Error("not a points entry");
    return projection;
  };
  const a2 = project({ entryId: "person.a.2" as never, seq: 2, amount: 5 });
  const a4 = project({ entryId: "person.a.4" as never, seq: 4, asset: "point:data-assurance", amount: 3 });
  const b1 = project({ entryId: "person.b.1" as never, holder: "person:b", to: "person:b", seq: 1, amount: 7 });

  it("gives each chain its entries once, in seq order, whatever order and how often they came", () => {
    const chains = byChain([a4, b1, a2, a4, b1]);
    expect([...chains].map(([person, chain]) => [person, chain.map((p) => p.seq)])).toEqual([
      ["a", [2, 4]],
      ["b", [1]],
    ]);
  });

  it("writes each aggregate once with the sum of its entries, and the highest seq it took", () => {
    const changes = combine([a2, a4, b1]);
    // Two people's 5 items each, and the three units' 5 shared by both.
    expect(changes).toHaveLength(2 * 5 + 3 * 5);
    expect(changes.find((c) => c.subject.id === "a" && c.period === "all")).toMatchObject({
      points: 8,
      byCapability: { "tool-operation": 5, "data-assurance": 3 },
      entries: 2,
      throughSeq: 4,
    });
    expect(changes.find((c) => c.subject.id === "d1" && c.period === "week")).toMatchObject({ points: 15, entries: 3 });
    expect(combine([a2, b1], (delta) => delta.subject.kind === "unit").every((c) => c.subject.kind === "unit")).toBe(true);
  });

  it("leaves out the entries an item has already taken", () => {
    expect(untaken([a2, a4], 2).map((p) => p.seq)).toEqual([4]);
    expect(untaken([a2, a4], 4)).toEqual([]);
    expect(untaken([a2, a4], -1)).toHaveLength(2);
    expect(untaken([a2, a4], undefined)).toHaveLength(2);
  });
});

describe("ranking", () => {
  it("ties share a rank (1, 1, 3) and are listed by id ascending", () => {
    const ranked = rankBoard([
      { id: "c", score: 5 },
      { id: "b", score: 9 },
      { id: "a", score: 9 },
      { id: "d", score: 5 },
      { id: "e", score: 1 },
    ]);
    expect(ranked.map((r) => [r.id, r.rank])).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 3],
      ["d", 3],
      ["e", 5],
    ]);
  });

  it("is the same whatever order the rows come in", () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: `p${String(i).padStart(2, "0")}`, score: i % 7 }));
    const expected = rankBoard(rows);
    for (let i = 0; i < 10; i++) expect(rankBoard([...rows].sort(() => Math.random() - 0.5))).toEqual(expected);
  });

  it("gives the caller's row even outside the top N", () => {
    const ranked = rankBoard([
      { id: "a", score: 3 },
      { id: "b", score: 2 },
      { id: "c", score: 1 },
    ]);
    expect(topAndSelf(ranked, 2, "c")).toEqual({ top: ranked.slice(0, 2), self: ranked[2] });
    expect(topAndSelf(ranked, 2, "zz").self).toBeUndefined();
  });
});

describe("the pioneer index", () => {
  const index = IndexDefinition.parse({
    name: { zh: "先锋指数", en: "Pioneer index" },
    measures: [
      { measure: "points", weight: 0.5 },
      { measure: "capabilityPoints", capability: "data-assurance", weight: 0.2 },
      { measure: "badgeLevels", weight: 0.3 },
    ],
  });

  it("is a weighted sum of measures divided by the board's maximum, 0 to 100", () => {
    const scores = indexScores(
      index,
      new Map([
        ["a", { aggregate: { points: 100, byCapability: { "data-assurance": 0 } }, badges: [] }],
        ["b", { aggregate: { points: 50, byCapability: { "data-assurance": 40 } }, badges: ["badge:cert:1", "badge:cert:2"] }],
        ["c", { aggregate: { points: -10, byCapability: {} }, badges: ["badge:cert:1"] }],
      ]),
    );
    expect(scores.get("a")).toBe(50);
    expect(scores.get("b")).toBe(25 + 20 + 30);
    expect(scores.get("c")).toBe(15);
  });

  it("scores 0 on a measure nobody has", () => {
    const scores = indexScores(index, new Map([["a", { aggregate: { points: 0, byCapability: {} }, badges: [] }]]));
    expect(scores.get("a")).toBe(0);
  });

  it("needs weights summing to 1 and known capabilities", () => {
    const name = { zh: "x", en: "x" };
    expect(IndexDefinition.safeParse({ name, measures: [{ measure: "points", weight: 0.6 }] }).success).toBe(false);
    expect(IndexDefinition.safeParse({ name, measures: [{ measure: "capabilityPoints", capability: "cooking", weight: 1 }] }).success).toBe(
      false,
    );
    expect(
      IndexDefinition.safeParse({
        name,
        measures: [
          { measure: "points", weight: 0.1 },
          { measure: "points", weight: 0.2 },
          { measure: "badgeLevels", weight: 0.7 },
        ],
      }).success,
    ).toBe(true);
  });
});

describe("metrics and access", () => {
  it("parses points, points in a capability and indices, and refuses the rest", () => {
    expect(parseMetric("points")).toEqual({ kind: "points" });
    expect(parseMetric("points:data-assurance")).toEqual({ kind: "capability", capability: "data-assurance" });
    expect(parseMetric("index:pioneer")).toEqual({ kind: "index", indexId: "pioneer" });
    expect(() => parseMetric("points:cooking")).toThrow(/not a metric/);
    expect(() => parseMetric("coins")).toThrow(/not a metric/);
  });

  it("a manager sees the units they belong to or lead; hr and admin any", () => {
    const caller = (personId: string, ...roles: Role[]) => ({ personId: personId as PersonId, roles });
    const member = { personId: "m" as PersonId, name: "M", tier: "base" as const, tierSince: "2024-01-01", orgUnitId: "t1" as OrgUnitId };
    for (const unit of ["t1", "d1", "s", "g"]) expect(canSeeBoard(caller("m", "manager"), member, unit as OrgUnitId, tree)).toBe(true);
    expect(canSeeBoard(caller("m", "manager"), member, "d2" as OrgUnitId, tree)).toBe(false);
    expect(canSeeBoard(caller("lead1", "manager"), undefined, "t1" as OrgUnitId, tree)).toBe(true);
    expect(canSeeBoard(caller("lead1", "manager"), undefined, "d2" as OrgUnitId, tree)).toBe(false);
    expect(canSeeBoard(caller("h", "hr"), undefined, "d2" as OrgUnitId, tree)).toBe(true);
  });
});

describe("a board by points from the standings the projector keeps", () => {
  const people: Person[] = ["a", "b", "c", "d", "e", "f", "g"].map((id) => ({
    personId: id as PersonId,
    name: `Person ${id.toUpperCase()}`,
    tier: "base",
    tierSince: "2024-01-01",
    orgUnitId: "t1" as OrgUnitId,
  }));
  const directory = {
    orgTree: async () => tree,
    person: async (id: PersonId) => people.find((p) => p.personId === id),
    personByIdentity: async () => undefined,
    peopleIn: async (unitId: OrgUnitId) => people.filter((p) => p.orgUnitId === unitId),
    people: async (ids: readonly PersonId[]) => new Map(people.filter((p) => ids.includes(p.personId)).map((p) => [p.personId, p])),
    putPerson: async (person: Person) => person,
    putOrgUnit: async () => {},
    removeOrgUnit: async () => {},
    allPeople: async function* () {
      yield* people;
    },
  };
  /** A store whose standings and aggregates say the same; it counts the members' aggregates read. */
  const storeOf = (scores: Record<string, number>) => {
    const reads = { aggregates: 0 };
    const store: LeaderboardStore = {
      standings: async (unitId, level) =>
        unitId === "t1" && level === 3 ? Object.entries(scores).map(([id, score]) => ({ id, score })) : undefined,
      aggregates: async (_kind, ids) => {
        reads.aggregates += ids.length;
        return new Map(ids.filter((id) => id in scores).map((id) => [id, { points: scores[id] as number, byCapability: {} }]));
      },
      badges: async () => new Map(),
      preferences: async (ids) =>
        new Map(
          ids.filter((id) => id === "b").map((id) => [id, { personId: id, leaderboardOptOut: true, updatedAt: "2026-11-01T00:00:00Z" }]),
        ),
      putPreferences: async () => {},
    };
    return { store, reads };
  };
  const serviceOf = (store: LeaderboardStore) =>
    new LeaderboardService({
      store,
      directory,
      definitions: { get: async () => undefined, list: async () => [] } as unknown as DefinitionStore,
      clock: { now: () => new Date("2026-11-04T04:00:00Z") },
      timeZone: "Asia/Shanghai",
    });
  const rows = (view: BoardView) => view.entries.map((r) => [r.personId, r.rank, r.score, r.self]);
  const caller = (personId: string) => ({ personId: personId as PersonId, roles: ["manager"] as Role[] });

  it("ranks ties together, lists them by id, and adds the caller's own row once, with its exact rank", async () => {
    const { store, reads } = storeOf({ a: 30, b: 50, c: 50, d: 10, e: 20, f: 5 });
    const view = await serviceOf(store).board(caller("e"), { orgUnit: "t1", period: "week", metric: "points", by: "person", limit: 3 });
    expect(rows(view)).toEqual([
      [null, 1, 50, false],
      ["c", 1, 50, false],
      ["a", 3, 30, false],
      ["e", 4, 20, true],
    ]);
    expect(view.entries[0]?.name).toBe("匿名 / Anonymous");
    expect(view.me).toMatchObject({ personId: "e", rank: 4, score: 20 });
    expect(view.entrants).toBe(6);
    expect(reads.aggregates).toBe(0);
  });

  it("ranks a caller without points in the period below everyone with points", async () => {
    const { store, reads } = storeOf({ a: 30, c: 50, d: 10 });
    const view = await serviceOf(store).board(caller("g"), { orgUnit: "t1", period: "week", metric: "points", by: "person", limit: 2 });
    expect(rows(view)).toEqual([
      ["c", 1, 50, false],
      ["a", 2, 30, false],
      ["g", 4, 0, true],
    ]);
    expect(reads.aggregates).toBe(0);
  });

  it("ranks every member from their aggregate when the rows shown reach zero: people without points follow, by id", async () => {
    const { store, reads } = storeOf({ a: 30, c: 50 });
    const view = await serviceOf(store).board(caller("d"), { orgUnit: "t1", period: "week", metric: "points", by: "person", limit: 4 });
    expect(rows(view)).toEqual([
      ["c", 1, 50, false],
      ["a", 2, 30, false],
      [null, 3, 0, false],
      ["d", 3, 0, true],
    ]);
    expect(view.entrants).toBe(people.length);
    expect(reads.aggregates).toBe(people.length);
  });
});

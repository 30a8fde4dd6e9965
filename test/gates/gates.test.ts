import { describe, expect, it } from "vitest";
import type { Person } from "../../domain/directory/index.ts";
import { evaluateGate, GateDefinition } from "../../domain/gates/index.ts";
import type { EntryId, OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { personAccount } from "../../domain/kernel/model.ts";
import { endOfDay } from "../../domain/kernel/periods.ts";
import { emptyChain, type LedgerEntry, penaltiesAfter } from "../../domain/ledger/index.ts";

const person: Person = { personId: "p1" as PersonId, name: "测试", tier: "middle", tierSince: "2024-11-23", orgUnitId: "u" as OrgUnitId };
const gate = (criteria: GateDefinition["criteria"]) => ({
  gateId: "g",
  version: 3,
  definition: { name: { zh: "门", en: "Gate" }, tier: "middle" as const, targetGrade: "x", criteria },
});
const facts = (balances: Record<string, number>, at = "2026-11-23T12:00:00.000Z") => ({
  person,
  chain: { ...emptyChain(personAccount(person.personId)), seq: 3, balances },
  measures: [],
  penalties: [],
  at,
});

describe("gate criteria at their boundaries", () => {
  it("tier tenure counts whole months: one day short of 24 months is 23", () => {
    const g = gate([{ kind: "tierTenure", months: 24 }]);
    expect(evaluateGate(g, facts({}, "2026-11-23T00:00:00.000Z")).criteria[0]).toMatchObject({
      met: true,
      actual: "24 months since 2024-11-23",
    });
    expect(evaluateGate(g, facts({}, "2026-11-22T23:59:59.000Z")).criteria[0]).toMatchObject({ met: false, gap: 1 });
  });

  it("capability points use the tier's three capabilities and add up what each lacks", () => {
    const result = evaluateGate(
      gate([{ kind: "capabilityPoints", capabilities: "tier", atLeastEach: 50 }]),
      facts({ "point:system-integration": 50, "point:technology-fusion": 49, "point:tool-operation": 500 }),
    );
    expect(result.criteria[0]).toMatchObject({
      met: false,
      gap: 51,
      actual: "system-integration 50, technology-fusion 49, data-assurance 0",
    });
  });

  it("total points exactly at the threshold are enough", () => {
    expect(
      evaluateGate(gate([{ kind: "points", atLeast: 30 }]), facts({ "point:tool-operation": 20, "point:data-assurance": 10, coin: 999 }))
        .eligible,
    ).toBe(true);
  });

  it("coins are not a criterion kind: such a gate is refused with the kinds there are", () => {
    const parsed = GateDefinition.safeParse({ ...gate([]).definition, criteria: [{ kind: "coins", atLeast: 1 }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain("coins are for spending");
  });
});

describe("a measure's unit", () => {
  const measured = (unit?: { zh: string; en: string } | "percent") =>
    gate([
      {
        kind: "measure",
        eventType: "com.example.plan.progress",
        field: "completionRate",
        atLeast: 90,
        ...(unit ? { unit } : {}),
      },
    ]);
  const reported = (value: number) => ({
    ...facts({}),
    measures: [
      {
        eventType: "com.example.plan.progress",
        sourceId: "lms",
        eventId: "e1",
        time: "2026-11-20T08:00:00.000Z",
        values: { completionRate: value },
      },
    ],
  });

  it("says the requirement and the value in percent when the definition says so", () => {
    expect(evaluateGate(measured("percent"), reported(88)).criteria[0]).toMatchObject({
      met: false,
      gap: 2,
      required: "completionRate ≥ 90%",
      actual: "88% (reported 2026-11-20T08:00:00.000Z)",
    });
  });

  it("says a counted unit in words", () => {
    expect(evaluateGate(measured({ zh: "门", en: "courses" }), reported(92)).criteria[0]).toMatchObject({
      met: true,
      required: "completionRate ≥ 90 courses",
      actual: "92 courses (reported 2026-11-20T08:00:00.000Z)",
    });
  });

  it("keeps a definition saved before units existed working, with bare numbers", () => {
    expect(GateDefinition.safeParse(measured().definition).success).toBe(true);
    expect(evaluateGate(measured(), reported(95)).criteria[0]).toMatchObject({ met: true, required: "completionRate ≥ 90" });
  });

  it("refuses a unit that is neither percent nor a word in both languages", () => {
    const parsed = GateDefinition.safeParse(measured({ zh: "门" } as { zh: string; en: string }).definition);
    expect(parsed.success).toBe(false);
  });
});

describe("penalties", () => {
  const entry = (seq: number, kind: LedgerEntry["kind"], extra: Partial<LedgerEntry> = {}) =>
    ({ entryId: `person.p1.${seq}` as EntryId, kind, occurredAt: `2026-11-0${seq}T00:00:00Z`, ...extra }) as LedgerEntry;

  it("a deduction adds one penalty per request, and its reversal removes it", () => {
    const added = penaltiesAfter(
      [],
      [entry(1, "deduction", { category: "red-warning" }), entry(2, "deduction", { category: "red-warning" })],
    );
    expect(added.list).toEqual([{ entryId: "person.p1.1", category: "red-warning", occurredAt: "2026-11-01T00:00:00Z" }]);
    const removed = penaltiesAfter(added.list, [entry(3, "reversal", { reverses: "person.p1.1" as EntryId })]);
    expect(removed).toMatchObject({ list: [], changed: true });
  });
});

describe("the end of a day", () => {
  it("is the last millisecond of the day in the company's time zone", () => {
    expect(endOfDay("2026-11-20", "Asia/Shanghai")).toBe("2026-11-20T15:59:59.999Z");
    expect(endOfDay("2026-03-29", "Europe/Berlin")).toBe("2026-03-29T21:59:59.999Z");
  });
});

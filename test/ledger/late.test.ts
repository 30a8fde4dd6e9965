import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AssetKey, type PersonId, personAccount, systemAccount } from "../../domain/kernel/model.ts";
import { endOfDay, periodKey } from "../../domain/kernel/periods.ts";
import { appendMovements, emptyChain, foldChain, type LedgerEntry, lateSums, withLateEntries } from "../../domain/ledger/index.ts";

const timeZone = "Asia/Shanghai";
const holder = personAccount("wu-min" as PersonId);
const day0 = Date.parse("2025-01-01T00:00:00+08:00");
const dayMs = 86_400_000;

/** A chain recorded day after day, each entry happening some days before it was recorded (imported history) or the same day. */
function chainOf(steps: readonly { recordedDay: number; lateBy: number; amount: number; asset: AssetKey; out: boolean }[]) {
  let state = emptyChain(holder);
  const entries: LedgerEntry[] = [];
  let recordedDay = 0;
  for (const step of steps) {
    recordedDay += step.recordedDay;
    const recordedAt = new Date(day0 + recordedDay * dayMs + 10 * 3_600_000).toISOString();
    const occurredAt = new Date(Date.parse(recordedAt) - step.lateBy * dayMs).toISOString();
    const from = step.out ? holder : systemAccount("issuer");
    const to = step.out ? systemAccount("penalties") : holder;
    const amount = step.out ? Math.min(step.amount, state.balances[step.asset] ?? 0) : step.amount;
    if (amount === 0) continue;
    const movement = {
      kind: step.out ? ("deduction" as const) : ("award" as const),
      asset: step.asset,
      amount,
      from,
      to,
      reason: "r",
      actor: { kind: "person" as const, personId: "cao-yi" as PersonId },
      occurredAt,
    };
    const appended = appendMovements(state, [movement], recordedAt);
    state = appended.state;
    entries.push(...appended.entries);
  }
  return entries;
}

describe("two clocks", () => {
  it("as of a day with everything known now is the fold of what happened by that day, however late it was recorded", () => {
    const step = fc.record({
      recordedDay: fc.integer({ min: 0, max: 3 }),
      lateBy: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
      amount: fc.integer({ min: 1, max: 50 }),
      asset: fc.constantFrom<AssetKey>("coin", "point:tool-operation", "point:data-assurance"),
      out: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: -400, max: 200 }), (steps, asOfOffset) => {
        const entries = chainOf(steps);
        const day = periodKey(new Date(day0 + asOfOffset * dayMs + 12 * 3_600_000), "day", timeZone);
        const cutoff = endOfDay(day, timeZone);
        const knownThen = foldChain(
          holder,
          entries.filter((e) => e.recordedAt <= cutoff),
        );
        const knownNow = withLateEntries(knownThen, lateSums(entries, timeZone), day);
        const happened = foldChain(holder, []).balances;
        for (const e of entries) {
          if (periodKey(e.occurredAt, "day", timeZone) > day) continue;
          happened[e.asset] = (happened[e.asset] ?? 0) + (e.to === holder ? e.amount : -e.amount);
        }
        const nonZero = (b: Partial<Record<AssetKey, number>>) => Object.fromEntries(Object.entries(b).filter(([, n]) => n !== 0));
        expect(nonZero(knownNow.balances)).toEqual(nonZero(happened));
      }),
    );
  });

  it("sums late entries per person and pair of days; entries recorded the day they happened are not late", () => {
    const entries = chainOf([
      { recordedDay: 0, lateBy: 0, amount: 5, asset: "coin", out: false },
      { recordedDay: 0, lateBy: 30, amount: 7, asset: "coin", out: false },
      { recordedDay: 0, lateBy: 30, amount: 3, asset: "coin", out: false },
      { recordedDay: 0, lateBy: 30, amount: 2, asset: "point:tool-operation", out: false },
    ]);
    expect(lateSums(entries, timeZone)).toEqual([
      {
        personId: "wu-min",
        occurredDay: "2024-12-02",
        recordedDay: "2025-01-01",
        deltas: { coin: 10, "point:tool-operation": 2 },
        badgeEntries: {},
      },
    ]);
  });
});

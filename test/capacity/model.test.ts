/** The capacity model with plain values: rates, where a family's busiest key is, flags, and missing figures. */
import { describe, expect, it } from "vitest";
import { figureName, operations, orgUnitsName, roundTripsName } from "../../bench/support/capacity.ts";
import type { Result } from "../../bench/support/result.ts";
import { type FamilyCost, type Measured, MissingFigure, readMeasured } from "../../scripts/capacity/measured.ts";
import { defaultShape, model, type Spread } from "../../scripts/capacity/model.ts";

const family = (table: string, name: string, writeUnits: number, readUnits: number, extra: Partial<FamilyCost> = {}): FamilyCost => ({
  table,
  family: name,
  writeUnits,
  readUnits,
  keys: 1,
  writes: writeUnits > 0 ? 1 : 0,
  writtenBytes: writeUnits > 0 ? 500 : 0,
  readBytes: 0,
  ...extra,
});

const nothing = { roundTrips: 1, families: [] };
const measured: Measured = {
  operations: {
    [operations.webhookEvent]: {
      roundTrips: 2,
      families: [family("ledger", "EVENT#<…>", 2, 0.5), family("state", "CHAIN#<…>", 2, 1), family("state", "VERSIONS", 0, 1)],
    },
    [operations.projectorEntry]: { roundTrips: 1, families: [family("state", "LB#UNIT#<…>", 20, 0, { keys: 2 })] },
    [operations.balanceRead]: nothing,
    [operations.eligibilityCheck]: nothing,
    [operations.award]: nothing,
    [operations.redemption]: nothing,
    [operations.fundClaim]: nothing,
    [operations.redemptionsRead]: nothing,
    [operations.claimsWaitingRead]: nothing,
    [operations.orgTreeLoad]: { roundTrips: 1, families: [family("state", "ORG", 0, 0.5, { readBytes: 1000 })] },
  },
  times: {},
  orgUnits: 10,
};
const spreads = (versions: Spread): Record<string, Spread> => ({
  "EVENT#<…>": "once",
  "CHAIN#<…>": "person",
  VERSIONS: versions,
  "LB#UNIT#<…>": "unit",
  ORG: { copies: 1 },
});
// 864,000 events a day: 10 a second, 100 at peak.
const shape = defaultShape(100_000, { eventsPerDay: 864_000, depth: 4, largestUnit: 10_000, busiestPersonEventsPerDay: 8_640 });

describe("the capacity model", () => {
  it("charges each family its measured units at the average and peak rates", () => {
    const capacity = model(measured, shape, spreads({ copies: 1 }));
    const event = capacity.families.find((f) => f.family === "EVENT#<…>");
    expect(event?.write).toEqual({ average: 20, peak: 200 });
    // A key written once ever takes only its own units.
    expect(event?.busiestWrite).toBe(2);
    // The busiest person sends 1 % of the events: 1 a second at peak, 2 WCU on their chain head.
    expect(capacity.families.find((f) => f.family === "CHAIN#<…>")?.busiestWrite).toBeCloseTo(2);
  });

  it("puts a unit aggregate's share of the entries on the largest unit, depth − 1 units per entry in all", () => {
    const units = model(measured, shape, spreads({ copies: 1 })).families.find((f) => f.family === "LB#UNIT#<…>");
    // 20 WCU over 2 units measured: 10 per unit; 3 units above a person here: 30 per entry.
    expect(units?.write.peak).toBe(100 * 30);
    // 10 % of 100 entries a second, 10 WCU each.
    expect(units?.busiestWrite).toBe(100);
    expect(units?.share).toBeCloseTo(0.1);
  });

  it("flags a key for everybody past half its limit, and splits it over its copies", () => {
    const hot = {
      ...measured,
      operations: { ...measured.operations, [operations.webhookEvent]: { roundTrips: 2, families: [family("state", "VERSIONS", 0, 20)] } },
    };
    const one = model(hot, shape, spreads({ copies: 1 }));
    const versions = one.families.find((f) => f.family === "VERSIONS");
    expect(versions?.busiestRead).toBe(2_000);
    expect(one.flags.map((f) => f.family)).toEqual(["VERSIONS"]);
    expect(versions?.shardsForTarget).toBe(2);
    const copies = model(hot, shape, spreads({ copies: 2 }));
    expect(copies.families.find((f) => f.family === "VERSIONS")?.busiestRead).toBe(1_000);
    expect(copies.flags).toEqual([]);
  });

  it("splits a unit's aggregates by period and over shards by person: the busiest key takes its share of the largest unit", () => {
    // 20 WCU over 2 units × 5 periods measured: 2 per key, 10 per unit; in 4 shards.
    const sharded = {
      ...measured,
      operations: {
        ...measured.operations,
        [operations.projectorEntry]: { roundTrips: 1, families: [family("state", "LB#UNIT#<…>", 20, 0, { keys: 10 })] },
      },
    };
    const units = model(sharded, shape, { ...spreads({ copies: 1 }), "LB#UNIT#<…>": { shards: 4, keysPerUnit: 5 } }).families.find(
      (f) => f.family === "LB#UNIT#<…>",
    );
    // Still 10 per unit, 3 units above a person: 30 per entry.
    expect(units?.write.peak).toBe(100 * 30);
    // 10 % of 100 entries a second, a quarter of them on one shard, 2 WCU each.
    expect(units?.busiestWrite).toBeCloseTo(5);
    expect(units?.share).toBeCloseTo(0.005);
  });

  it("grows the org tree's read with the number of units and the instances reading it", () => {
    const small = model(measured, shape, spreads({ copies: 1 }));
    const deeper = model(measured, { ...shape, depth: 6 }, spreads({ copies: 1 }));
    const org = (c: typeof small) => c.families.find((f) => f.family === "ORG")?.read.peak ?? 0;
    expect(org(deeper)).toBeGreaterThan(org(small) * 50);
  });

  it("refuses a family whose spread it does not know", () => {
    expect(() => model(measured, shape, { ...spreads({ copies: 1 }), ORG: undefined as unknown as Spread })).toThrow(
      /does not know how ORG keys/,
    );
  });
});

describe("reading bench/results.json", () => {
  const row = (name: string, value: number | null): Result => ({ name, value, unit: "", budget: null, ok: null });
  const complete = (): Result[] => [
    ...Object.values(operations).flatMap((op) => [
      row(roundTripsName(op), 1),
      row(figureName(op, "state", "CHAIN#<…>", "WRU"), 2),
      row(figureName(op, "state", "CHAIN#<…>", "keys"), 1),
    ]),
    row("webhook, single-event request: time (median, warm)", 7),
    row("eligibility check (not asOf): time, 10 entries (median)", 3),
    row(orgUnitsName, 12),
  ];

  it("reads each operation's families by name", () => {
    const read = readMeasured(complete());
    expect(read.operations[operations.webhookEvent].families).toEqual([family("state", "CHAIN#<…>", 2, 0, { writes: 0, writtenBytes: 0 })]);
    expect(read.times[operations.webhookEvent]).toBe(7);
  });

  it("names the bench command when a figure is missing or not measured", () => {
    const results = complete().filter((r) => r.name !== roundTripsName(operations.projectorEntry));
    expect(() => readMeasured(results)).toThrow(MissingFigure);
    expect(() => readMeasured(results)).toThrow(/npm run bench/);
    const unmeasured = complete().map((r) => (r.name === orgUnitsName ? row(orgUnitsName, null) : r));
    expect(() => readMeasured(unmeasured)).toThrow(/org units.*npm run bench/);
  });
});

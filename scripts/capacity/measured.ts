/**
 * The benchmark's figures the capacity model needs, read from bench/results.json by the names
 * bench/support/capacity.ts gives them. Nothing here is typed in: a figure the file lacks is an error
 * naming the command that measures it.
 */
import { figureName, operations, orgUnitsName, roundTripsName } from "../../bench/support/capacity.ts";
import type { Result } from "../../bench/support/result.ts";

export type Operation = (typeof operations)[keyof typeof operations];

/** What one operation cost on one table's key family. */
export interface FamilyCost {
  table: string;
  family: string;
  writeUnits: number;
  readUnits: number;
  /** Distinct partition keys of the family the operation touched. */
  keys: number;
  /** Item writes (each one stream record when the table has a stream). */
  writes: number;
  writtenBytes: number;
  readBytes: number;
}

export interface OperationCost {
  roundTrips: number;
  families: FamilyCost[];
}

export interface Measured {
  operations: Record<Operation, OperationCost>;
  /** Median warm times measured locally, ms, where the benchmark has one. */
  times: Partial<Record<Operation, number>>;
  /** Org units in the tree whose load was measured. */
  orgUnits: number;
}

export const timeFigures: Partial<Record<Operation, string>> = {
  [operations.webhookEvent]: "webhook, single-event request: time (median, warm)",
  [operations.eligibilityCheck]: "eligibility check (not asOf): time, 10 entries (median)",
};

export class MissingFigure extends Error {
  override name = "MissingFigure";
}

const rowPattern = /^capacity, (.+?): (\S+) (\S+) (WRU|RRU|keys|writes|bytes written|bytes read)$/;
const measures = {
  WRU: "writeUnits",
  RRU: "readUnits",
  keys: "keys",
  writes: "writes",
  "bytes written": "writtenBytes",
  "bytes read": "readBytes",
} as const;

export function readMeasured(results: readonly Result[]): Measured {
  const value = (name: string): number => {
    const row = results.find((r) => r.name === name);
    if (row?.value === null || row?.value === undefined) {
      throw new MissingFigure(
        `the benchmark results have no value for "${name}": run \`npm run bench\` (or \`npm run bench -- --quick\`) first`,
      );
    }
    return row.value;
  };
  const byOperation = {} as Record<Operation, OperationCost>;
  for (const operation of Object.values(operations)) {
    const families = new Map<string, FamilyCost>();
    for (const row of results) {
      const match = rowPattern.exec(row.name);
      if (!match || match[1] !== operation || row.value === null) continue;
      const [, , table, family, measure] = match as unknown as [string, string, string, string, keyof typeof measures];
      const cost = families.get(`${table} ${family}`) ?? {
        table,
        family,
        writeUnits: 0,
        readUnits: 0,
        keys: 0,
        writes: 0,
        writtenBytes: 0,
        readBytes: 0,
      };
      cost[measures[measure]] = row.value;
      families.set(`${table} ${family}`, cost);
    }
    byOperation[operation] = { roundTrips: value(roundTripsName(operation)), families: [...families.values()] };
    for (const family of families.values()) value(figureName(operation, family.table, family.family, "WRU"));
  }
  const times: Partial<Record<Operation, number>> = {};
  for (const [operation, name] of Object.entries(timeFigures) as [Operation, string][]) times[operation] = value(name);
  return { operations: byOperation, times, orgUnits: value(orgUnitsName) };
}

/**
 * What `npm run capacity` (scripts/capacity.ts) needs from the benchmark: for each operation it
 * models, the units it cost on each table and key family, and on how many partition keys of that
 * family, as measured by ./dynamo-meter.ts. Rows are named `capacity, <operation>: <table>
 * <family> <measure>`; the model (scripts/capacity/measured.ts) reads them back by these names.
 */
import type { AttributeValue, DynamoDBStreamEvent } from "aws-lambda";
import { type Metered, metered, type Touch } from "./dynamo-meter.ts";
import { type Result, reported } from "./result.ts";

/** The operations the model scales; the same strings name the rows. */
export const operations = {
  webhookEvent: "webhook event",
  projectorEntry: "projector, points entry",
  balanceRead: "balance read",
  eligibilityCheck: "eligibility check",
  award: "award by hand",
  orgTreeLoad: "org tree load",
  redemption: "redemption",
  fundClaim: "fund claim, submitted and decided",
  redemptionsRead: "my redemptions read",
  claimsWaitingRead: "claims waiting read",
} as const;

/**
 * A partition key's family: its leading upper-case segments, the rest replaced by `<…>`
 * (`CHAIN#person:li` → `CHAIN#<…>`, `LB#UNIT#retail` → `LB#UNIT#<…>`, `DEFINITIONS` stays).
 */
export function keyFamily(partitionKey: string): string {
  const segments = partitionKey.split("#");
  const fixed: string[] = [];
  for (const segment of segments) {
    if (!/^[A-Z]+$/.test(segment)) break;
    fixed.push(segment);
  }
  return fixed.length === segments.length ? partitionKey : `${fixed.join("#")}#<…>`;
}

export type Measure = "WRU" | "RRU" | "keys" | "writes" | "bytes written" | "bytes read";

export const figureName = (operation: string, table: string, family: string, measure: Measure) =>
  `capacity, ${operation}: ${table} ${family} ${measure}`;
/** The org units in the tree the org tree load read: its bytes per unit scale to a larger tree. */
export const orgUnitsName = "capacity, org tree load: org units";
export const roundTripsName = (operation: string) => `capacity, ${operation}: round trips`;

/** Per table and key family: the units, the distinct partition keys and the bytes read. */
export function familyFigures(operation: string, measured: Metered<unknown>): Result[] {
  const groups = new Map<string, Touch[]>();
  for (const touch of measured.calls.flatMap((call) => call.touches)) {
    // The boards' indexes, one per level of the tree (state.lb1, state.lb2, …), are one family: an
    // entry writes each level's, as it writes each unit's aggregate.
    const group = `${touch.table.replace(/\.lb\d+$/, ".lb")} ${keyFamily(touch.partitionKey)}`;
    groups.set(group, [...(groups.get(group) ?? []), touch]);
  }
  const rows: Result[] = [reported(roundTripsName(operation), measured.roundTrips, "requests")];
  for (const [group, touches] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [table, family] = group.split(" ") as [string, string];
    const sum = (key: "writeUnits" | "readUnits" | "readBytes" | "writtenBytes") => touches.reduce((total, t) => total + t[key], 0);
    const keys = new Set(touches.map((t) => t.partitionKey)).size;
    const measures: [Measure, number, string][] = [
      ["RRU", sum("readUnits"), "RRU"],
      ["writes", touches.filter((t) => t.writeUnits > 0).length, "items"],
      ["bytes written", sum("writtenBytes"), "bytes"],
      ["bytes read", sum("readBytes"), "bytes"],
    ];
    // The write units and keys name the family; what is zero is left out to keep the table short.
    rows.push(
      reported(figureName(operation, table, family, "WRU"), sum("writeUnits"), "WRU"),
      reported(figureName(operation, table, family, "keys"), keys, "keys"),
      ...measures
        .filter(([, value]) => value > 0)
        .map(([measure, value, unit]) => reported(figureName(operation, table, family, measure), value, unit)),
    );
  }
  return rows;
}

interface ProjectorParts {
  handler: (event: DynamoDBStreamEvent) => Promise<unknown>;
  /** Reads a ledger entry item by key (DynamoDB JSON, as a stream image), outside the measurement. */
  entryImage: (pk: string, sk: string) => Promise<Record<string, AttributeValue>>;
}

/**
 * The projector's units for one points entry, as its stream record reaches it: the entry's item
 * handed over as the stream's NEW_IMAGE. A first entry warms the org tree cache (as a warm Lambda
 * has it); the second is measured.
 */
export async function projectorFigures(parts: ProjectorParts, entries: { pk: string; sk: string }[]): Promise<Result[]> {
  const recordOf = async ({ pk, sk }: { pk: string; sk: string }) => ({
    Records: [
      {
        eventName: "INSERT" as const,
        dynamodb: {
          Keys: { pk: { S: pk }, sk: { S: sk } },
          NewImage: await parts.entryImage(pk, sk),
          SequenceNumber: sk,
        },
      },
    ],
  });
  const [warm, measuredEntry] = entries;
  if (!warm || !measuredEntry) throw new Error("the projector figures need two points entries");
  await parts.handler((await recordOf(warm)) as DynamoDBStreamEvent);
  const event = (await recordOf(measuredEntry)) as DynamoDBStreamEvent;
  return familyFigures(operations.projectorEntry, await metered(() => parts.handler(event)));
}

/**
 * The capacity model: what a company of a given size and shape asks of DynamoDB, Lambda, API
 * Gateway and the ledger's stream, from the units each operation was measured to cost
 * (./measured.ts). Pure: plain values in, plain values out.
 *
 * Where the load of a key family lands is the key design (functions/dynamo/keys.ts), written down
 * in `spreads`: per person, per org unit, once ever per event, or one key for everybody. The
 * busiest partition key of a family is then the busiest person, the largest org unit, or the
 * whole load (split over the copies or shards keys.ts declares).
 */
import { operations } from "../../bench/support/capacity.ts";
import type { FamilyCost, Measured, Operation } from "./measured.ts";

export interface Shape {
  people: number;
  eventsPerDay: number;
  /** Peak rate ÷ average rate. */
  peak: number;
  /** Levels of the org tree, the group itself included; people sit in the lowest. */
  depth: number;
  fanOut: number;
  /** People in the largest unit below the group (a subsidiary). */
  largestUnit: number;
  eventsPerRequest: number;
  /** Points entries the projector applies per accepted event (the benchmark's rule awards coins + points: 1). */
  pointsEntriesPerEvent: number;
  busiestPersonEventsPerDay: number;
  balanceReadsPerPersonPerDay: number;
  eligibilityChecksPerDay: number;
  awardsByHandPerDay: number;
  redemptionsPerDay: number;
  /** Fund claims submitted (and each decided) a day. */
  claimsPerDay: number;
  redemptionListReadsPerDay: number;
  /** Approvers opening their queue of claims waiting. */
  waitingClaimReadsPerDay: number;
}

/**
 * How a family's partition keys are chosen, hence where its busiest key is: per person, per org
 * unit, once ever, one key for everybody split over `copies`, or per org unit split by person over
 * `shards` keys and `keysPerUnit` keys for each unit an entry changes (one per period).
 */
export type Spread = "person" | "unit" | "once" | { copies: number } | { shards: number; keysPerUnit: number };

const perUnit = (spread: Spread | undefined): { shards: number; keysPerUnit: number } | undefined =>
  spread === "unit" ? { shards: 1, keysPerUnit: 1 } : typeof spread === "object" && "shards" in spread ? spread : undefined;

export interface Limits {
  partitionWriteUnits: number;
  partitionReadUnits: number;
  /** The design target: no key above this share of its partition's limits at peak. */
  target: number;
  tableUnits: number;
  accountConcurrency: number;
  apiRequestsPerSecond: number;
  streamRecordsPerShard: number;
  partitionBytes: number;
  orgTreeTtlSeconds: number;
  /** Assumed AWS latency of one DynamoDB round trip, for handler time where none is measured. */
  roundTripMs: number;
  /** LaurelFunction's memory (lib/): 1024 MB. */
  lambdaMemoryGb: number;
}

/** AWS default quotas and documented limits (2025). */
export const limits: Limits = {
  partitionWriteUnits: 1_000,
  partitionReadUnits: 3_000,
  target: 0.5,
  tableUnits: 40_000,
  accountConcurrency: 1_000,
  apiRequestsPerSecond: 10_000,
  streamRecordsPerShard: 1_000,
  partitionBytes: 10 * 1024 ** 3,
  orgTreeTtlSeconds: 30,
  roundTripMs: 10,
  lambdaMemoryGb: 1,
};

/** AWS list prices, us-east-1, as published in 2025 (DynamoDB after the November 2024 cut); not read from AWS. */
export const prices = {
  date: "2025, us-east-1 list prices",
  writeRequestUnit: 0.625 / 1e6,
  readRequestUnit: 0.125 / 1e6,
  wcuHour: 0.00065,
  rcuHour: 0.00013,
  storageGbMonth: 0.25,
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  apiRequest: 1 / 1e6,
  /** Provisioned capacity is sized for the peak at this utilisation (auto scaling's usual target). */
  provisionedUtilisation: 0.7,
};

const secondsPerDay = 86_400;
const hoursPerMonth = 730;

export interface Rate {
  average: number;
  peak: number;
}

export interface FamilyLoad {
  table: string;
  family: string;
  spread: Spread;
  write: Rate;
  read: Rate;
  /** The busiest partition key at peak, in units per second. */
  busiestWrite: number;
  busiestRead: number;
  /** The busiest key's share of its partition's write and read limits, the larger of the two. */
  share: number;
  /** Copies or shards that would bring the busiest key to the target share. */
  shardsForTarget: number;
}

export interface FunctionLoad {
  name: string;
  requestsPerSecond: Rate;
  ms: number;
  measured: boolean;
  concurrency: Rate;
}

export interface Capacity {
  shape: Shape;
  orgUnits: number;
  families: FamilyLoad[];
  tables: { table: string; write: Rate; read: Rate; gbPerMonth: number }[];
  functions: FunctionLoad[];
  api: Rate;
  stream: { records: Rate; shards: number; shardsAfterAYear: number };
  cost: { onDemand: number; provisioned: number; lambda: number; api: number; storage: number };
  flags: FamilyLoad[];
}

/** Defaults scaled from the demo company's shape: fan-out 10, people in teams of about ten, a subsidiary of a tenth. */
export function defaultShape(people: number, overrides: Partial<Shape> = {}): Shape {
  const fanOut = overrides.fanOut ?? 10;
  return {
    people,
    eventsPerDay: people * 50,
    peak: 10,
    depth: Math.max(3, Math.ceil(Math.log(people / 10) / Math.log(fanOut)) + 1),
    fanOut,
    largestUnit: Math.round(people / fanOut),
    eventsPerRequest: 1,
    pointsEntriesPerEvent: 1,
    busiestPersonEventsPerDay: 1_000,
    balanceReadsPerPersonPerDay: 5,
    eligibilityChecksPerDay: Math.round(people * 0.02),
    awardsByHandPerDay: Math.round(people * 0.01),
    redemptionsPerDay: Math.round(people * 0.01),
    claimsPerDay: Math.round(people * 0.001),
    redemptionListReadsPerDay: Math.round(people * 0.02),
    // Approvers are about half a percent of people, each opening the queue ten times a day.
    waitingClaimReadsPerDay: Math.round(people * 0.05),
    ...overrides,
  };
}

export const orgUnitsOf = (shape: Shape): number =>
  shape.fanOut === 1 ? shape.depth : Math.round((shape.fanOut ** shape.depth - 1) / (shape.fanOut - 1));

const rate = (average: number, shape: Shape): Rate => ({ average, peak: average * shape.peak });
const scale = (r: Rate, by: number): Rate => ({ average: r.average * by, peak: r.peak * by });
const add = (a: Rate, b: Rate): Rate => ({ average: a.average + b.average, peak: a.peak + b.peak });
const zero: Rate = { average: 0, peak: 0 };

type Modelled = Exclude<Operation, typeof operations.orgTreeLoad>;

/** Operations per second of everything but the org tree load, which follows from concurrency. */
function operationRates(shape: Shape): Record<Modelled, Rate> {
  const events = shape.eventsPerDay / secondsPerDay;
  return {
    [operations.webhookEvent]: rate(events, shape),
    [operations.projectorEntry]: rate(events * shape.pointsEntriesPerEvent, shape),
    [operations.balanceRead]: rate((shape.people * shape.balanceReadsPerPersonPerDay) / secondsPerDay, shape),
    [operations.eligibilityCheck]: rate(shape.eligibilityChecksPerDay / secondsPerDay, shape),
    [operations.award]: rate(shape.awardsByHandPerDay / secondsPerDay, shape),
    [operations.redemption]: rate(shape.redemptionsPerDay / secondsPerDay, shape),
    [operations.fundClaim]: rate(shape.claimsPerDay / secondsPerDay, shape),
    [operations.redemptionsRead]: rate(shape.redemptionListReadsPerDay / secondsPerDay, shape),
    [operations.claimsWaitingRead]: rate(shape.waitingClaimReadsPerDay / secondsPerDay, shape),
  };
}

/** Of an operation's rate, the share that lands on a family's busiest partition key. */
function busiestShare(spread: Spread, operation: Operation, shape: Shape): number {
  const unit = perUnit(spread);
  if (unit) return shape.largestUnit / shape.people / unit.shards;
  if (typeof spread === "object" && "copies" in spread) return 1 / spread.copies;
  if (spread === "once") return 0;
  // Per person: the busiest person's share of the events; of reads, checks and awards by hand, ten times an average person's.
  const byEvents: Operation[] = [operations.webhookEvent, operations.projectorEntry];
  return byEvents.includes(operation) ? Math.min(1, shape.busiestPersonEventsPerDay / shape.eventsPerDay) : Math.min(1, 10 / shape.people);
}

interface Charge {
  operation: Operation;
  perSecond: Rate;
  cost: FamilyCost;
  /** Units per operation at this shape (unit aggregates: depth − 1 of them; the org tree: its size). */
  writeUnits: number;
  readUnits: number;
  /** Units per operation on the measured keys of the family (for unit aggregates: each unit's). */
  keyUnits: { write: number; read: number };
}

function familyLoads(charges: Charge[], shape: Shape, spreads: Record<string, Spread>): FamilyLoad[] {
  const loads = new Map<string, FamilyLoad>();
  for (const { operation, perSecond, cost, writeUnits, readUnits, keyUnits } of charges) {
    const spread = spreads[cost.family];
    if (spread === undefined) {
      throw new Error(
        `the model does not know how ${cost.family} keys (${cost.table} table) spread: add the family to scripts/capacity/families.ts`,
      );
    }
    const key = `${cost.table} ${cost.family}`;
    const load = loads.get(key) ?? {
      table: cost.table,
      family: cost.family,
      spread,
      write: zero,
      read: zero,
      busiestWrite: 0,
      busiestRead: 0,
      share: 0,
      shardsForTarget: 1,
    };
    load.write = add(load.write, scale(perSecond, writeUnits));
    load.read = add(load.read, scale(perSecond, readUnits));
    // The units one operation, as measured, put on one key of the family; a key written once ever
    // still takes them in its second.
    const perKey = cost.keys > 0 ? 1 / cost.keys : 1;
    const share = busiestShare(spread, operation, shape);
    const onKey = (units: number) => Math.max(spread === "once" ? units * perKey : 0, perSecond.peak * share * units * perKey);
    load.busiestWrite += onKey(keyUnits.write);
    load.busiestRead += onKey(keyUnits.read);
    loads.set(key, load);
  }
  return [...loads.values()]
    .map((load) => {
      const share = Math.max(load.busiestWrite / limits.partitionWriteUnits, load.busiestRead / limits.partitionReadUnits);
      const copies = typeof load.spread === "object" ? ("copies" in load.spread ? load.spread.copies : load.spread.shards) : 1;
      return { ...load, share, shardsForTarget: Math.max(1, Math.ceil((share * copies) / limits.target)) };
    })
    .sort((a, b) => a.table.localeCompare(b.table) || a.family.localeCompare(b.family));
}

/** Invocations, time and concurrency per Lambda function: the HTTP areas, then the projector. */
function functionLoads(
  rates: Record<Modelled, Rate>,
  shards: number,
  msPerRequest: (operation: Operation) => number,
  requestsPerOperation: (operation: Operation) => number,
  measured: Measured,
): FunctionLoad[] {
  const httpFunctions: [string, Modelled[]][] = [
    ["webhooks", [operations.webhookEvent]],
    ["ledger", [operations.balanceRead, operations.award]],
    ["eligibility", [operations.eligibilityCheck]],
    ["fund", [operations.redemption, operations.fundClaim, operations.redemptionsRead, operations.claimsWaitingRead]],
  ];
  const functions: FunctionLoad[] = httpFunctions.map(([name, ops]) => {
    const requests = ops.reduce((sum, op) => add(sum, scale(rates[op], requestsPerOperation(op))), zero);
    const concurrency = ops.reduce((sum, op) => add(sum, scale(rates[op], (requestsPerOperation(op) * msPerRequest(op)) / 1000)), zero);
    const ms = requests.average > 0 ? (concurrency.average / requests.average) * 1000 : 0;
    return { name, requestsPerSecond: requests, ms, measured: ops.every((op) => measured.times[op] !== undefined), concurrency };
  });
  const projectorRate = rates[operations.projectorEntry];
  const projectorBusy = scale(projectorRate, msPerRequest(operations.projectorEntry) / 1000);
  return [
    ...functions,
    {
      name: "projector",
      requestsPerSecond: projectorRate,
      ms: msPerRequest(operations.projectorEntry),
      measured: false,
      // One invocation per stream shard at least, more where a shard's records outrun one (parallelisation factor).
      concurrency: { average: Math.max(shards, projectorBusy.average), peak: Math.max(shards, projectorBusy.peak) },
    },
  ];
}

export function model(measured: Measured, shape: Shape, spreads: Record<string, Spread>): Capacity {
  const orgUnits = orgUnitsOf(shape);
  const rates = operationRates(shape);
  const modelled = Object.keys(rates) as Modelled[];
  const cost = (operation: Operation) => measured.operations[operation];
  /** Handler time per request: measured locally where the benchmark has it, never less than its round trips on AWS. */
  const msPerRequest = (operation: Operation) =>
    Math.max(measured.times[operation] ?? 0, cost(operation).roundTrips * limits.roundTripMs) *
    (operation === operations.webhookEvent ? shape.eventsPerRequest : 1);
  const requestsPerOperation = (operation: Operation) => (operation === operations.webhookEvent ? 1 / shape.eventsPerRequest : 1);
  const perDay = (table: string, measure: "writes" | "writtenBytes") =>
    modelled.reduce(
      (sum, op) =>
        sum +
        rates[op].average *
          secondsPerDay *
          cost(op)
            .families.filter((f) => f.table === table)
            .reduce((n, f) => n + f[measure], 0),
      0,
    );

  const records = rate(perDay("ledger", "writes") / secondsPerDay, shape);
  const shards = Math.max(1, Math.ceil(records.peak / limits.streamRecordsPerShard));
  const ledgerPartitionsAfterAYear = Math.ceil((perDay("ledger", "writtenBytes") * 365) / limits.partitionBytes);

  const functions = functionLoads(rates, shards, msPerRequest, requestsPerOperation, measured);

  // Every instance reads the whole org tree when its cache expires: its units grow with the tree.
  const instances = functions.reduce((sum, f) => add(sum, f.concurrency), zero);
  const tree = cost(operations.orgTreeLoad);
  const treeCharges: Charge[] = tree.families.map((family) => {
    // Each of the family's keys is read in at least one page (4 KB); a larger tree fills more of them.
    const pagesMeasured = Math.max(family.keys, Math.ceil(family.readBytes / 4096));
    const pages = Math.max(family.keys, Math.ceil(((family.readBytes / measured.orgUnits) * orgUnits) / 4096));
    const readUnits = (family.readUnits / pagesMeasured) * pages;
    return {
      operation: operations.orgTreeLoad,
      perSecond: scale(instances, 1 / limits.orgTreeTtlSeconds),
      cost: family,
      writeUnits: 0,
      readUnits,
      keyUnits: { write: 0, read: readUnits * family.keys },
    };
  });
  const charges: Charge[] = modelled.flatMap((operation) =>
    cost(operation).families.map((family) => {
      // Unit aggregates: the benchmark's person sits below keys ÷ keys per unit units, a person here below depth − 1.
      const unit = perUnit(spreads[family.family]);
      const units = unit && family.keys > 0 ? (shape.depth - 1) / (family.keys / unit.keysPerUnit) : 1;
      return {
        operation,
        perSecond: rates[operation],
        cost: family,
        writeUnits: family.writeUnits * units,
        readUnits: family.readUnits * units,
        keyUnits: { write: family.writeUnits, read: family.readUnits },
      };
    }),
  );
  const families = familyLoads([...charges, ...treeCharges], shape, spreads);

  const tables = [...new Set(families.map((f) => f.table))].map((table) => {
    const mine = families.filter((f) => f.table === table);
    return {
      table,
      write: mine.reduce((sum, f) => add(sum, f.write), zero),
      read: mine.reduce((sum, f) => add(sum, f.read), zero),
      // Only the ledger grows with events (append-only); the state table's items are overwritten in place.
      gbPerMonth: table === "ledger" ? (perDay(table, "writtenBytes") * 30) / 1024 ** 3 : 0,
    };
  });
  const api = functions.filter((f) => f.name !== "projector").reduce((sum, f) => add(sum, f.requestsPerSecond), zero);
  const monthSeconds = hoursPerMonth * 3600;
  const total = tables.reduce((sum, t) => ({ write: add(sum.write, t.write), read: add(sum.read, t.read) }), { write: zero, read: zero });
  return {
    shape,
    orgUnits,
    families,
    tables,
    functions,
    api,
    stream: { records, shards, shardsAfterAYear: Math.max(shards, ledgerPartitionsAfterAYear) },
    cost: {
      onDemand: (total.write.average * prices.writeRequestUnit + total.read.average * prices.readRequestUnit) * monthSeconds,
      provisioned: ((total.write.peak * prices.wcuHour + total.read.peak * prices.rcuHour) / prices.provisionedUtilisation) * hoursPerMonth,
      lambda:
        functions.reduce(
          (sum, f) =>
            sum + f.requestsPerSecond.average * (prices.lambdaRequest + (f.ms / 1000) * limits.lambdaMemoryGb * prices.lambdaGbSecond),
          0,
        ) * monthSeconds,
      api: api.average * prices.apiRequest * monthSeconds,
      storage: tables.reduce((sum, t) => sum + t.gbPerMonth, 0) * prices.storageGbMonth,
    },
    flags: families.filter((f) => f.share > limits.target),
  };
}

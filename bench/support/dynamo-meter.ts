/**
 * Counts the DynamoDB requests the handlers make, and what they would cost on DynamoDB.
 *
 * The handlers build their client inside functions/dynamo/client.ts, out of the benchmark's
 * reach, so `installMeter()` patches the SDK's shared `Client.prototype.send` (the base class of
 * both DynamoDBClient and DynamoDBDocumentClient) once, before any handler is imported. The patch
 * only finds the instance: on a DynamoDB client's first send it adds an ordinary middleware to
 * that client's stack, which the document client shares. The middleware sits in the initialize
 * step, so it runs once per `send` (SDK retries happen further down and are not counted) and sees
 * the document client's plain input and output.
 *
 * Capacity units are computed, not read from DynamoDB Local (which does not model transactions or
 * indexes faithfully): item sizes follow DynamoDB's documented rules (attribute name bytes plus
 * value bytes; numbers about digits/2 + 1; maps and lists 3 bytes plus 1 per element), applied
 * directly to the document values the SDK marshals. A write costs one unit per started KB of each
 * item, twice inside TransactWriteItems, plus the same again for each GSI the item projects into
 * (its index partition key is set; projection ALL). A read costs one unit per started 4 KB, half
 * for eventually consistent reads, twice inside TransactGetItems; a missing item still costs the
 * minimum. UpdateItem and DeleteItem do not show the stored item, so they count one unit, and an
 * UpdateItem one more on each GSI whose partition key it sets (an entry updated in place: a
 * changed index key would cost two).
 * Each call also lists the partition keys it touched with their units (`touches`): what the
 * capacity rows per key family (./capacity.ts) and the tests' key budgets are made of.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type TableSpec, tables } from "../../functions/dynamo/tables.ts";

export interface Call {
  operation: string;
  writeUnits: number;
  readUnits: number;
  /** Each partition key the request wrote or read, with the units it cost there. */
  touches: Touch[];
}

/** The units one request cost on one partition key (a GSI's key for its share of a write). */
export interface Touch {
  /** "ledger", "state" or "state.gsi1". */
  table: string;
  partitionKey: string;
  writeUnits: number;
  readUnits: number;
  /** Bytes of the items read from this key (for a Query: the page). */
  readBytes: number;
  /** Bytes of the item written (0 for an update or delete, whose item the request does not show). */
  writtenBytes: number;
}

export interface Metered<T> {
  result: T;
  calls: Call[];
  roundTrips: number;
  /** Round trips one after another: requests in flight together count once (what latency is made of). */
  sequentialTrips: number;
  writeUnits: number;
  readUnits: number;
}

type Item = Record<string, unknown>;
type Next = (args: { input: Item }) => Promise<{ output: Item }>;

let recording: Call[] | undefined;
let inFlight = 0;
let sequentialTrips = 0;

/** Runs `action` and returns what it sent to DynamoDB. Measurements must not overlap. */
export async function metered<T>(action: () => Promise<T>): Promise<Metered<T>> {
  const calls: Call[] = [];
  recording = calls;
  sequentialTrips = 0;
  try {
    const result = await action();
    const sum = (key: "writeUnits" | "readUnits") => calls.reduce((total, call) => total + call[key], 0);
    return { result, calls, roundTrips: calls.length, sequentialTrips, writeUnits: sum("writeUnits"), readUnits: sum("readUnits") };
  } finally {
    recording = undefined;
  }
}

export function installMeter(): void {
  const base = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => unknown };
  const send = base.send;
  const instrumented = new WeakSet<object>();
  base.send = function (this: object, ...args: unknown[]) {
    if (this instanceof DynamoDBClient || this instanceof DynamoDBDocumentClient) {
      const stack = this.middlewareStack as unknown as { add(middleware: unknown, options: object): void };
      if (!instrumented.has(stack)) {
        stack.add(meter, { step: "initialize", priority: "high", name: "benchDynamoMeter" });
        instrumented.add(stack);
      }
    }
    return send.apply(this, args);
  };
}

const meter =
  (next: Next, context: { commandName?: string }) =>
  async (args: { input: Item }): Promise<{ output: Item }> => {
    const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
    const calls = recording;
    // A refused request (a lost race, a failed condition) is still a round trip and still billed.
    let output: Item = {};
    if (inFlight++ === 0) sequentialTrips++;
    try {
      const out = await next(args);
      output = out.output;
      return out;
    } finally {
      inFlight--;
      if (calls) {
        const touches = requestTouches(operation, args.input, output);
        const sum = (key: "writeUnits" | "readUnits") => touches.reduce((total, t) => total + t[key], 0);
        calls.push({ operation, writeUnits: sum("writeUnits"), readUnits: sum("readUnits"), touches });
      }
    }
  };

/** Item size in bytes per https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "bigint") {
    const digits = String(value)
      .replace(/[-.]|e.*$/gi, "")
      .replace(/^0+|0+$/g, "");
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (typeof value === "boolean" || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((total: number, v) => total + valueSize(v), 0);
  const entries = Array.isArray(value)
    ? value.map((v) => valueSize(v))
    : Object.entries(value as Item)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => Buffer.byteLength(k) + valueSize(v));
  return 3 + entries.reduce((total, size) => total + size + 1, 0);
}

const specOf = (table: unknown): TableSpec | undefined =>
  Object.values(tables).find((spec) => process.env[spec.envVar] !== undefined && process.env[spec.envVar] === table);

const touch = (table: string, partitionKey: unknown, writeUnits: number, readUnits = 0, readBytes = 0, writtenBytes = 0): Touch => ({
  table,
  partitionKey: String(partitionKey),
  writeUnits,
  readUnits,
  readBytes,
  writtenBytes,
});

/**
 * The attributes an UpdateItem sets to a plain value (`#name = :value` or `name = :value` in its
 * SET clause): enough to see which GSIs the item projects into.
 */
function setByUpdate(update: Item): Item {
  const names = (update.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (update.ExpressionAttributeValues ?? {}) as Item;
  const set = /SET (.*?)(?: ADD | REMOVE | DELETE |$)/.exec(String(update.UpdateExpression ?? ""))?.[1] ?? "";
  const assigned: Item = {};
  for (const [, name, value] of set.matchAll(/(#?\w+)\s*=\s*(:\w+)/g))
    assigned[names[name as string] ?? (name as string)] = values[value as string];
  return assigned;
}

/**
 * A write of `item` (or of an unseen item by `key`: one unit, and one on each GSI whose key the
 * update sets, the index entry updated in place) to the table and to each GSI it projects into.
 */
function itemWrite(table: unknown, item: Item | undefined, key: Item | undefined, factor: number, update?: Item): Touch[] {
  const spec = specOf(table);
  const name = spec?.name ?? String(table);
  if (!item) {
    const set = update ? setByUpdate(update) : {};
    const indexes = (spec?.globalIndexes ?? []).filter((index) => set[index.partitionKey] !== undefined);
    return [touch(name, key?.pk, factor), ...indexes.map((index) => touch(`${name}.${index.name}`, set[index.partitionKey], factor))];
  }
  const size = itemSize(item);
  const units = (Math.ceil(size / 1024) || 1) * factor;
  const indexes = (spec?.globalIndexes ?? []).filter((index) => item[index.partitionKey] !== undefined);
  return [
    touch(name, item.pk, units, 0, 0, size),
    ...indexes.map((index) => touch(`${name}.${index.name}`, item[index.partitionKey], units, 0, 0, size)),
  ];
}

function writeTouches(operation: string, input: Item): Touch[] {
  switch (operation) {
    case "PutItem":
      return itemWrite(input.TableName, input.Item as Item, undefined, 1);
    case "UpdateItem":
      return itemWrite(input.TableName, undefined, input.Key as Item, 1, input);
    case "DeleteItem":
      return itemWrite(input.TableName, undefined, input.Key as Item, 1);
    case "BatchWriteItem":
      return Object.entries(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>).flatMap(
        ([table, requests]) => requests.flatMap((request) => itemWrite(table, request.PutRequest?.Item, request.DeleteRequest?.Key, 1)),
      );
    case "TransactWriteItems":
      return (input.TransactItems as Record<string, { TableName: string; Item?: Item; Key?: Item } | undefined>[]).flatMap((action) => {
        const put = action.Put;
        const other = action.Update ?? action.Delete ?? action.ConditionCheck;
        return put
          ? itemWrite(put.TableName, put.Item, undefined, 2)
          : itemWrite(other?.TableName, undefined, other?.Key, 2, action.Update as Item | undefined);
      });
    default:
      return [];
  }
}

/**
 * The partition keys a request (operation without "Command", the document client's input) wrote
 * and read, with their units; with an empty `output`, reads count as if every item were missing:
 * the least the request can cost.
 */
export const requestTouches = (operation: string, input: Item, output: Item): Touch[] => [
  ...writeTouches(operation, input),
  ...readTouches(operation, input, output),
];

const readUnitsOf = (bytes: number, consistent: boolean) => (consistent ? 1 : 0.5) * (Math.ceil(bytes / 4096) || 1);
const nameOf = (table: unknown) => specOf(table)?.name ?? String(table);

/** The partition key a Query asks for: the value bound to `pk` (or an index's key) in its key condition. */
function queriedKey(input: Item): unknown {
  const condition = String(input.KeyConditionExpression ?? "");
  const placeholder = /(\w+)\s*=\s*(:\w+)/.exec(condition)?.[2];
  return placeholder ? (input.ExpressionAttributeValues as Item | undefined)?.[placeholder] : undefined;
}

function readTouches(operation: string, input: Item, output: Item): Touch[] {
  const consistent = input.ConsistentRead === true;
  switch (operation) {
    case "GetItem": {
      const bytes = itemSize((output.Item as Item | undefined) ?? {});
      return [touch(nameOf(input.TableName), (input.Key as Item).pk, 0, readUnitsOf(bytes, consistent), bytes)];
    }
    case "BatchGetItem": {
      const requested = input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>;
      const answered = (output.Responses ?? {}) as Record<string, Item[]>;
      const unprocessed = (output.UnprocessedKeys ?? {}) as Record<string, { Keys: Item[] }>;
      return Object.entries(requested).flatMap(([table, request]) => {
        const skipped = unprocessed[table]?.Keys ?? [];
        return request.Keys.filter((key) => !skipped.some((k) => k.pk === key.pk && k.sk === key.sk)).map((key) => {
          const found = (answered[table] ?? []).find((item) => item.pk === key.pk && item.sk === key.sk);
          const bytes = found ? itemSize(found) : 0;
          return touch(nameOf(table), key.pk, 0, readUnitsOf(bytes, request.ConsistentRead === true), bytes);
        });
      });
    }
    case "Query":
    case "Scan": {
      const bytes = ((output.Items as Item[] | undefined) ?? []).reduce((total, item) => total + itemSize(item), 0);
      const table = input.IndexName ? `${nameOf(input.TableName)}.${input.IndexName}` : nameOf(input.TableName);
      return [touch(table, operation === "Scan" ? "(scan)" : queriedKey(input), 0, readUnitsOf(bytes, consistent), bytes)];
    }
    case "TransactGetItems":
      return (input.TransactItems as { Get: { TableName: string; Key: Item } }[]).map((action, index) => {
        const item = ((output.Responses as { Item?: Item }[] | undefined) ?? [])[index]?.Item ?? {};
        return touch(nameOf(action.Get.TableName), action.Get.Key.pk, 0, 2 * readUnitsOf(itemSize(item), true), itemSize(item));
      });
    default:
      return [];
  }
}

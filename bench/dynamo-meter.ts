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
 * minimum. UpdateItem and DeleteItem do not show the stored item, so they count one unit.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type TableSpec, tables } from "../functions/dynamo/tables.ts";

export interface Call {
  operation: string;
  writeUnits: number;
  readUnits: number;
}

export interface Metered<T> {
  result: T;
  calls: Call[];
  roundTrips: number;
  writeUnits: number;
  readUnits: number;
}

type Item = Record<string, unknown>;
type Next = (args: { input: Item }) => Promise<{ output: Item }>;

let recording: Call[] | undefined;

/** Runs `action` and returns what it sent to DynamoDB. Measurements must not overlap. */
export async function metered<T>(action: () => Promise<T>): Promise<Metered<T>> {
  const calls: Call[] = [];
  recording = calls;
  try {
    const result = await action();
    const sum = (key: "writeUnits" | "readUnits") => calls.reduce((total, call) => total + call[key], 0);
    return { result, calls, roundTrips: calls.length, writeUnits: sum("writeUnits"), readUnits: sum("readUnits") };
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
    try {
      const out = await next(args);
      output = out.output;
      return out;
    } finally {
      calls?.push({ operation, writeUnits: writeUnits(operation, args.input), readUnits: readUnits(operation, args.input, output) });
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

function itemWrite(table: unknown, item: Item | undefined): number {
  if (!item) return 1;
  const units = Math.ceil(itemSize(item) / 1024) || 1;
  const indexes = specOf(table)?.globalIndexes.filter((index) => item[index.partitionKey] !== undefined).length ?? 0;
  return units * (1 + indexes);
}

function writeUnits(operation: string, input: Item): number {
  switch (operation) {
    case "PutItem":
      return itemWrite(input.TableName, input.Item as Item);
    case "UpdateItem":
    case "DeleteItem":
      return 1;
    case "BatchWriteItem":
      return Object.entries(input.RequestItems as Record<string, { PutRequest?: { Item: Item } }[]>).reduce(
        (total, [table, requests]) => total + requests.reduce((sum, request) => sum + itemWrite(table, request.PutRequest?.Item), 0),
        0,
      );
    case "TransactWriteItems":
      return (input.TransactItems as Record<string, { TableName: string; Item?: Item } | undefined>[]).reduce((total, action) => {
        const put = action.Put;
        const other = action.Update ?? action.Delete ?? action.ConditionCheck;
        return total + 2 * (put ? itemWrite(put.TableName, put.Item) : itemWrite(other?.TableName, undefined));
      }, 0);
    default:
      return 0;
  }
}

const readOf = (items: Item[], consistent: boolean) =>
  (consistent ? 1 : 0.5) * items.reduce((total, item) => total + (Math.ceil(itemSize(item) / 4096) || 1), 0);

function readUnits(operation: string, input: Item, output: Item): number {
  const consistent = input.ConsistentRead === true;
  switch (operation) {
    case "GetItem":
      return (consistent ? 1 : 0.5) * (Math.ceil(itemSize((output.Item as Item | undefined) ?? {}) / 4096) || 1);
    case "BatchGetItem": {
      let units = 0;
      const requested = input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>;
      const answered = (output.Responses ?? {}) as Record<string, Item[]>;
      for (const [table, request] of Object.entries(requested)) {
        const found = answered[table] ?? [];
        const unprocessed = (output.UnprocessedKeys as Record<string, { Keys: Item[] }> | undefined)?.[table]?.Keys.length ?? 0;
        const missing = Math.max(0, request.Keys.length - unprocessed - found.length);
        units += readOf(found, request.ConsistentRead === true) + missing * (request.ConsistentRead ? 1 : 0.5);
      }
      return units;
    }
    case "Query":
    case "Scan": {
      const bytes = ((output.Items as Item[] | undefined) ?? []).reduce((total, item) => total + itemSize(item), 0);
      return (consistent ? 1 : 0.5) * (Math.ceil(bytes / 4096) || 1);
    }
    case "TransactGetItems":
      return (
        2 *
        readOf(
          ((output.Responses as { Item?: Item }[] | undefined) ?? []).map((r) => r.Item ?? {}),
          true,
        )
      );
    default:
      return 0;
  }
}

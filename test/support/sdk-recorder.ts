/**
 * Test-only: records every answer the API gives in the suite (test/infra/contract.test.ts checks
 * each against the OpenAPI document), and every DynamoDB request a Laurel function makes, as the IAM requests AWS
 * authorises it by, so that test/infra/iam-conformance.test.ts can evaluate each one against
 * that function's role in the synthesised prod template.
 *
 * A function's client names it in its user agent (functions/dynamo/client.ts); requests from
 * clients without that name (test helpers reading tables directly, table setup) are not a
 * function's and are not recorded. AWS authorises a TransactWriteItems item by item (each as the
 * PutItem, UpdateItem, DeleteItem or ConditionCheckItem it performs), a TransactGetItems as
 * GetItems, and a BatchGetItem or BatchWriteItem per table; `dynamodb:LeadingKeys` holds the
 * partition keys a request touches.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { callerAgentPrefix } from "../../functions/dynamo/client.ts";
import { answerText, onExchange } from "../../scripts/local/api.ts";
import { aroundSend } from "./faults.ts";

export interface IamRequest {
  action: string;
  /** The table's logical name (ledger, state) or, for a table the stack does not declare, `?<name>`. */
  table: string;
  index?: string;
  leadingKeys?: string[];
}

export interface RecordedRequest {
  caller: string;
  command: string;
  requests: IamRequest[];
}

type Item = Record<string, unknown>;

const plain = (value: unknown): unknown => {
  if (value && typeof value === "object" && "S" in value) return (value as { S: unknown }).S;
  return value;
};

function tableOf(physical: string): string {
  if (physical === process.env.LEDGER_TABLE) return "ledger";
  if (physical === process.env.STATE_TABLE) return "state";
  return `?${physical}`;
}

const partitionKeyOf = (item: Item | undefined): string[] => (item?.pk === undefined ? [] : [String(plain(item.pk))]);

/** The partition key value a Query's key condition names (`pk = :v`, `gsi1pk = :v`, or by #name). */
function queriedKey(input: Item): string[] {
  const match = String(input.KeyConditionExpression ?? "").match(/(#?\w+)\s*=\s*(:\w+)/);
  if (!match) return [];
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  return [String(plain(values[match[2] as string]))];
}

const itemActions: Record<string, string> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

function transactRequests(items: Item[]): IamRequest[] {
  return items.flatMap((wrapper) =>
    Object.entries(wrapper).map(([kind, body]) => {
      const part = body as Item;
      return {
        action: itemActions[kind] ?? kind,
        table: tableOf(String(part.TableName)),
        leadingKeys: partitionKeyOf((part.Key ?? part.Item) as Item),
      };
    }),
  );
}

function batchRequests(action: string, requestItems: Record<string, unknown>): IamRequest[] {
  return Object.entries(requestItems).map(([table, body]) => {
    const keys = Array.isArray(body)
      ? body.flatMap((write: Item) => partitionKeyOf(((write.PutRequest as Item)?.Item ?? (write.DeleteRequest as Item)?.Key) as Item))
      : ((body as { Keys: Item[] }).Keys ?? []).flatMap(partitionKeyOf);
    return { action, table: tableOf(table), leadingKeys: [...new Set(keys)] };
  });
}

/** The IAM requests AWS evaluates for one SDK command (by its name without `Command`). */
export function iamRequestsOf(command: string, input: Item): IamRequest[] {
  const table = tableOf(String(input.TableName));
  switch (command) {
    case "Get":
    case "GetItem":
      return [{ action: "GetItem", table, leadingKeys: partitionKeyOf(input.Key as Item) }];
    case "Put":
    case "PutItem":
      return [{ action: "PutItem", table, leadingKeys: partitionKeyOf(input.Item as Item) }];
    case "Update":
    case "UpdateItem":
      return [{ action: "UpdateItem", table, leadingKeys: partitionKeyOf(input.Key as Item) }];
    case "Delete":
    case "DeleteItem":
      return [{ action: "DeleteItem", table, leadingKeys: partitionKeyOf(input.Key as Item) }];
    case "Query":
      return [{ action: "Query", table, ...(input.IndexName ? { index: String(input.IndexName) } : {}), leadingKeys: queriedKey(input) }];
    case "Scan":
      return [{ action: "Scan", table, ...(input.IndexName ? { index: String(input.IndexName) } : {}) }];
    case "BatchGet":
    case "BatchGetItem":
      return batchRequests("BatchGetItem", input.RequestItems as Item);
    case "BatchWrite":
    case "BatchWriteItem":
      return batchRequests("BatchWriteItem", input.RequestItems as Item);
    case "TransactWrite":
    case "TransactWriteItems":
    case "TransactGet":
    case "TransactGetItems":
      return transactRequests(input.TransactItems as Item[]);
    default:
      return [{ action: command, table }];
  }
}

function callerOf(client: unknown): string | undefined {
  const agent = JSON.stringify((client as { config?: { customUserAgent?: unknown } }).config?.customUserAgent ?? "");
  return agent.match(new RegExp(`${callerAgentPrefix}([a-z-]+)`))?.[1];
}

/** Wraps `send` on both client classes for the rest of the process; each distinct request is appended once to `<dir>/<pid>.jsonl`. */
export function recordSdkRequests(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.jsonl`);
  const seen = new Set<string>();
  aroundSend((original, client, command, rest) => {
    const caller = callerOf(client);
    if (caller) {
      const sent = command as { constructor: { name: string }; input: Item };
      const name = sent.constructor.name.replace(/Command$/, "");
      const input = sent.input;
      const line = JSON.stringify({ caller, command: name, requests: iamRequestsOf(name, input) } satisfies RecordedRequest);
      if (!seen.has(line)) {
        seen.add(line);
        appendFileSync(file, `${line}\n`);
      }
    }
    return original.call(client, command, ...rest);
  });
}

export interface RecordedAnswer {
  routeKey?: string;
  method: string;
  path: string;
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** The request's Accept header, which chooses between JSON and CSV. */
  accept?: string;
}

/** Appends each distinct answer of the API in this process to `<dir>/<pid>.jsonl`. */
export function recordAnswers(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.jsonl`);
  const seen = new Set<string>();
  onExchange(({ routeKey, method, path, accept, result }) => {
    const answer: RecordedAnswer = {
      ...(routeKey ? { routeKey } : {}),
      method,
      path,
      status: result.statusCode ?? 200,
      // The body as the client reads it (decompressed), so the coding it crossed the wire in is left out too.
      headers: Object.fromEntries(
        Object.entries(result.headers ?? {})
          .filter(([name]) => name.toLowerCase() !== "content-encoding")
          .map(([name, value]) => [name.toLowerCase(), String(value)]),
      ),
      body: answerText(result),
      ...(accept ? { accept } : {}),
    };
    const line = JSON.stringify(answer);
    if (!seen.has(line)) {
      seen.add(line);
      appendFileSync(file, `${line}\n`);
    }
  });
}

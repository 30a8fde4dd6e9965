/**
 * Backtest jobs (domain/backtests) on DynamoDB: one item per job in the state table,
 * `BACKTEST#<backtestId>` / `JOB`, created once, replaced while it runs (conditioned on its
 * status still `running`, so a finished job never changes), with its report once done. Its gsi1
 * keys, `BACKTESTS#<ruleId>` / `<startedAt>#<backtestId>`, list a rule's jobs newest first: a
 * Query of the index projected to what a list shows (not the draft, not the report). Jobs created
 * before the index keys were written are not listed.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BacktestJob, BacktestJobPage, BacktestJobStore, BacktestJobSummary } from "../../../domain/backtests/index.ts";
import { DomainError } from "../../../domain/kernel/errors.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

/** What a list shows of a job: everything but its draft and its report. */
const listed = [
  "backtestId",
  "ruleId",
  "by",
  "status",
  "startedAt",
  "updatedAt",
  "eventsReplayed",
  "percent",
  "estimateSeconds",
  "problem",
  "cancelRequested",
] as const;

const running = { ConditionExpression: "#status = :running", ExpressionAttributeNames: { "#status": "status" } };

export class DynamoBacktestJobStore implements BacktestJobStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, state: string) {
    this.#db = db;
    this.#state = state;
  }

  async create(job: BacktestJob): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#state,
        Item: { ...keys.backtestJob(job.backtestId), ...keys.backtestOfRule(job.ruleId, job.startedAt, job.backtestId), ...job },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async get(backtestId: string): Promise<BacktestJob | undefined> {
    const { Item } = await patiently(() =>
      this.#db.send(new GetCommand({ TableName: this.#state, Key: keys.backtestJob(backtestId), ConsistentRead: true })),
    );
    return Item ? withoutKeys<BacktestJob>(Item) : undefined;
  }

  async list(ruleId: string, limit: number, cursor?: string): Promise<BacktestJobPage> {
    const names = Object.fromEntries(listed.map((name, i) => [`#a${i}`, name]));
    const page = await patiently(() =>
      this.#db.send(
        new QueryCommand({
          TableName: this.#state,
          IndexName: "gsi1",
          KeyConditionExpression: "gsi1pk = :rule",
          ExpressionAttributeValues: { ":rule": keys.backtestsOfRule(ruleId) },
          ProjectionExpression: [...Object.keys(names), "#request.#from", "#request.#to", "#request.#replayFrom"].join(", "),
          ExpressionAttributeNames: { ...names, "#request": "request", "#from": "from", "#to": "to", "#replayFrom": "replayFrom" },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor, ruleId),
        }),
      ),
    );
    const jobs = (page.Items ?? []) as BacktestJobSummary[];
    return page.LastEvaluatedKey ? { jobs, cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString("base64url") } : { jobs };
  }

  async update(job: BacktestJob): Promise<boolean> {
    // The cancellation asked for meanwhile is kept: the job's own copy does not carry it.
    const { cancelRequested: _, ...rest } = job;
    const names = Object.keys(rest);
    return this.#conditionally(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#state,
          Key: keys.backtestJob(job.backtestId),
          UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}`).join(", ")}${"estimateSeconds" in rest ? "" : " REMOVE estimateSeconds"}`,
          ...running,
          ExpressionAttributeNames: { ...running.ExpressionAttributeNames, ...Object.fromEntries(names.map((n, i) => [`#f${i}`, n])) },
          ExpressionAttributeValues: {
            ":running": "running",
            ...Object.fromEntries(names.map((n, i) => [`:v${i}`, rest[n as keyof typeof rest]])),
          },
        }),
      ),
    );
  }

  async requestCancel(backtestId: string): Promise<boolean> {
    return this.#conditionally(() =>
      this.#db.send(
        new UpdateCommand({
          TableName: this.#state,
          Key: keys.backtestJob(backtestId),
          UpdateExpression: "SET cancelRequested = :yes",
          ...running,
          ExpressionAttributeValues: { ":running": "running", ":yes": true },
        }),
      ),
    );
  }

  async #conditionally(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await patiently(write);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function decodeCursor(cursor: string, ruleId: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Record<string, unknown>;
    if (
      key.gsi1pk === keys.backtestsOfRule(ruleId) &&
      typeof key.pk === "string" &&
      typeof key.sk === "string" &&
      typeof key.gsi1sk === "string"
    )
      return key;
  } catch {}
  throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
}

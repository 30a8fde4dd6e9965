/**
 * Backtest jobs (domain/backtests) on DynamoDB: one item per job in the state table,
 * `BACKTEST#<backtestId>` / `JOB`, created once, replaced while it runs (conditioned on its
 * status still `running`, so a finished job never changes), with its report once done.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BacktestJob, BacktestJobStore } from "../../../domain/backtests/index.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

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
        Item: { ...keys.backtestJob(job.backtestId), ...job },
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

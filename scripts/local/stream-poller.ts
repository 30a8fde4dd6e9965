/**
 * Locally, what Lambda's event source mapping does in AWS: reads DynamoDB Local's stream of the
 * ledger table and calls the projector's handler (functions/projector.ts) with batches of
 * records in the Lambda event shape, honouring its partial batch responses (a failed record and
 * those after it are read again on the next poll).
 *
 * @aws-sdk/client-dynamodb-streams is not a dependency, so this speaks the DynamoDB Streams
 * JSON protocol (DescribeStream, GetShardIterator, GetRecords) directly. It only ever talks to
 * DynamoDB Local, which does not check signatures: the Authorization header names the local
 * credentials and is otherwise a placeholder.
 */
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { lambdaContext } from "./lambda.ts";

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | undefined>;

interface Shard {
  ShardId: string;
  ParentShardId?: string;
  SequenceNumberRange?: { StartingSequenceNumber?: string; EndingSequenceNumber?: string };
}

interface ShardState {
  iterator: string | undefined;
  /** The last record handed over successfully: where to resume. */
  lastSequence: string | undefined;
  done: boolean;
}

export interface StreamPollerOptions {
  endpoint: string;
  client: DynamoDBClient;
  table: string;
  handler: StreamHandler;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

export class StreamPoller {
  readonly #options: StreamPollerOptions;
  readonly #shards = new Map<string, ShardState>();
  #streamArn: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(options: StreamPollerOptions) {
    const host = new URL(options.endpoint).hostname;
    if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(host)) {
      throw new Error(`the stream poller only reads DynamoDB Local, not ${options.endpoint}`);
    }
    this.#options = options;
  }

  async #call<T>(operation: string, body: unknown): Promise<T> {
    const response = await fetch(this.#options.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": `DynamoDBStreams_20120810.${operation}`,
        authorization: "AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=local",
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as T & { __type?: string; message?: string; Message?: string };
    if (!response.ok) {
      const error = new Error(`${operation}: ${json.message ?? json.Message ?? response.status}`);
      error.name = (json.__type ?? "StreamsError").split("#").pop() ?? "StreamsError";
      throw error;
    }
    return json;
  }

  async #arn(): Promise<string> {
    if (!this.#streamArn) {
      const { Table } = await this.#options.client.send(new DescribeTableCommand({ TableName: this.#options.table }));
      if (!Table?.LatestStreamArn) throw new Error(`the table ${this.#options.table} has no stream`);
      this.#streamArn = Table.LatestStreamArn;
    }
    return this.#streamArn;
  }

  async #listShards(arn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.#call<{ StreamDescription: { Shards?: Shard[]; LastEvaluatedShardId?: string } }>(
        "DescribeStream",
        { StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}) },
      );
      shards.push(...(StreamDescription.Shards ?? []));
      start = StreamDescription.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** Reads every shard up to its current end once; returns how many records were handed over. */
  pollOnce(): Promise<number> {
    // One poll at a time: a timer tick and a drain never read the same shard concurrently.
    const previous = this.#running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => this.#poll());
    this.#running = next;
    return next;
  }

  async #poll(): Promise<number> {
    const arn = await this.#arn();
    const shards = await this.#listShards(arn);
    // Parents first, as Lambda does: a child shard continues its parent's records.
    const order = new Map(shards.map((shard) => [shard.ShardId, shard]));
    const depth = (shard: Shard): number =>
      shard.ParentShardId && order.has(shard.ParentShardId) ? 1 + depth(order.get(shard.ParentShardId) as Shard) : 0;
    let handed = 0;
    for (const shard of [...shards].sort((a, b) => depth(a) - depth(b))) {
      const state = this.#shards.get(shard.ShardId) ?? { iterator: undefined, lastSequence: undefined, done: false };
      this.#shards.set(shard.ShardId, state);
      if (state.done) continue;
      handed += await this.#readShard(arn, shard.ShardId, state);
    }
    return handed;
  }

  async #readShard(arn: string, shardId: string, state: ShardState): Promise<number> {
    let handed = 0;
    for (;;) {
      if (!state.iterator) {
        const { ShardIterator } = await this.#call<{ ShardIterator?: string }>("GetShardIterator", {
          StreamArn: arn,
          ShardId: shardId,
          ...(state.lastSequence
            ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: state.lastSequence }
            : { ShardIteratorType: "TRIM_HORIZON" }),
        });
        state.iterator = ShardIterator;
        if (!state.iterator) {
          state.done = true;
          return handed;
        }
      }
      let page: { Records?: DynamoDBRecord[]; NextShardIterator?: string };
      try {
        page = await this.#call("GetRecords", { ShardIterator: state.iterator, Limit: this.#options.batchSize ?? 100 });
      } catch (error) {
        // An expired or trimmed iterator: start again after the last record handed over. DynamoDB
        // Local says "trimmed" on a new stream's first read; the next poll reads it, so no alarm.
        state.iterator = undefined;
        if ((error as Error).name === "TrimmedDataAccessException") return handed;
        throw error;
      }
      const records = (page.Records ?? []).map((record) => ({ ...record, eventSourceARN: arn }));
      if (records.length > 0) {
        const response = await this.#options.handler({ Records: records }, lambdaContext("projector"));
        const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        const firstFailed = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ""));
        const done = firstFailed === -1 ? records : records.slice(0, firstFailed);
        handed += done.length;
        const last = done.at(-1)?.dynamodb?.SequenceNumber;
        if (last) state.lastSequence = last;
        if (firstFailed !== -1) {
          // Read again from the failed record on the next poll, as Lambda retries.
          state.iterator = undefined;
          throw new Error(`the handler failed ${records.length - firstFailed} of ${records.length} stream records; retrying them`);
        }
      }
      state.iterator = page.NextShardIterator;
      if (!state.iterator) {
        state.done = true;
        return handed;
      }
      if (records.length === 0) return handed;
    }
  }

  /** Polls until a poll finds nothing new: everything written so far has been projected. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handed = await this.pollOnce();
      total += handed;
      if (handed === 0) return total;
    }
  }

  /** Polls every `intervalMs` until stopped; errors go to `onError` and the next poll retries. */
  start(intervalMs = 500): this {
    const tick = async () => {
      try {
        await this.pollOnce();
      } catch (error) {
        this.#options.onError?.(error);
      }
      if (this.#timer) this.#timer = setTimeout(tick, intervalMs);
    };
    this.#timer = setTimeout(tick, 0);
    return this;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }
}

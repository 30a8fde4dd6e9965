/**
 * Locally, what Lambda's event source mapping does in AWS: reads DynamoDB Local's stream of the
 * ledger table and calls the projector's handler (functions/background/projector.ts) with batches of
 * records in the Lambda event shape, honouring its partial batch responses (a failed record and
 * those after it are read again on the next poll). It reads with @aws-sdk/client-dynamodb-streams
 * and only ever talks to DynamoDB Local.
 */
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type AttributeValue,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type {
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as LambdaAttributeValue,
} from "aws-lambda";
import { localAccessKeyId } from "../../functions/dynamo/client.ts";
import { lambdaContext } from "./lambda.ts";

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | undefined>;

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
  /** Records per handler call (Lambda's BatchSize), 100 unless given. */
  batchSize?: number;
  /** Only records that pass reach the handler, as with the event source mapping's filter criteria. */
  filter?: (record: DynamoDBRecord) => boolean;
  onError?: (error: unknown) => void;
}

/** A record as Lambda's event carries it: the same DynamoDB JSON, the creation time in epoch seconds. */
const lambdaRecord = (record: StreamRecord, arn: string): DynamoDBRecord => {
  const { ApproximateCreationDateTime: created, NewImage, OldImage, ...change } = record.dynamodb ?? {};
  return {
    ...(record as DynamoDBRecord),
    eventSourceARN: arn,
    dynamodb: {
      ...(change as DynamoDBRecord["dynamodb"]),
      ...(NewImage ? { NewImage: withEmptyMaps(NewImage) } : {}),
      ...(OldImage ? { OldImage: withEmptyMaps(OldImage) } : {}),
      ...(created ? { ApproximateCreationDateTime: created.getTime() / 1000 } : {}),
    },
  };
};

type Image = Record<string, AttributeValue>;

/** The Streams client reads an empty map (`{ M: {} }`, as Lambda passes it) as `{}`; this puts the `M` back. */
function withEmptyMaps(image: Image): Record<string, LambdaAttributeValue> {
  const repair = (value: AttributeValue): LambdaAttributeValue => {
    if (value.M) return { M: withEmptyMaps(value.M) };
    if (value.L) return { L: value.L.map(repair) };
    return Object.keys(value).length === 0 ? { M: {} } : (value as LambdaAttributeValue);
  };
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, repair(value)]));
}

export class StreamPoller {
  readonly #options: StreamPollerOptions;
  readonly #streams: DynamoDBStreamsClient;
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
    this.#streams = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: "local",
      credentials: { accessKeyId: localAccessKeyId(), secretAccessKey: "local" },
    });
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
      const { StreamDescription } = await this.#streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
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
    const order = new Map(shards.map((shard) => [shard.ShardId ?? "", shard]));
    const depth = (shard: Shard): number =>
      shard.ParentShardId && order.has(shard.ParentShardId) ? 1 + depth(order.get(shard.ParentShardId) as Shard) : 0;
    let handed = 0;
    for (const shard of [...shards].sort((a, b) => depth(a) - depth(b))) {
      const shardId = shard.ShardId ?? "";
      const state = this.#shards.get(shardId) ?? { iterator: undefined, lastSequence: undefined, done: false };
      this.#shards.set(shardId, state);
      if (state.done) continue;
      handed += await this.#readShard(arn, shardId, state);
    }
    return handed;
  }

  async #readShard(arn: string, shardId: string, state: ShardState): Promise<number> {
    let handed = 0;
    for (;;) {
      if (!state.iterator) {
        const { ShardIterator } = await this.#streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: shardId,
            ...(state.lastSequence
              ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: state.lastSequence }
              : { ShardIteratorType: "TRIM_HORIZON" }),
          }),
        );
        state.iterator = ShardIterator;
        if (!state.iterator) {
          state.done = true;
          return handed;
        }
      }
      let page: GetRecordsCommandOutput;
      try {
        page = await this.#streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
      } catch (error) {
        // An expired or trimmed iterator: start again after the last record handed over. DynamoDB
        // Local says "trimmed" on a new stream's first read; the next poll reads it, so no alarm.
        state.iterator = undefined;
        if ((error as Error).name === "TrimmedDataAccessException") return handed;
        throw error;
      }
      const records = (page.Records ?? []).map((record) => lambdaRecord(record, arn));
      await this.#hand(records, state);
      handed += records.length;
      state.iterator = page.NextShardIterator;
      if (!state.iterator) {
        state.done = true;
        return handed;
      }
      if (records.length === 0) return handed;
    }
  }

  /**
   * Hands a page's records that pass the filter to the handler in batches of `batchSize`, as
   * Lambda forms batches after its event filter; records filtered out count as handed.
   */
  async #hand(records: DynamoDBRecord[], state: ShardState): Promise<void> {
    const wanted = records.filter(this.#options.filter ?? (() => true));
    const size = this.#options.batchSize ?? 100;
    for (let start = 0; start < wanted.length; start += size) {
      const batch = wanted.slice(start, start + size);
      const response = await this.#options.handler({ Records: batch }, lambdaContext("projector"));
      const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      const firstFailed = batch.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ""));
      const last = (firstFailed === -1 ? batch : batch.slice(0, firstFailed)).at(-1)?.dynamodb?.SequenceNumber;
      if (last) state.lastSequence = last;
      if (firstFailed !== -1) {
        // Read again from the failed record on the next poll, as Lambda retries.
        state.iterator = undefined;
        throw new Error(`the handler failed ${batch.length - firstFailed} of ${batch.length} stream records; retrying them`);
      }
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) state.lastSequence = last;
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
    this.#streams.destroy();
  }
}

/**
 * Notifications on DynamoDB, all in the state table (keys: ../keys.ts): the outbox (one item per
 * person and cause, `attribute_not_exists`, so a replayed stream batch writes nothing), the
 * channels admins configure, the dead letters and each person's preferences; and the marks of
 * gates met. What only serves a while expires (the state table's TTL, `expiresAt`): notices after
 * 90 days (the bell shows 30; a stream batch is replayed within a day), dead letters 90 days after
 * they were given up, a robot's minute count after a day.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type {
  Channel,
  ChannelStore,
  DeadLetter,
  DeadLetters,
  GateMark,
  GateMarks,
  Notice,
  NotificationPreferences,
  Outbox,
  PreferenceStore,
  RobotRate,
} from "../../../domain/notifications/index.ts";
import { robotMessagesPerMinute } from "../../../domain/notifications/index.ts";
import { batchGet } from "../batch-get.ts";
import { queryAll } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

const day = 86_400;
/** Epoch seconds `days` after `from`, for the TTL attribute. */
const expiresAt = (from: string | Date, days: number) => Math.ceil(new Date(from).getTime() / 1000) + days * day;
/** An item as the domain knows it: without its keys and its expiry, which are the table's. */
const stored = <T>(item: Record<string, unknown>): T => {
  const { expiresAt: _expiresAt, ...rest } = withoutKeys<Record<string, unknown>>(item);
  return rest as T;
};

export class DynamoNotificationStore implements Outbox, ChannelStore, PreferenceStore, DeadLetters, RobotRate {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;
  readonly #channelsTtlMs: number;
  #channels: { value: Promise<Channel[]>; expires: number } | undefined;

  /** `channelsTtlMs`: how long the channels read are kept; a new subscription takes effect within it. */
  constructor(db: DynamoDBDocumentClient, state: string, { channelsTtlMs = 30_000 } = {}) {
    this.#db = db;
    this.#state = state;
    this.#channelsTtlMs = channelsTtlMs;
  }

  async record(notices: readonly Notice[]) {
    const outcomes = await Promise.all(notices.map(async (notice) => ({ notice, written: await this.#putOnce(notice) })));
    return {
      written: outcomes.filter((o) => o.written).map((o) => o.notice),
      already: outcomes.filter((o) => !o.written).map((o) => o.notice),
    };
  }

  async #putOnce(notice: Notice): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#state,
          Item: { ...keys.notice(notice.personId, notice.at, notice.causeId), ...notice, expiresAt: expiresAt(notice.at, 90) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async recent(personId: PersonId, since: string): Promise<Notice[]> {
    const items = await queryAll(this.#db, {
      TableName: this.#state,
      KeyConditionExpression: "pk = :pk AND sk >= :since",
      ExpressionAttributeValues: { ":pk": keys.noticePartition(personId), ":since": since },
      ScanIndexForward: false,
    });
    return items.map((item) => stored<Notice>(item));
  }

  channels(): Promise<Channel[]> {
    const now = Date.now();
    if (!this.#channels || this.#channels.expires <= now) {
      const value = queryAll(this.#db, {
        TableName: this.#state,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.channelPartition },
      }).then((items) => items.map((item) => withoutKeys<Channel>(item)));
      // A failed read is not kept: the next batch reads again.
      value.catch(() => {
        this.#channels = undefined;
      });
      this.#channels = { value, expires: now + this.#channelsTtlMs };
    }
    return this.#channels.value;
  }

  async channel(channelId: string): Promise<Channel | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#state, Key: keys.channel(channelId) }));
    return Item ? withoutKeys<Channel>(Item) : undefined;
  }

  async putChannel(channel: Channel): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.channel(channel.channelId), ...channel } }));
    this.#channels = undefined;
  }

  async preferences(personId: PersonId): Promise<NotificationPreferences | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#state, Key: keys.notificationPreferences(personId) }));
    return Item ? withoutKeys<NotificationPreferences>(Item) : undefined;
  }

  async replaceSealed(channelId: string, from: string, to: string): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#state,
          Key: keys.channel(channelId),
          UpdateExpression: "SET sealed = :to",
          ConditionExpression: "sealed = :from",
          ExpressionAttributeValues: { ":from": from, ":to": to },
        }),
      );
      this.#channels = undefined;
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putPreferences(personId: PersonId, preferences: NotificationPreferences): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.notificationPreferences(personId), ...preferences } }));
  }

  async take(channelId: string, minute: string): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#state,
          Key: keys.robotMinute(channelId, minute),
          UpdateExpression: "ADD sent :one SET expiresAt = :expires",
          ConditionExpression: "attribute_not_exists(sent) OR sent < :max",
          ExpressionAttributeValues: { ":one": 1, ":max": robotMessagesPerMinute, ":expires": expiresAt(`${minute}:00Z`, 1) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async put(letter: DeadLetter): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#state,
        Item: { ...keys.deadLetter(letter.letterId), ...letter, expiresAt: expiresAt(letter.at, 90) },
      }),
    );
  }

  async list(): Promise<DeadLetter[]> {
    const items = await queryAll(this.#db, {
      TableName: this.#state,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.deadLetterPartition },
    });
    return items.map((item) => stored<DeadLetter>(item));
  }

  async markReplayed(letterId: string, at: string): Promise<DeadLetter | undefined> {
    try {
      const { Attributes } = await this.#db.send(
        new UpdateCommand({
          TableName: this.#state,
          Key: keys.deadLetter(letterId),
          UpdateExpression: "SET replayedAt = :at",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(replayedAt)",
          ExpressionAttributeValues: { ":at": at },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes ? stored<DeadLetter>(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

/** The marks of gates met, beside the outbox (keys.gateMark). */
export class DynamoGateMarks implements GateMarks {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, state: string) {
    this.#db = db;
    this.#state = state;
  }

  async read(met: readonly { personId: PersonId; gateId: string; version: number }[]): Promise<GateMark[]> {
    const wanted = met.map((m) => keys.gateMark(m.personId, m.gateId, m.version));
    // BatchGetItem takes 100 keys at a time.
    const chunks = Array.from({ length: Math.ceil(wanted.length / 100) }, (_, i) => wanted.slice(i * 100, i * 100 + 100));
    const found = await Promise.all(chunks.map((chunk) => batchGet(this.#db, { [this.#state]: chunk })));
    return chunks.flatMap((chunk, i) =>
      chunk.flatMap((key) => {
        const item = found[i]?.get(this.#state, key);
        return item ? [withoutKeys<GateMark>(item)] : [];
      }),
    );
  }

  async set(mark: GateMark): Promise<GateMark> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#state,
          Item: { ...keys.gateMark(mark.personId, mark.gateId, mark.version), ...mark },
          ConditionExpression: "attribute_not_exists(pk)",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return mark;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || !error.Item) throw error;
      return withoutKeys<GateMark>(unmarshall(error.Item));
    }
  }

  async told(marks: readonly GateMark[]): Promise<void> {
    await Promise.all(
      marks.map((mark) =>
        this.#db.send(
          new UpdateCommand({
            TableName: this.#state,
            Key: keys.gateMark(mark.personId, mark.gateId, mark.version),
            UpdateExpression: "SET told = :told",
            ExpressionAttributeValues: { ":told": true },
          }),
        ),
      ),
    );
  }
}

/**
 * Notifications on DynamoDB, all in the state table (keys: ../keys.ts): the outbox (one item per
 * person and cause, `attribute_not_exists`, so a replayed stream batch writes nothing), the
 * channels admins configure, the dead letters and each person's preferences.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type {
  Channel,
  ChannelStore,
  DeadLetter,
  DeadLetters,
  Notice,
  NotificationPreferences,
  Outbox,
  PreferenceStore,
  RobotRate,
} from "../../../domain/notifications/index.ts";
import { robotMessagesPerMinute } from "../../../domain/notifications/index.ts";
import { queryAll } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

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
          Item: { ...keys.notice(notice.personId, notice.at, notice.causeId), ...notice },
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
    return items.map((item) => withoutKeys<Notice>(item));
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

  async putPreferences(personId: PersonId, preferences: NotificationPreferences): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.notificationPreferences(personId), ...preferences } }));
  }

  async take(channelId: string, minute: string): Promise<boolean> {
    try {
      await this.#db.send(
        new UpdateCommand({
          TableName: this.#state,
          Key: keys.robotMinute(channelId, minute),
          UpdateExpression: "ADD sent :one",
          ConditionExpression: "attribute_not_exists(sent) OR sent < :max",
          ExpressionAttributeValues: { ":one": 1, ":max": robotMessagesPerMinute },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async put(letter: DeadLetter): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.deadLetter(letter.letterId), ...letter } }));
  }

  async list(): Promise<DeadLetter[]> {
    const items = await queryAll(this.#db, {
      TableName: this.#state,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": keys.deadLetterPartition },
    });
    return items.map((item) => withoutKeys<DeadLetter>(item));
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
      return Attributes ? withoutKeys<DeadLetter>(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

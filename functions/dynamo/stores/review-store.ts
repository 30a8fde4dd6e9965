/**
 * Review items of the anti-gaming detectors and the holds they put on people, on DynamoDB (state
 * table; keys in ../keys.ts).
 *
 * | item                  | pk               | sk     | gsi1pk / gsi1sk                  |
 * |-----------------------|------------------|--------|----------------------------------|
 * | a review item         | REVIEW#<flagId>  | REVIEW | REVIEWS#<status> / <raisedAt>#id |
 * | a person's holds      | HOLD#<personId>  | HOLD   |                                  |
 * | the item as opened    | REVIEWLOG#<flagId> (ledger table) | OPENED |                  |
 *
 * An item is opened once per cause (`attribute_not_exists`), after its record in the ledger table
 * (append-only; on the stream the notifier tells approvers of it), with the holds it puts on its
 * people in the same transaction; a decision moves it out of the open list and lifts its holds in one
 * transaction too, conditioned on the item being open still.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  type HoldBook,
  integritySettings,
  type ReviewItem,
  type ReviewPage,
  type ReviewStatus,
  type ReviewStore,
} from "../../../domain/integrity/index.ts";
import { DomainError } from "../../../domain/kernel/errors.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";
import { tableName } from "../tables.ts";

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === "ConditionalCheckFailed"));

export class DynamoReviewStore implements ReviewStore, HoldBook {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  readonly #ledger: string;

  /** The ledger table keeps each item as it was opened: the notifier reads it from the stream and tells approvers. */
  constructor(db: DynamoDBDocumentClient, state: string, ledger = tableName("ledger")) {
    this.#db = db;
    this.#state = state;
    this.#ledger = ledger;
  }

  #holds(item: ReviewItem, action: "ADD" | "DELETE") {
    return (item.held ?? []).map((personId) => ({
      Update: {
        TableName: this.#state,
        Key: keys.hold(personId),
        UpdateExpression: `${action} flagIds :flag`,
        ExpressionAttributeValues: { ":flag": new Set([item.flagId]) },
      },
    }));
  }

  async open(item: ReviewItem): Promise<boolean> {
    const put = {
      Put: {
        TableName: this.#state,
        Item: { ...keys.reviewItem(item.flagId), ...keys.reviewsByStatus(item.status, item.raisedAt, item.flagId), ...item },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    };
    await this.#record(item);
    const holds = this.#holds(item, "ADD");
    try {
      // Without holds the item alone: a conditional put, at half a transaction's write units.
      if (holds.length === 0) await patiently(() => this.#db.send(new PutCommand(put.Put)));
      else await patiently(() => this.#db.send(new TransactWriteCommand({ TransactItems: [put, ...holds] })));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * The item as opened, in the ledger table, before the item itself: a batch that fails between
   * the two finds the item unknown on its retry and writes both again (the record once), so no
   * item is ever without its record, which tells approvers. A plain put: 1 write unit, not a
   * transaction's doubled units on the item's 3.
   */
  async #record({ flagId, detector, people, raisedAt, explained }: ReviewItem): Promise<void> {
    const Item = { ...keys.reviewOpened(flagId), flagId, detector, people, raisedAt, explained };
    try {
      await patiently(() =>
        this.#db.send(new PutCommand({ TableName: this.#ledger, Item, ConditionExpression: "attribute_not_exists(pk)" })),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async known(flagIds: readonly string[]): Promise<Set<string>> {
    const found = await Promise.all(
      Array.from({ length: Math.ceil(flagIds.length / 100) }, (_, i) => flagIds.slice(i * 100, (i + 1) * 100)).map(async (ids) => {
        const { Responses } = await patiently(() =>
          this.#db.send(
            new BatchGetCommand({
              RequestItems: { [this.#state]: { Keys: ids.map((id) => keys.reviewItem(id)), ProjectionExpression: "flagId" } },
            }),
          ),
        );
        return (Responses?.[this.#state] ?? []).map((item) => item.flagId as string);
      }),
    );
    return new Set(found.flat());
  }

  async get(flagId: string): Promise<ReviewItem | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#state, Key: keys.reviewItem(flagId), ConsistentRead: true }));
    return Item ? itemOf(Item) : undefined;
  }

  async list(status: ReviewStatus, limit: number, cursor?: string): Promise<ReviewPage> {
    const page = await this.#db.send(
      new QueryCommand({
        TableName: this.#state,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :status",
        ExpressionAttributeValues: { ":status": keys.reviewStatus(status) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor, status),
      }),
    );
    const items = (page.Items ?? []).map(itemOf);
    return page.LastEvaluatedKey ? { items, cursor: Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString("base64url") } : { items };
  }

  async decide(item: ReviewItem): Promise<boolean> {
    const update = {
      Update: {
        TableName: this.#state,
        Key: keys.reviewItem(item.flagId),
        UpdateExpression: "SET #status = :status, decision = :decision, gsi1pk = :gsi1pk",
        ConditionExpression: "#status = :open",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":status": item.status,
          ":decision": item.decision,
          ":gsi1pk": keys.reviewStatus(item.status),
          ":open": "open",
        },
      },
    };
    try {
      await patiently(() => this.#db.send(new TransactWriteCommand({ TransactItems: [update, ...this.#holds(item, "DELETE")] })));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async held(people: readonly PersonId[]): Promise<Map<PersonId, string[]>> {
    if (people.length === 0) return new Map();
    const { Responses } = await patiently(() =>
      this.#db.send(
        new BatchGetCommand({ RequestItems: { [this.#state]: { Keys: people.map((p) => keys.hold(p)), ConsistentRead: true } } }),
      ),
    );
    const held = new Map<PersonId, string[]>();
    for (const item of Responses?.[this.#state] ?? []) {
      const flags = [...((item.flagIds as Set<string> | undefined) ?? [])];
      if (flags.length > 0) held.set((item.pk as string).slice("HOLD#".length) as PersonId, flags.sort());
    }
    return held;
  }
}

const itemOf = (item: Record<string, unknown>): ReviewItem => withoutKeys<ReviewItem>(item);

function decodeCursor(cursor: string, status: ReviewStatus): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Record<string, unknown>;
    if (key.gsi1pk === keys.reviewStatus(status) && typeof key.pk === "string" && typeof key.gsi1sk === "string") return key;
  } catch {}
  throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
}

/**
 * The holds as a function that writes no event sees them: none unless the stage's hold policy is
 * on (INTEGRITY, read per request: a test turns the policy on for a part of a run).
 */
export function policyHolds(db: DynamoDBDocumentClient, state: string): HoldBook {
  const store = new DynamoReviewStore(db, state);
  return { held: async (people) => (integritySettings(process.env.INTEGRITY).holdFlagged ? store.held(people) : new Map()) };
}

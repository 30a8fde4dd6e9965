/**
 * Awards held for a review (domain/awards/held-awards.ts), on DynamoDB: ledger table, append-only,
 * keys in ../keys.ts.
 *
 * | item                      | pk               | sk                          |
 * |---------------------------|------------------|-----------------------------|
 * | a held award (the event)  | HELD#<personId>  | EVENT#<sourceId>#<eventId>   |
 * | how it ended              | HELD#<personId>  | SETTLED#<sourceId>#<eventId> |
 * | a budget's held award     | HELDBUDGET#<id>  | <heldAt>#<personId>#<sourceId>#<eventId> |
 *
 * All are written once (`attribute_not_exists`); a posted award's ending is written by the
 * ledger store in the transaction that posts it. A person's partition is read whole with one
 * Query: the held awards and their endings side by side.
 *
 * The approvers' list across budgets is in the state table (a projection, moved as each award is
 * settled, so that listing what is still held never reads what was settled):
 *
 * | item                          | pk                | sk                                          |
 * |-------------------------------|-------------------|---------------------------------------------|
 * | a budget's award still held   | HELDLIST#held     | <heldAt>#<personId>#<sourceId>#<eventId>     |
 * | … posted or rejected          | HELDLIST#<status> | <settled at>#<personId>#<sourceId>#<eventId> |
 *
 * The held one is put in the transaction that keeps the award; the move (a Delete and a Put) goes
 * with the settlement, whose condition makes it happen once.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, paginateQuery, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import {
  type HeldAward,
  type HeldAwardState,
  type HeldAwardStatus,
  type HeldAwardStore,
  type HeldAwardView,
  type HeldRef,
  heldAwardView,
  heldRefKey,
  listingMove,
} from "../../../domain/awards/index.ts";
import { DomainError } from "../../../domain/kernel/errors.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { Page } from "../../../domain/kernel/ports.ts";
import type { HeldListingMove, HeldSettlement } from "../../../domain/ledger/index.ts";
import { batchGet } from "../batch-get.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

const refsPerRead = 50;

export class DynamoHeldAwardStore implements HeldAwardStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, tables: { ledger: string; state: string }) {
    this.#db = db;
    this.#ledger = tables.ledger;
    this.#state = tables.state;
  }

  async find(refs: readonly HeldRef[]): Promise<Map<string, HeldAwardState>> {
    const unique = [...new Map(refs.map((ref) => [heldRefKey(ref), ref])).values()];
    const chunks = Array.from({ length: Math.ceil(unique.length / refsPerRead) }, (_, i) =>
      unique.slice(i * refsPerRead, (i + 1) * refsPerRead),
    );
    const states = new Map<string, HeldAwardState>();
    await Promise.all(
      chunks.map(async (chunk) => {
        const wanted = chunk.flatMap(({ personId, sourceId, eventId }) => [
          keys.heldAward(personId, sourceId, eventId),
          keys.heldSettled(personId, sourceId, eventId),
        ]);
        const found = await batchGet(this.#db, { [this.#ledger]: wanted }, { consistent: true });
        for (const ref of chunk) {
          const held = found.get(this.#ledger, keys.heldAward(ref.personId, ref.sourceId, ref.eventId));
          const settled = found.get(this.#ledger, keys.heldSettled(ref.personId, ref.sourceId, ref.eventId));
          if (held)
            states.set(heldRefKey(ref), {
              held: withoutKeys<HeldAward>(held),
              settled: settled ? withoutKeys<HeldSettlement>(settled) : undefined,
            });
        }
      }),
    );
    return states;
  }

  async keep(held: HeldAward): Promise<boolean> {
    const item = { ...keys.heldAward(held.personId, held.sourceId, held.eventId), ...held };
    if (!held.budget) return this.#putOnce(item);
    // Held for an approver: listed under its budget and in the approvers' list too, in one transaction.
    const { personId, sourceId, eventId, heldAt } = held;
    const pointer = { ...keys.budgetHeldAward(held.budget.budgetId, heldAt, personId, sourceId, eventId), personId, sourceId, eventId };
    const listed = { ...heldAwardView({ held }), ...keys.heldListing("held", heldAt, personId, sourceId, eventId) };
    try {
      await patiently(() =>
        this.#db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...[item, pointer].map((Item) => ({
                Put: { TableName: this.#ledger, Item, ConditionExpression: "attribute_not_exists(pk)" },
              })),
              { Put: { TableName: this.#state, Item: listed, ConditionExpression: "attribute_not_exists(pk)" } },
            ],
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === "ConditionalCheckFailed"))
        return false;
      throw error;
    }
  }

  async ofBudget(budgetId: string): Promise<HeldAwardState[]> {
    const refs: HeldRef[] = [];
    const pages = paginateQuery(
      { client: this.#db },
      {
        TableName: this.#ledger,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.budgetHeldAwards(budgetId) },
      },
    );
    for await (const page of pages)
      for (const item of page.Items ?? [])
        refs.push({ personId: item.personId as PersonId, sourceId: item.sourceId as string, eventId: item.eventId as string });
    const found = await this.find(refs);
    return refs.flatMap((ref) => found.get(heldRefKey(ref)) ?? []);
  }

  async settle(settlement: HeldSettlement, held: HeldAward): Promise<void> {
    const item = { ...keys.heldSettled(settlement.personId, settlement.sourceId, settlement.eventId), ...settlement };
    const move = listingMove(held, settlement);
    if (!move) {
      await this.#putOnce(item);
      return;
    }
    try {
      await patiently(() =>
        this.#db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.#ledger, Item: item, ConditionExpression: "attribute_not_exists(pk)" } },
              ...listingMoveItems(this.#state, settlement, move),
            ],
          }),
        ),
      );
    } catch (error) {
      // Settled already (and moved with it).
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed") return;
      throw error;
    }
  }

  async listed(status: HeldAwardStatus, limit: number, cursor?: string): Promise<Page<HeldAwardView>> {
    const page = await this.#db.send(
      new QueryCommand({
        TableName: this.#state,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.heldList(status) },
        // What waits longest first; what ended most recently first.
        ScanIndexForward: status === "held",
        Limit: limit,
        ExclusiveStartKey: cursor === undefined ? undefined : decodeCursor(cursor, status),
      }),
    );
    const items = (page.Items ?? []).map((item) => withoutKeys<HeldAwardView>(item));
    const last = page.LastEvaluatedKey;
    return { items, cursor: last ? Buffer.from(JSON.stringify({ pk: last.pk, sk: last.sk })).toString("base64url") : undefined };
  }

  async of(personId: PersonId): Promise<HeldAwardState[]> {
    const held: HeldAward[] = [];
    const settled = new Map<string, HeldSettlement>();
    const pages = paginateQuery(
      { client: this.#db },
      {
        TableName: this.#ledger,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.heldOf(personId) },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if ((item.sk as string).startsWith("EVENT#")) held.push(withoutKeys<HeldAward>(item));
        else settled.set(`${item.sourceId}#${item.eventId}`, withoutKeys<HeldSettlement>(item));
      }
    }
    return held
      .sort((a, b) => a.heldAt.localeCompare(b.heldAt) || a.eventId.localeCompare(b.eventId))
      .map((h) => ({ held: h, settled: settled.get(`${h.sourceId}#${h.eventId}`) }));
  }

  async #putOnce(Item: Record<string, unknown>): Promise<boolean> {
    try {
      await patiently(() =>
        this.#db.send(new PutCommand({ TableName: this.#ledger, Item, ConditionExpression: "attribute_not_exists(pk)" })),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The approvers' list follows a budget's held award as it is settled: out of the held list, into its outcome's. */
export function listingMoveItems(state: string, settled: HeldSettlement, { heldAt, body }: HeldListingMove) {
  const { personId, sourceId, eventId, outcome, recordedAt } = settled;
  return [
    { Delete: { TableName: state, Key: keys.heldListing("held", heldAt, personId, sourceId, eventId) } },
    {
      Put: {
        TableName: state,
        Item: { ...body, ...keys.heldListing(outcome, recordedAt, personId, sourceId, eventId) },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
  ];
}

function decodeCursor(cursor: string, status: HeldAwardStatus): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString()) as Record<string, unknown>;
    if (key.pk === keys.heldList(status) && typeof key.sk === "string") return { pk: key.pk, sk: key.sk };
  } catch {}
  throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
}

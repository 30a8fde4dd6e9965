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
 * Both are written once (`attribute_not_exists`); a posted award's ending is written by the
 * ledger store in the transaction that posts it. A person's partition is read whole with one
 * Query: the held awards and their endings side by side.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, paginateQuery, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { type HeldAward, type HeldAwardState, type HeldAwardStore, type HeldRef, heldRefKey } from "../../../domain/awards/index.ts";
import type { PersonId } from "../../../domain/kernel/model.ts";
import type { HeldSettlement } from "../../../domain/ledger/index.ts";
import { batchGet } from "../batch-get.ts";
import { patiently } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

const refsPerRead = 50;

export class DynamoHeldAwardStore implements HeldAwardStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;

  constructor(db: DynamoDBDocumentClient, ledger: string) {
    this.#db = db;
    this.#ledger = ledger;
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
    // Held for an approver: listed under its budget too, in one transaction.
    const { personId, sourceId, eventId, heldAt } = held;
    const pointer = { ...keys.budgetHeldAward(held.budget.budgetId, heldAt, personId, sourceId, eventId), personId, sourceId, eventId };
    try {
      await patiently(() =>
        this.#db.send(
          new TransactWriteCommand({
            TransactItems: [item, pointer].map((Item) => ({
              Put: { TableName: this.#ledger, Item, ConditionExpression: "attribute_not_exists(pk)" },
            })),
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

  async settle(settlement: HeldSettlement): Promise<void> {
    await this.#putOnce({ ...keys.heldSettled(settlement.personId, settlement.sourceId, settlement.eventId), ...settlement });
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

/**
 * Bounties on DynamoDB: the bounty (versioned, state table, one partition for the board) and its
 * history (append-only steps, ledger table). Every write goes through DynamoLedgerStore.append,
 * in one TransactWriteItems with the entries. Keys: see ../keys.ts and ../tables.ts.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Bounty, BountySnapshot, BountyStep, BountyStore } from "../../../domain/bounties/index.ts";
import type { IdempotencyRecord, IdempotencyRef } from "../../../domain/ledger/index.ts";
import { batchGet, type Item } from "../batch-get.ts";
import { queryAll } from "../client.ts";
import { keys, withoutKeys } from "../keys.ts";

const bountyOf = (item: Item): Bounty => {
  const { kind: _kind, ...bounty } = withoutKeys<Bounty & { kind: string }>(item);
  return bounty;
};

export class DynamoBountyStore implements BountyStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, tableNames: { ledger: string; state: string }) {
    this.#db = db;
    this.#ledger = tableNames.ledger;
    this.#state = tableNames.state;
  }

  async readBounty(bountyId: string, idempotency?: IdempotencyRef): Promise<BountySnapshot> {
    const idemKey = idempotency ? keys.idempotency(idempotency.scope, idempotency.key) : undefined;
    const found = await batchGet(this.#db, { [this.#state]: [keys.bounty(bountyId)], ...(idemKey ? { [this.#ledger]: [idemKey] } : {}) });
    const item = found.get(this.#state, keys.bounty(bountyId));
    const idem = idemKey ? found.get(this.#ledger, idemKey) : undefined;
    return { bounty: item ? bountyOf(item) : undefined, idempotency: idem ? withoutKeys<IdempotencyRecord>(idem) : undefined };
  }

  async listBounties(): Promise<Bounty[]> {
    const items = await this.#all(this.#state, keys.bountyPartition);
    return items.map(bountyOf).sort((a, b) => b.postedAt.localeCompare(a.postedAt));
  }

  async history(bountyId: string): Promise<BountyStep[]> {
    return (await this.#all(this.#ledger, keys.bountyLog(bountyId))).map((item) => withoutKeys<BountyStep>(item));
  }

  async #all(table: string, pk: string): Promise<Item[]> {
    const items = (await queryAll(this.#db, {
      TableName: table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": pk },
    })) as Item[];
    return items;
  }
}

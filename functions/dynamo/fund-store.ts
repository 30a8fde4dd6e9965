/**
 * The fund's and the rewards catalog's reads on DynamoDB: pools, their chain heads (with the
 * pool's book), claims (versioned, in the state table), claim histories (append-only, in the
 * ledger table) and counters. Every write goes through DynamoLedgerStore.append, in one
 * TransactWriteItems with the entries. Keys: see keys.ts and tables.ts.
 */
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type {
  ClaimSnapshot,
  CounterReader,
  FundSnapshot,
  FundStore,
  RedemptionListing,
  RedemptionLists,
  RedemptionStatus,
} from "../../domain/fund/index.ts";
import { type Claim, type ClaimStep, emptyBook, type Fund, type FundBook } from "../../domain/fund/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import { fundAccount, type PersonId } from "../../domain/kernel/model.ts";
import type { Page } from "../../domain/kernel/ports.ts";
import type { IdempotencyRecord, IdempotencyRef } from "../../domain/ledger/index.ts";
import { type ChainState, emptyChain } from "../../domain/ledger/index.ts";
import { batchGet, type Item } from "./batch-get.ts";
import { queryAll } from "./client.ts";
import { keys, withoutKeys } from "./keys.ts";
import { readCounters, readIdempotency } from "./ledger-store.ts";

export class DynamoFundStore implements FundStore, CounterReader, RedemptionLists {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, tableNames: { ledger: string; state: string }) {
    this.#db = db;
    this.#ledger = tableNames.ledger;
    this.#state = tableNames.state;
  }

  async createFund(fund: Fund): Promise<boolean> {
    try {
      await this.#db.send(
        new PutCommand({
          TableName: this.#state,
          Item: { ...keys.fund(fund.fundId), ...fund },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  async listFunds(): Promise<Fund[]> {
    return (
      await queryAll(this.#db, {
        TableName: this.#state,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.fundPartition },
      })
    ).map((item) => withoutKeys<Fund>(item));
  }

  async readFund(fundId: string, idempotency?: IdempotencyRef): Promise<FundSnapshot> {
    const fundKey = keys.fund(fundId);
    const headKey = keys.head(fundAccount(fundId));
    const idemKey = idempotency ? keys.idempotency(idempotency.scope, idempotency.key) : undefined;
    const found = await batchGet(
      this.#db,
      { [this.#state]: [fundKey, headKey], ...(idemKey ? { [this.#ledger]: [idemKey] } : {}) },
      { consistent: true },
    );
    const fund = found.get(this.#state, fundKey);
    const head = found.get(this.#state, headKey);
    const idem = idemKey ? found.get(this.#ledger, idemKey) : undefined;
    const holder = fundAccount(fundId);
    const chain: ChainState = head
      ? {
          holder,
          seq: head.seq as number,
          headHash: head.headHash as string,
          balances: head.balances as ChainState["balances"],
          badgeEntries: (head.badgeEntries as ChainState["badgeEntries"] | undefined) ?? {},
          ...(head.reserved ? { reserved: head.reserved as ChainState["balances"] } : {}),
        }
      : emptyChain(holder);
    return {
      fund: fund ? withoutKeys<Fund>(fund) : undefined,
      state: { chain, book: (head?.book as FundBook | undefined) ?? emptyBook() },
      headVersion: (head?.version as number | undefined) ?? 0,
      idempotency: idem ? withoutKeys<IdempotencyRecord>(idem) : undefined,
    };
  }

  readIdempotency(ref: IdempotencyRef): Promise<IdempotencyRecord | undefined> {
    return readIdempotency(this.#db, this.#ledger, ref);
  }

  async readClaim(claimId: string, idempotency?: IdempotencyRef): Promise<ClaimSnapshot> {
    const claimKey = keys.claim(claimId);
    const idemKey = idempotency ? keys.idempotency(idempotency.scope, idempotency.key) : undefined;
    const found = await batchGet(
      this.#db,
      { [this.#state]: [claimKey], ...(idemKey ? { [this.#ledger]: [idemKey] } : {}) },
      { consistent: true },
    );
    const item = found.get(this.#state, claimKey);
    const idem = idemKey ? found.get(this.#ledger, idemKey) : undefined;
    return { claim: item ? claimOf(item) : undefined, idempotency: idem ? withoutKeys<IdempotencyRecord>(idem) : undefined };
  }

  async claimHistory(claimId: string): Promise<ClaimStep[]> {
    return (
      await queryAll(this.#db, {
        TableName: this.#ledger,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.claimLog(claimId) },
        ConsistentRead: true,
      })
    ).map((item) => withoutKeys<ClaimStep>(item));
  }

  async claimsOf(personId: PersonId): Promise<Claim[]> {
    return (
      await queryAll(this.#db, {
        TableName: this.#state,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.claimsOfOwner(personId) },
      })
    ).map(claimOf);
  }

  async waitingClaims(limit: number, cursor?: string): Promise<Page<Claim>> {
    const pk = keys.waitingClaimsPartition;
    const page = await pageOf(
      this.#db,
      { TableName: this.#state, KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": pk } },
      pk,
      limit,
      cursor,
    );
    return { items: page.items.map(claimOf), cursor: page.cursor };
  }

  async redemptionsOf(
    personId: PersonId,
    status: RedemptionStatus | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<RedemptionListing>> {
    const pk = keys.redemptionsPartition(personId);
    const page = await pageOf(
      this.#db,
      {
        TableName: this.#state,
        KeyConditionExpression: "pk = :pk",
        ...(status ? { FilterExpression: "#status = :status", ExpressionAttributeNames: { "#status": "status" } } : {}),
        ExpressionAttributeValues: { ":pk": pk, ...(status ? { ":status": status } : {}) },
        ScanIndexForward: false,
      },
      pk,
      limit,
      cursor,
    );
    return { items: page.items.map((item) => withoutKeys<RedemptionListing>(item)), cursor: page.cursor };
  }

  readCounters(names: readonly string[]): Promise<Map<string, number>> {
    return readCounters(this.#db, this.#state, names);
  }
}

export function claimOf(item: Item): Claim {
  const { kind: _kind, ...claim } = withoutKeys<Claim & { kind?: string }>(item);
  return claim as Claim;
}

/**
 * Up to `limit` items of one partition from where the cursor left off, reading on while a filter
 * leaves a page short. The cursor is the sort key of the last item handed out, opaque to clients.
 */
async function pageOf(
  db: DynamoDBDocumentClient,
  query: QueryCommandInput,
  pk: string,
  limit: number,
  cursor?: string,
): Promise<Page<Item>> {
  const items: Item[] = [];
  let start: Item | undefined = cursor === undefined ? undefined : { pk, sk: sortKeyOf(cursor) };
  let more = true;
  while (items.length < limit && more) {
    const page = await db.send(new QueryCommand({ ...query, Limit: limit - items.length, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
    more = start !== undefined;
  }
  const last = items.at(-1);
  return { items, cursor: more && last ? Buffer.from(`v1:${last.sk as string}`).toString("base64url") : undefined };
}

function sortKeyOf(cursor: string): string {
  const match = /^v1:([A-Za-z0-9:.#_+-]{1,200})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
  return match[1] as string;
}

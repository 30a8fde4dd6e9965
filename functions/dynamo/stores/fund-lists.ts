/**
 * The rebuild of the fund's lists (`npm run rebuild-projections`): each person's redemptions from
 * their chain and its hand-over markers, and the approvers' queue from the claims that are pending.
 * Every write of these lists is conditioned on what the rebuild read, so a live write that lands in
 * between wins and the rebuild leaves it alone.
 */

import { isDeepStrictEqual } from "node:util";
import { type DynamoDBDocumentClient, paginateScan, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Claim, RedemptionListing } from "../../../domain/fund/index.ts";
import { redemptionListing } from "../../../domain/fund/index.ts";
import type { EntryId, PersonId } from "../../../domain/kernel/model.ts";
import type { Collection, LedgerEntry } from "../../../domain/ledger/index.ts";
import { batchGet, type Item } from "../batch-get.ts";
import { queryAll } from "../client.ts";
import { claimOf } from "../fund-store.ts";
import { keys, withoutKeys } from "../keys.ts";

export interface Tables {
  ledger: string;
  state: string;
}

/** What a chain holds of redemptions, taken page by page as the chain is read. */
export class RedemptionsOfChain {
  readonly redemptions: LedgerEntry[] = [];
  readonly cancellations = new Map<EntryId, LedgerEntry>();

  take = (entries: readonly LedgerEntry[]): void => {
    for (const entry of entries) {
      if (entry.kind === "redemption") this.redemptions.push(entry);
      if (entry.kind === "reversal" && entry.reverses) this.cancellations.set(entry.reverses, entry);
    }
  };
}

/** Puts back a person's redemption list as their chain implies it; true when anything changed. */
export async function rebuildRedemptions(db: DynamoDBDocumentClient, tables: Tables, personId: PersonId, chain: RedemptionsOfChain) {
  const collections = new Map<EntryId, Collection>();
  for (let i = 0; i < chain.redemptions.length; i += 100) {
    const markers = chain.redemptions.slice(i, i + 100).map((e) => keys.collection(e.entryId));
    const found = await batchGet(db, { [tables.ledger]: markers }, { consistent: true });
    for (const entry of chain.redemptions.slice(i, i + 100)) {
      const marker = found.get(tables.ledger, keys.collection(entry.entryId));
      if (marker)
        collections.set(entry.entryId, { collectedAt: marker.collectedAt as string, collectedBy: marker.collectedBy as PersonId });
    }
  }
  const wanted = chain.redemptions.map((entry) =>
    redemptionListing(entry, { collected: collections.get(entry.entryId), cancellation: chain.cancellations.get(entry.entryId) }),
  );
  const stored = new Map(
    (
      await queryAll(db, {
        TableName: tables.state,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.redemptionsPartition(personId) },
        ConsistentRead: true,
      })
    ).map((item) => [item.sk as string, item]),
  );
  const writes = wanted.flatMap((listing) => {
    const key = keys.redemption(personId, listing.seq);
    const current = stored.get(key.sk);
    stored.delete(key.sk);
    return current && isDeepStrictEqual(withoutKeys<RedemptionListing>(current), listing)
      ? []
      : [put(tables.state, key, { ...listing }, current)];
  });
  const strays = [...stored.values()].map((item) => remove(tables.state, item));
  return applyEach(db, [...writes, ...strays]);
}

/** Puts back the approvers' queue as the pending claims imply it; true when anything changed. */
export async function rebuildWaitingClaims(db: DynamoDBDocumentClient, tables: Tables): Promise<boolean> {
  const pending: Claim[] = [];
  const pages = paginateScan(
    { client: db },
    {
      TableName: tables.state,
      FilterExpression: "begins_with(pk, :claim) AND sk = :sk AND #status = :pending",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":claim": keys.claim("").pk, ":sk": keys.claim("").sk, ":pending": "pending" },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) for (const item of page.Items ?? []) pending.push(claimOf(item));
  const stored = new Map(
    (
      await queryAll(db, {
        TableName: tables.state,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.waitingClaimsPartition },
        ConsistentRead: true,
      })
    ).map((item) => [item.sk as string, item]),
  );
  const writes = pending.flatMap((claim) => {
    const key = keys.waitingClaim(claim.createdAt, claim.claimId);
    const current = stored.get(key.sk);
    stored.delete(key.sk);
    if (current && isDeepStrictEqual(claimOf(current), claim)) return [];
    // The claim must still be the one read: a decision landing meanwhile keeps the queue itself.
    const check = {
      ConditionCheck: {
        TableName: tables.state,
        Key: keys.claim(claim.claimId),
        ConditionExpression: "version = :version",
        ExpressionAttributeValues: { ":version": claim.version },
      },
    };
    return [[put(tables.state, key, { ...claim }, current), check]];
  });
  const strays = [...stored.values()].map((item) => remove(tables.state, item));
  return applyEach(db, [...writes, ...strays]);
}

type Write = Record<string, unknown>;

/** A list item replaced on condition that it is still what was read (or still absent). */
function put(table: string, key: { pk: string; sk: string }, body: Item, current: Item | undefined): Write {
  return {
    Put: {
      TableName: table,
      Item: { ...body, ...key },
      ...(current
        ? {
            ConditionExpression: "#status = :status",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":status": current.status },
          }
        : { ConditionExpression: "attribute_not_exists(pk)" }),
    },
  };
}

function remove(table: string, item: Item): Write {
  return {
    Delete: {
      TableName: table,
      Key: { pk: item.pk, sk: item.sk },
      ConditionExpression: "#status = :status",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":status": item.status },
    },
  };
}

/** Each write in its own transaction; one that lost to a live write is left to it. */
async function applyEach(db: DynamoDBDocumentClient, writes: readonly (Write | Write[])[]): Promise<boolean> {
  let changed = false;
  for (const write of writes) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: Array.isArray(write) ? write : [write] }));
      changed = true;
    } catch (error) {
      if ((error as Error).name !== "TransactionCanceledException") throw error;
    }
  }
  return changed;
}

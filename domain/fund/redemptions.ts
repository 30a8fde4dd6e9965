/**
 * "My redemptions": a person's redemptions as a list, with where each one stands (placed, handed
 * over, cancelled). A projection of the person's chain and the markers beside it: the redeem,
 * hand-over and cancellation write it in their own transactions, and a rebuild derives it from the
 * ledger alone (docs/FUND.md), so it carries nothing the ledger does not.
 */
import type { EntryId, PersonId } from "../kernel/model.ts";
import type { Collection, LedgerEntry, Names } from "../ledger/index.ts";

export const redemptionStatuses = ["placed", "collected", "cancelled"] as const;
export type RedemptionStatus = (typeof redemptionStatuses)[number];

export interface RedemptionListing {
  entryId: EntryId;
  personId: PersonId;
  /** The entry's place in the person's chain: the list is newest first by it. */
  seq: number;
  rewardId: string;
  rewardVersion: number;
  /** The reward's name when it was redeemed. */
  reward: Names;
  quantity: number;
  coins: number;
  redeemedAt: string;
  status: RedemptionStatus;
  collectedAt?: string;
  collectedBy?: PersonId;
  cancelledAt?: string;
  cancelledBy?: PersonId;
  cancellationEntryId?: EntryId;
  cancelReason?: string;
}

/** How a redemption stands after its entry: handed over, cancelled by a reversal, or neither yet. */
export interface RedemptionOutcome {
  collected?: Collection | undefined;
  cancellation?: LedgerEntry | undefined;
}

/** The listing of a redemption entry (`kind: "redemption"`), given how it stands. */
export function redemptionListing(entry: LedgerEntry, outcome: RedemptionOutcome = {}): RedemptionListing {
  const ref = entry.ref && "rewardId" in entry.ref ? entry.ref : undefined;
  if (entry.kind !== "redemption" || !ref || !entry.holder.startsWith("person:")) {
    throw new Error(`${entry.entryId} is not a person's redemption`);
  }
  // Entries written before causes existed name the reward in their reason only.
  const reward = entry.cause?.code === "redemption" ? entry.cause.params.reward : { zh: ref.rewardId };
  const listing: RedemptionListing = {
    entryId: entry.entryId,
    personId: entry.holder.slice("person:".length) as PersonId,
    seq: entry.seq,
    rewardId: ref.rewardId,
    rewardVersion: ref.rewardVersion,
    reward: reward.en ? { zh: reward.zh, en: reward.en } : { zh: reward.zh },
    quantity: ref.quantity,
    coins: entry.amount,
    redeemedAt: entry.recordedAt,
    status: "placed",
  };
  const { cancellation, collected } = outcome;
  if (cancellation) {
    const by = cancellation.actor.kind === "person" ? { cancelledBy: cancellation.actor.personId } : {};
    return {
      ...listing,
      status: "cancelled",
      cancelledAt: cancellation.recordedAt,
      ...by,
      cancellationEntryId: cancellation.entryId,
      cancelReason: cancellation.reason,
    };
  }
  if (collected) return { ...listing, status: "collected", collectedAt: collected.collectedAt, collectedBy: collected.collectedBy };
  return listing;
}

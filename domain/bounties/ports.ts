/** What bounties need from storage beyond the ledger (functions/dynamo/stores/bounty-store.ts). */
import type { IdempotencyRecord, IdempotencyRef } from "../ledger/index.ts";
import type { Bounty, BountyStep } from "./bounty.ts";

export interface BountySnapshot {
  bounty: Bounty | undefined;
  idempotency: IdempotencyRecord | undefined;
}

export interface BountyStore {
  /** A bounty and the idempotency record of the write about to be made, in one round trip. */
  readBounty(bountyId: string, idempotency?: IdempotencyRef): Promise<BountySnapshot>;
  /** Every bounty, newest first: the board. */
  listBounties(): Promise<Bounty[]>;
  history(bountyId: string): Promise<BountyStep[]>;
}

/** What the fund and redemption need from storage beyond the ledger (functions/dynamo/fund-store.ts). */
import type { PersonId } from "../kernel/model.ts";
import type { Page } from "../kernel/ports.ts";
import type { IdempotencyRecord, IdempotencyRef } from "../ledger/index.ts";
import type { Claim, ClaimStep, Fund, FundState } from "./fund.ts";
import type { RedemptionListing, RedemptionStatus } from "./redemptions.ts";

export interface FundSnapshot {
  fund: Fund | undefined;
  state: FundState;
  headVersion: number;
  idempotency: IdempotencyRecord | undefined;
}

export interface ClaimSnapshot {
  claim: Claim | undefined;
  idempotency: IdempotencyRecord | undefined;
}

/** What the fund needs from storage beyond the ledger (functions/dynamo/fund-store.ts). */
export interface FundStore {
  /** Creates a pool; false when one with that id exists. */
  createFund(fund: Fund): Promise<boolean>;
  listFunds(): Promise<Fund[]>;
  readFund(fundId: string, idempotency?: IdempotencyRef): Promise<FundSnapshot>;
  readClaim(claimId: string, idempotency?: IdempotencyRef): Promise<ClaimSnapshot>;
  /** A write's idempotency record alone, read strongly consistent. */
  readIdempotency(ref: IdempotencyRef): Promise<IdempotencyRecord | undefined>;
  claimHistory(claimId: string): Promise<ClaimStep[]>;
  claimsOf(personId: PersonId): Promise<Claim[]>;
  /**
   * Claims waiting for a decision (pending), oldest first: every approver's queue, kept in the same
   * transaction as each write of a claim, before each approver's own are left out.
   */
  waitingClaims(limit: number, cursor?: string): Promise<Page<Claim>>;
}

/** "My redemptions" (domain/fund/redemptions.ts), kept in the same transactions as the redemptions' entries and markers. */
export interface RedemptionLists {
  /** A person's redemptions, newest first; of one status only when `status` is given. */
  redemptionsOf(personId: PersonId, status: RedemptionStatus | undefined, limit: number, cursor?: string): Promise<Page<RedemptionListing>>;
}

export interface CounterReader {
  /** Current values of counters; a counter never written reads as 0. */
  readCounters(names: readonly string[]): Promise<Map<string, number>>;
}

/** What the fund and redemption need from storage beyond the ledger (functions/dynamo/fund-store.ts). */
import type { PersonId } from "../kernel/model.ts";
import type { IdempotencyRecord, IdempotencyRef } from "../ledger/index.ts";
import type { Claim, ClaimStep, Fund, FundState } from "./fund.ts";

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
  claimHistory(claimId: string): Promise<ClaimStep[]>;
  claimsOf(personId: PersonId): Promise<Claim[]>;
}

export interface CounterReader {
  /** Current values of counters; a counter never written reads as 0. */
  readCounters(names: readonly string[]): Promise<Map<string, number>>;
}

/** Fund chains read straight from DynamoDB Local, for verifyLedger over fund and person chains together. */
import { foldFundTotals, fundTotals } from "../../domain/fund/index.ts";
import { fundAccount } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import { type StoredChain, verifyLedger } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoFundStore } from "../../functions/dynamo/fund-store.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { tableNames } from "./env.ts";
import { store, storedChain } from "./invariants.ts";

export const fundStore = new DynamoFundStore(createDocumentClient(), tableNames);

export async function storedFundChain(fundId: string): Promise<StoredChain> {
  const holder = fundAccount(fundId);
  const entries: LedgerEntry[] = [];
  for await (const entry of store.readChain(holder)) entries.push(entry);
  const { state } = await fundStore.readFund(fundId);
  return { holder, entries, projection: state.chain.seq === 0 ? undefined : state.chain };
}

/** verifyLedger over the given funds' chains and every demo person's chain. */
export async function fundLedgerProblems(fundIds: readonly string[]) {
  const chains = await Promise.all([...fundIds.map(storedFundChain), ...demoPeople.map((p) => storedChain(p.personId))]);
  return verifyLedger(chains);
}

/** The pool's book on its head against the totals folded from its entries. */
export async function fundBookMatchesEntries(fundId: string) {
  const snapshot = await fundStore.readFund(fundId);
  const fund = snapshot.fund;
  if (!fund) throw new Error(`no fund ${fundId}`);
  const { entries } = await storedFundChain(fundId);
  return { book: fundTotals(fund, snapshot.state), folded: foldFundTotals(fund, entries) };
}

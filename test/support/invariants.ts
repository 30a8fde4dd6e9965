import type { PersonId } from "../../domain/kernel/model.ts";
import { personAccount } from "../../domain/kernel/model.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import { type StoredChain, verifyLedger } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoLedgerStore } from "../../functions/dynamo/ledger-store.ts";
import { demoPeople } from "../../scripts/demo-data.ts";
import { tableNames } from "./env.ts";

export const store = new DynamoLedgerStore(createDocumentClient(), tableNames);

export async function storedChain(personId: string): Promise<StoredChain> {
  const holder = personAccount(personId as PersonId);
  const entries: LedgerEntry[] = [];
  for await (const entry of store.readChain(holder)) entries.push(entry);
  const { chain } = await store.readPerson(personId as PersonId);
  return { holder, entries, projection: chain.seq === 0 ? undefined : chain };
}

/** Every invariant over the demo people's chains, read straight from DynamoDB Local. */
export async function ledgerProblems(people: readonly string[] = demoPeople.map((p) => p.personId)) {
  return verifyLedger(await Promise.all(people.map(storedChain)));
}

/** A synthetic ledger for the restore drill: awards to many people through the real LedgerStore adapter. */
import { mapLimit } from "../../domain/kernel/concurrency.ts";
import { type PersonId, personAccount, systemAccount } from "../../domain/kernel/model.ts";
import { appendMovements, type ChainState, emptyChain, emptyRuleState, type Movement } from "../../domain/ledger/index.ts";
import { createDocumentClient } from "../../functions/dynamo/client.ts";
import { DynamoLedgerStore } from "../../functions/dynamo/ledger-store.ts";
import type { Tables } from "../../functions/dynamo/maintenance.ts";

/** Entries per transaction: with the head and a checkpoint, well inside TransactWriteItems' 100 items. */
const perWrite = 40;
const entriesPerPerson = 100;

export async function seedLedger(tables: Tables, entries: number): Promise<void> {
  const store = new DynamoLedgerStore(createDocumentClient(), tables);
  const people = Array.from({ length: Math.ceil(entries / entriesPerPerson) }, (_, i) => `drill-${i}` as PersonId);
  await mapLimit(people, 8, async (personId, index) => {
    const count = Math.min(entriesPerPerson, entries - index * entriesPerPerson);
    let chain: ChainState = emptyChain(personAccount(personId));
    for (let done = 0, version = 0; done < count; done += perWrite, version++) {
      const now = new Date().toISOString();
      const movements = Array.from(
        { length: Math.min(perWrite, count - done) },
        (_, i): Movement => ({
          kind: "award",
          asset: i % 2 ? "coin" : "point:tool-operation",
          amount: 1 + ((done + i) % 50),
          from: systemAccount("issuer"),
          to: personAccount(personId),
          reason: "恢复演练",
          actor: { kind: "person", personId: "drill" as PersonId },
          occurredAt: now,
        }),
      );
      const { entries: written, state } = appendMovements(chain, movements, now);
      await store.append({
        chains: [{ before: chain, after: state, entries: written, ruleState: emptyRuleState(), headVersion: version }],
        records: [],
      });
      chain = state;
    }
  });
}

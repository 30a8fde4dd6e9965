/**
 * Promotion gates in a backtest: each person whose coins, points or badge levels the draft would
 * change is checked on each gate of their tier twice, on their facts now and on those facts with
 * the draft's difference over the period applied (their measures, penalties and tenure as they
 * are); per org unit and gate, how many would newly meet it and how many would newly miss it.
 */

import { type EligibilityFacts, evaluateGate, type GateDefinition } from "../gates/index.ts";
import type { EntryId, OrgUnitId, PersonId } from "../kernel/model.ts";
import type { GateRow, PersonChange } from "./backtest.ts";

export interface ComparedGate {
  gateId: string;
  version: number;
  definition: GateDefinition;
}

/** The facts as they would be with the draft's difference: balances moved, badge levels gained or lost. */
export function withChange(facts: EligibilityFacts, { assets, gained, lost }: PersonChange): EligibilityFacts {
  const balances = { ...facts.chain.balances };
  for (const [asset, amount] of assets) balances[asset] = (balances[asset] ?? 0) + amount;
  const badgeEntries = { ...facts.chain.badgeEntries };
  for (const asset of lost) {
    delete badgeEntries[asset];
    delete balances[asset];
  }
  for (const asset of gained) {
    // A level the draft would have given: no entry of the ledger stands for it.
    badgeEntries[asset] = "(draft)" as EntryId;
    balances[asset] = 1;
  }
  return { ...facts, chain: { ...facts.chain, balances, badgeEntries } };
}

export function gateChanges(
  gates: readonly ComparedGate[],
  people: ReadonlyMap<PersonId, { facts: EligibilityFacts; change: PersonChange }>,
  unitOf: (personId: PersonId) => OrgUnitId | undefined,
  noUnit: string,
): GateRow[] {
  const tally = new Map<string, GateRow>();
  for (const [personId, { facts, change }] of people) {
    const draft = withChange(facts, change);
    for (const gate of gates.filter((g) => g.definition.tier === facts.person.tier)) {
      const [now, would] = [evaluateGate(gate, facts).eligible, evaluateGate(gate, draft).eligible];
      if (now === would) continue;
      const orgUnitId = unitOf(personId) ?? noUnit;
      const key = `${orgUnitId}\u0000${gate.gateId}`;
      const row = tally.get(key) ?? { orgUnitId, gateId: gate.gateId, newlyMeeting: 0, newlyMissing: 0 };
      if (would) row.newlyMeeting += 1;
      else row.newlyMissing += 1;
      tally.set(key, row);
    }
  }
  return [...tally.values()].sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId) || a.gateId.localeCompare(b.gateId));
}

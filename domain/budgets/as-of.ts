/**
 * A budget's standing as of a past day, from the ledger rather than the counters (which say only
 * where they stand now): the coin awards that drew on it recorded by the end of that day, less
 * those retracted by then, and the coins its people held at that moment. An award draws on the
 * budget `budgetFor` finds for its person at the time it was recorded, as the counters were
 * drawn; bounty rewards and imports draw on none, and an admin's reversal gives nothing back (a
 * retraction does), as with the counters. People are placed as the org tree stands now.
 */
import type { OrgTree, Person } from "../directory/index.ts";
import { type AccountId, type OrgUnitId, type PersonId, personAccount, systemAccount } from "../kernel/model.ts";
import { endOfDay } from "../kernel/periods.ts";
import type { LedgerEntry } from "../ledger/index.ts";
import { type Budget, budgetFor } from "./budgets.ts";

/** A person's coin balance now and their entries recorded since an instant, newest first. */
export interface CoinHistory {
  balance: number;
  entries: LedgerEntry[];
}

const issuer = systemAccount("issuer");
const dayMs = 86_400_000;

/** The first instant of a month (YYYY-MM) or quarter (YYYY-Qn) in the company's time zone. */
export function periodStart(period: string, timeZone: string): string {
  const [year, part] = period.split("-") as [string, string];
  const month = part.startsWith("Q") ? (Number(part.slice(1)) - 1) * 3 : Number(part) - 1;
  const firstDay = new Date(Date.UTC(Number(year), month, 1) - dayMs).toISOString().slice(0, 10);
  return new Date(Date.parse(endOfDay(firstDay, timeZone)) + 1).toISOString();
}

/** Coins an entry drew on the issuance budget (an award from the issuer), or gave back (a retraction of one); else 0. */
function drawOf(entry: LedgerEntry, holder: AccountId): number {
  if (entry.asset !== "coin") return 0;
  const ref = entry.ref as { bountyId?: unknown; importedFrom?: unknown } | undefined;
  if (entry.kind === "award" && entry.from === issuer && entry.to === holder && !ref?.bountyId && !ref?.importedFrom) return entry.amount;
  if (entry.kind === "reversal" && entry.cause?.code === "retraction" && entry.from === holder) return -entry.amount;
  return 0;
}

const coinDelta = (entry: LedgerEntry, holder: AccountId) =>
  entry.asset !== "coin" ? 0 : entry.to === holder ? entry.amount : entry.from === holder ? -entry.amount : 0;

export interface PastFigures {
  /** Drawn and overspent together: the coins issued against the budget by the cut-off. */
  issued: number;
  /** Coins the people of the unit and below held at the cut-off. */
  outstanding: number;
}

/** A budget's figures at `cutoff` (the end of a day) from its people's coin histories since the period began. */
export function figuresAt(
  budget: Budget,
  people: readonly Person[],
  histories: ReadonlyMap<PersonId, CoinHistory>,
  at: { cutoff: string; tree: OrgTree; budgets: ReadonlyMap<string, Budget>; timeZone: string },
): PastFigures {
  let issued = 0;
  let outstanding = 0;
  for (const person of people) {
    const history = histories.get(person.personId) ?? { balance: 0, entries: [] };
    const holder = personAccount(person.personId);
    const after = history.entries.filter((e) => e.recordedAt > at.cutoff);
    outstanding += history.balance - after.reduce((sum, e) => sum + coinDelta(e, holder), 0);
    const byId = new Map(history.entries.map((e) => [e.entryId, e]));
    for (const entry of history.entries) {
      if (entry.recordedAt > at.cutoff) continue;
      const drawn = drawOf(entry, holder);
      // A retraction gives back to the budget its award drew on: that of the award's time (the event record's counters).
      const drawnAt = drawn < 0 ? byId.get(entry.reverses as LedgerEntry["entryId"])?.recordedAt : entry.recordedAt;
      if (drawn === 0 || drawnAt === undefined) continue;
      const drawnOn = budgetFor(at.tree, person.orgUnitId as OrgUnitId, at.budgets, drawnAt, at.timeZone);
      if (drawnOn?.budgetId === budget.budgetId) issued += drawn;
    }
  }
  return { issued: Math.max(0, issued), outstanding };
}

/**
 * Notices to the people who decide: a review item the anti-gaming detectors opened, and an award
 * a coin budget held for approval. Each goes to every active approver and admin in the directory
 * (and finance, for a budget), never to the person it is about, once per item and reader: the
 * cause id is the item's, so a retried stream batch tells the same notice and the outbox writes it
 * once. Pure: the items and the readers come in as values.
 */
import type { Person } from "../directory/index.ts";
import { isActive } from "../directory/index.ts";
import type { PersonId, Role } from "../kernel/model.ts";
import type { Notice } from "./notices.ts";

/** A review item as opened (its record in the ledger table, functions/dynamo/stores/review-store.ts). */
export interface ReviewOpened {
  flagId: string;
  detector: string;
  people: PersonId[];
  raisedAt: string;
  explained: { zh: string; en: string };
}

/** An award a budget held for an approver (its pointer under the budget, held-award-store.ts). */
export interface BudgetHeld {
  budgetId: string;
  personId: PersonId;
  sourceId: string;
  eventId: string;
  heldAt: string;
}

const reviewReaders: readonly Role[] = ["approver", "admin"];
const budgetReaders: readonly Role[] = ["approver", "finance", "admin"];

const readersOf = (people: readonly Person[], roles: readonly Role[], about: readonly PersonId[]) =>
  people.filter((p) => isActive(p) && (p.roles ?? []).some((r) => roles.includes(r)) && !about.includes(p.personId));

/** Where the budget's held awards are listed: `<orgUnitId>_<period>` (a period has no underscore). */
function budgetLink(budgetId: string): string {
  const cut = budgetId.lastIndexOf("_");
  return `/budgets/${encodeURIComponent(budgetId.slice(0, cut))}/${budgetId.slice(cut + 1)}/held-awards`;
}

/** The notices of review items opened and awards held for a budget, to the people in the directory who decide them. */
export function approverNotices(opened: readonly ReviewOpened[], held: readonly BudgetHeld[], people: readonly Person[]): Notice[] {
  const reviews = opened.flatMap((item) =>
    readersOf(people, reviewReaders, item.people).map(
      (reader): Notice => ({
        personId: reader.personId,
        causeId: `review#${item.flagId}`,
        at: item.raisedAt,
        data: {
          kind: "review-opened",
          flagId: item.flagId,
          detector: item.detector,
          people: item.people,
          explained: item.explained,
          link: `/admin/reviews/${encodeURIComponent(item.flagId)}`,
        },
      }),
    ),
  );
  const budgets = held.flatMap((award) =>
    readersOf(people, budgetReaders, [award.personId]).map(
      (reader): Notice => ({
        personId: reader.personId,
        causeId: `budget-held#${award.sourceId}#${award.eventId}`,
        at: award.heldAt,
        data: {
          kind: "award-held",
          budgetId: award.budgetId,
          personId: award.personId,
          sourceId: award.sourceId,
          eventId: award.eventId,
          link: budgetLink(award.budgetId),
        },
      }),
    ),
  );
  return [...reviews, ...budgets];
}

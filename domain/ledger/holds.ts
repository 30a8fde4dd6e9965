/**
 * People an open review item holds (the integrity context's hold policy, docs/INTEGRITY.md): a
 * webhook event about them, or their share of a team event, is kept until the review is decided. Awards with no event to keep (by
 * hand, a bounty's reward, a fund payout) are refused instead, naming the reviews, and can be
 * made again once they are decided: nothing is paid to a person whose gaming is being looked at.
 */
import { DomainError } from "../kernel/errors.ts";
import type { PersonId } from "../kernel/model.ts";

/** People whose awards wait for a review, each with the review items that hold them. */
export interface HoldBook {
  held(people: readonly PersonId[]): Promise<Map<PersonId, string[]>>;
}

/** Throws `person-under-review` (409) when an open review item holds any of these people. */
export async function refuseHeld(holds: HoldBook | undefined, people: readonly PersonId[], what: string): Promise<void> {
  if (!holds || people.length === 0) return;
  const held = await holds.held([...new Set(people)]);
  if (held.size === 0) return;
  const named = [...held].map(([personId, reviews]) => ({ personId, reviews }));
  const list = named.map(({ personId, reviews }) => `${personId} (${reviews.join(", ")})`).join("; ");
  throw new DomainError(
    "conflict",
    "person-under-review",
    `${what} would pay people an open review item holds: ${list}. Decide the review at /admin/reviews/{flagId} first, then try again.`,
    { held: named },
  );
}

/**
 * Review items: a flag waiting for an approver. Dismissing one (a false positive) is one request
 * with a reason; confirming one keeps it on record. Either is final, and the HTTP stack records
 * who did which in the audit trail.
 */
import { assertRole, type Caller } from "../directory/index.ts";
import { assertNotSelf } from "../kernel/duties.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { Clock } from "../kernel/ports.ts";
import * as z from "../kernel/zod/index.ts";
import { type HeldAwards, type HoldBook, type ReviewItem, type ReviewPage, type ReviewStore, reviewStatuses } from "./ports.ts";

export const ReviewDecision = z.strictObject({
  decision: z.enum(["dismiss", "confirm"]),
  reason: z.string().check(z.trim(), z.minLength(1, "say why, for the record"), z.maxLength(500)),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const ReviewListQuery = z.strictObject({
  status: z._default(z.enum(reviewStatuses), "open"),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(500))),
});
export type ReviewListQuery = z.infer<typeof ReviewListQuery>;

const reviewers = ["approver", "admin"] as const;

export interface ReviewDeps {
  reviews: ReviewStore;
  clock: Clock;
  /** Where holds are on: who is still held, and the awards kept meanwhile. */
  held?: { holds: HoldBook; awards: HeldAwards };
}

export class ReviewService {
  readonly #store: ReviewStore;
  readonly #clock: Clock;
  readonly #held: ReviewDeps["held"];

  constructor(deps: ReviewDeps) {
    this.#store = deps.reviews;
    this.#clock = deps.clock;
    this.#held = deps.held;
  }

  async list(caller: Caller, query: ReviewListQuery): Promise<ReviewPage> {
    assertRole(caller, reviewers);
    return this.#store.list(query.status, query.limit, query.cursor);
  }

  /** One item, with the awards kept while it held its people. */
  async get(caller: Caller, flagId: string): Promise<ReviewItem> {
    assertRole(caller, reviewers);
    const item = await this.#store.get(flagId);
    if (!item) throw new NotFoundError("review-item", flagId);
    return this.#withHeldAwards(item);
  }

  /**
   * Final, and it settles the awards kept meanwhile: a confirmation rejects those this item held;
   * then the people no other open item holds have the rest posted, each once. A decision
   * whose settling failed half way is finished by the same approver sending it again.
   */
  async decide(caller: Caller, flagId: string, { decision, reason }: ReviewDecision): Promise<ReviewItem> {
    const item = await this.get(caller, flagId);
    // Four eyes: an approver flagged, or held by the item, must not clear their own flag.
    assertNotSelf("review", caller.personId, [...item.people, ...(item.held ?? [])], { flagId });
    const status = decision === "dismiss" ? "dismissed" : "confirmed";
    if (item.status !== "open") {
      const unsettled = item.heldAwards?.some((award) => award.status === "held");
      if (item.status === status && item.decision?.by === caller.personId && unsettled && (await this.#settle(item)) > 0)
        return this.#withHeldAwards(item);
      throw reviewClosed(item);
    }
    const { heldAwards: _, ...stored } = item;
    const decided: ReviewItem = { ...stored, status, decision: { by: caller.personId, at: this.#clock.now().toISOString(), reason } };
    if (!(await this.#store.decide(decided))) throw reviewClosed((await this.#store.get(flagId)) ?? item);
    await this.#settle(decided);
    return this.#withHeldAwards(decided);
  }

  async #withHeldAwards(item: ReviewItem): Promise<ReviewItem> {
    if (!this.#held || !item.held?.length) return item;
    const { awards } = this.#held;
    const kept = await Promise.all(item.held.map((personId) => awards.heldOf(personId)));
    return { ...item, heldAwards: kept.flat().filter((award) => award.reviews.includes(item.flagId)) };
  }

  /** Settles the held awards a decided item concerns; answers how many. */
  async #settle(item: ReviewItem): Promise<number> {
    const people = item.held ?? [];
    if (!this.#held || people.length === 0 || !item.decision) return 0;
    const { holds, awards } = this.#held;
    const { by, reason } = item.decision;
    let settled = 0;
    if (item.status === "confirmed") for (const personId of people) settled += await awards.rejectHeld(personId, item.flagId, by, reason);
    // What is left of a person no open item holds was held by dismissed items only: it is posted.
    const still = await holds.held(people);
    for (const personId of people.filter((p) => !still.has(p))) settled += await awards.releaseHeld(personId, by);
    return settled;
  }
}

const reviewClosed = (item: ReviewItem) =>
  new DomainError(
    "conflict",
    "review-closed",
    `Review item "${item.flagId}" was already ${item.status} by ${item.decision?.by ?? "someone"}.`,
  );

/**
 * Review items: a flag waiting for an approver. Dismissing one (a false positive) is one request
 * with a reason; confirming one keeps it on record. Either is final, and the HTTP stack records
 * who did which in the audit trail.
 */
import * as z from "zod";
import { assertRole, type Caller } from "../directory/index.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { Clock } from "../kernel/ports.ts";
import { type ReviewItem, type ReviewPage, type ReviewStore, reviewStatuses } from "./ports.ts";

export const ReviewDecision = z.strictObject({
  decision: z.enum(["dismiss", "confirm"]),
  reason: z.string().trim().min(1, "say why, for the record").max(500),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const ReviewListQuery = z.strictObject({
  status: z.enum(reviewStatuses).default("open"),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});
export type ReviewListQuery = z.infer<typeof ReviewListQuery>;

const reviewers = ["approver", "admin"] as const;

export class ReviewService {
  readonly #store: ReviewStore;
  readonly #clock: Clock;

  constructor(deps: { reviews: ReviewStore; clock: Clock }) {
    this.#store = deps.reviews;
    this.#clock = deps.clock;
  }

  async list(caller: Caller, query: ReviewListQuery): Promise<ReviewPage> {
    assertRole(caller, reviewers);
    return this.#store.list(query.status, query.limit, query.cursor);
  }

  async get(caller: Caller, flagId: string): Promise<ReviewItem> {
    assertRole(caller, reviewers);
    const item = await this.#store.get(flagId);
    if (!item) throw new NotFoundError("review-item", flagId);
    return item;
  }

  async decide(caller: Caller, flagId: string, { decision, reason }: ReviewDecision): Promise<ReviewItem> {
    const item = await this.get(caller, flagId);
    if (item.status !== "open") throw reviewClosed(item);
    const decided: ReviewItem = {
      ...item,
      status: decision === "dismiss" ? "dismissed" : "confirmed",
      decision: { by: caller.personId, at: this.#clock.now().toISOString(), reason },
    };
    if (!(await this.#store.decide(decided))) throw reviewClosed((await this.#store.get(flagId)) ?? item);
    return decided;
  }
}

const reviewClosed = (item: ReviewItem) =>
  new DomainError(
    "conflict",
    "review-closed",
    `Review item "${item.flagId}" was already ${item.status} by ${item.decision?.by ?? "someone"}.`,
  );

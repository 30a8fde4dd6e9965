/**
 * Routes of anti-gaming review: the review items the detectors open, read with their evidence and
 * the awards kept while they held people, and decided by an approver or an admin. Served by the
 * webhooks area's function, because a dismissal posts the held awards through the webhook's own
 * path (the admin function writes no balance); and the awards an exhausted coin budget held for
 * approval (its "hold" policy), listed per budget and released or rejected by an approver. Each
 * route's 200 answer has its zod schema here.
 */
import { HeldAwardDecision, HeldAwardListQuery } from "../../../domain/awards/index.ts";
import { BudgetPeriod } from "../../../domain/budgets/index.ts";
import { detectors, ReviewDecision, ReviewListQuery, reviewStatuses } from "../../../domain/integrity/index.ts";
import { Id } from "../../../domain/kernel/schemas.ts";
import * as z from "../../../domain/kernel/zod/index.ts";
import { heldAwardAnswer } from "../answers.ts";
import { defineRoute } from "../route.ts";

const FlagId = z.strictObject({
  flagId: z.string().check(z.regex(/^[A-Za-z0-9:_.-]{1,300}$/, "a review item's id, as the list gives it")),
});

export const reviewItemAnswer = z
  .object({
    flagId: z.string(),
    detector: z.enum(detectors),
    people: z.array(z.string()),
    sourceId: z.optional(z.string()),
    raisedAt: z.string(),
    figures: z.record(z.string(), z.number()),
    entryIds: z.array(z.string()),
    eventIds: z.array(z.string()),
    explained: z.object({ zh: z.string(), en: z.string() }),
    status: z.enum(reviewStatuses),
    held: z.optional(z.array(z.string())),
    decision: z.optional(z.object({ by: z.string(), at: z.string(), reason: z.string() })),
    heldAwards: z.optional(z.array(heldAwardAnswer)),
  })
  .register(z.globalRegistry, { id: "ReviewItem" });

export const reviewListAnswer = z
  .object({ items: z.array(reviewItemAnswer), cursor: z.optional(z.string()) })
  .register(z.globalRegistry, { id: "ReviewList" });

export const heldAwardsAnswer = z.object({ heldAwards: z.array(heldAwardAnswer) }).register(z.globalRegistry, { id: "HeldAwards" });

export const heldAwardPageAnswer = z
  .object({ heldAwards: z.array(heldAwardAnswer), cursor: z.optional(z.string()) })
  .register(z.globalRegistry, { id: "HeldAwardPage" });

export const integrityRoutes = {
  reviewItems: defineRoute({
    method: "GET",
    path: "/admin/reviews",
    area: "webhooks",
    auth: "token",
    problems: ["forbidden"],
    summary:
      "Review items the anti-gaming detectors opened, newest first, by status (open by default; dismissed, confirmed), paged with a cursor (approver, admin).",
    query: ReviewListQuery,
    success: { status: 200, description: "A page of review items.", schema: reviewListAnswer },
  }),
  reviewItem: defineRoute({
    method: "GET",
    path: "/admin/reviews/{flagId}",
    area: "webhooks",
    auth: "token",
    problems: ["review-item-not-found"],
    summary:
      "One review item with its evidence: the detector, its figures, the ledger entries and events that raised it, why in zh and en, and the awards kept while it held its people (approver, admin).",
    params: FlagId,
    success: { status: 200, description: "The review item.", schema: reviewItemAnswer },
  }),
  decideReview: defineRoute({
    method: "POST",
    path: "/admin/reviews/{flagId}/decision",
    area: "webhooks",
    auth: "token",
    problems: ["review-closed", "self-review"],
    summary:
      "Dismiss a review item (a false positive) or confirm it, with a reason; either lifts the holds it put. Nobody decides an item about themselves (403 self-review). Confirming rejects the awards it held; the held awards of people no open item holds any longer are posted, each once. Final: a second decision is a 409 review-closed, unless the same approver repeats theirs to finish settling what a failure left (approver, admin).",
    params: FlagId,
    body: ReviewDecision,
    success: { status: 200, description: "The decided review item.", schema: reviewItemAnswer },
  }),
  heldAwards: defineRoute({
    method: "GET",
    path: "/budgets/held-awards",
    area: "webhooks",
    auth: "token",
    problems: ["forbidden", "invalid-cursor"],
    summary:
      "The awards exhausted coin budgets held for approval, across every budget, by status: held (the default) oldest first, posted or rejected newest first, paged with a cursor (approver, finance, admin).",
    query: HeldAwardListQuery,
    success: { status: 200, description: "A page of held awards.", schema: heldAwardPageAnswer },
  }),
  budgetHeldAwards: defineRoute({
    method: "GET",
    path: "/budgets/{orgUnitId}/{period}/held-awards",
    area: "webhooks",
    auth: "token",
    problems: ["forbidden", "org-unit-not-found"],
    summary:
      "The awards an exhausted coin budget held for approval (its policy `hold`), oldest first, each held, posted or rejected (approver, finance, admin).",
    params: z.strictObject({ orgUnitId: Id, period: BudgetPeriod }),
    success: { status: 200, description: "The budget's held awards.", schema: heldAwardsAnswer },
  }),
  decideHeldAward: defineRoute({
    method: "POST",
    path: "/budgets/held-awards/decision",
    area: "webhooks",
    auth: "token",
    problems: ["forbidden", "held-award-not-found", "self-release"],
    summary:
      "Release an award a budget held (posted once: drawn from the budget if it has room now, else overspent and flagged) or reject it, with a reason. Never by the person it pays nor by who set the budget (403 self-release); deciding a settled one again answers it as it stands (approver, finance, admin).",
    body: HeldAwardDecision,
    success: { status: 200, description: "The held award as it stands now.", schema: heldAwardAnswer },
  }),
} as const;

/** Lambda: achievement webhooks from sources, retractions, and the review of anti-gaming flags (which settles held awards). */

import { WebhookService } from "../../domain/awards/index.ts";
import { integritySettings, ReviewService } from "../../domain/integrity/index.ts";
import type { OrgUnitId } from "../../domain/kernel/model.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoHeldAwardStore } from "../dynamo/stores/held-award-store.ts";
import { DynamoReviewStore } from "../dynamo/stores/review-store.ts";
import { integrityRoutes } from "../http/areas/integrity.routes.ts";
import { webhooksRoutes } from "../http/areas/webhooks.routes.ts";
import { httpHandler } from "../http/http.ts";
import { lazySources } from "../secrets/sources.ts";

const adapters = createAdapters("webhooks");
const sources = lazySources(adapters);
const reviewStore = new DynamoReviewStore(adapters.db, adapters.tables.state);
// Where awards are kept while held: for a review (the stage's hold policy, docs/INTEGRITY.md, when
// on) or for an approver (a budget's "hold" policy).
const heldAwards = new DynamoHeldAwardStore(adapters.db, adapters.tables);
// Read per request (a JSON parse): a test turns the policy on for a part of a run.
const holdFlagged = () => integritySettings(process.env.INTEGRITY).holdFlagged;
const webhooks = new WebhookService({
  store: adapters.ledgerStore,
  definitions: adapters.definitions,
  get sources() {
    return sources();
  },
  peopleIn: (orgUnitId) => adapters.directory.peopleIn(orgUnitId),
  orgTree: () => adapters.directory.orgTree(),
  clock: adapters.clock,
  timeZone: adapters.timeZone,
  // A busy source sends many events for one person at once: more, longer waits than the default
  // before answering busy (at most about 6 s of waiting, within the function's 10 s).
  retry: { attempts: 12, baseDelayMs: 20, maxDelayMs: 800 },
  heldAwards,
  get holds() {
    return holdFlagged() ? reviewStore : undefined;
  },
});
const reviews = new ReviewService({
  reviews: reviewStore,
  clock: adapters.clock,
  // Items opened while the policy was off hold nobody: settling them finds nothing.
  held: { holds: reviewStore, awards: webhooks },
});

export const handler = httpHandler(
  "webhooks",
  { ...webhooksRoutes, ...integrityRoutes },
  {
    webhook: async ({ params, query, headers, rawBody }) => {
      const answer = await webhooks.receive({
        sourceId: params.sourceId,
        headers: { id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"] },
        contentType: headers["content-type"],
        body: rawBody,
        dryRun: query.dryRun === "true",
      });
      // Kept, not yet awarded: accepted for processing, as 202 says.
      return answer.results.every((result) => result.status === "held") ? { status: 202, body: answer } : { body: answer };
    },
    dryRunSource: async ({ caller, params, body }) => ({
      body: await webhooks.dryRunAsAdmin(caller, params.sourceId, body.events, body.pending === true),
    }),
    retractEvent: async ({ caller, params, body, idempotencyKey }) => ({
      body: await webhooks.retractAsAdmin(caller, params.sourceId, params.eventId, body.reason, idempotencyKey),
    }),
    reviewItems: async ({ caller, query }) => ({ body: await reviews.list(caller, query) }),
    reviewItem: async ({ caller, params }) => ({ body: await reviews.get(caller, params.flagId) }),
    decideReview: async ({ caller, params, body }) => ({ body: await reviews.decide(caller, params.flagId, body) }),
    heldAwards: async ({ caller, query }) => {
      const page = await webhooks.heldAcrossBudgets(caller, query);
      return { body: { heldAwards: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
    },
    budgetHeldAwards: async ({ caller, params }) => ({
      body: { heldAwards: await webhooks.heldForApproval(caller, params.orgUnitId as OrgUnitId, params.period) },
    }),
    decideHeldAward: async ({ caller, body }) => ({ body: await webhooks.decideHeld(caller, body) }),
  },
  adapters,
);

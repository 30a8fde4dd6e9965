/** Lambda: achievement webhooks from sources, retractions, and the review of anti-gaming flags (which settles held awards). */

import { WebhookService } from "../../domain/awards/index.ts";
import { integritySettings, ReviewService } from "../../domain/integrity/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoHeldAwardStore } from "../dynamo/stores/held-award-store.ts";
import { DynamoReviewStore } from "../dynamo/stores/review-store.ts";
import { httpHandler } from "../http/http.ts";
import { lazySources } from "../secrets/sources.ts";

const adapters = createAdapters("webhooks");
const sources = lazySources(adapters);
const reviewStore = new DynamoReviewStore(adapters.db, adapters.tables.state);
// The stage's hold policy (docs/INTEGRITY.md): flagged people's events are kept until a review.
const holds = integritySettings(process.env.INTEGRITY).holdFlagged
  ? { holds: reviewStore, heldAwards: new DynamoHeldAwardStore(adapters.db, adapters.tables.ledger) }
  : {};
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
  ...holds,
});
const reviews = new ReviewService({
  reviews: reviewStore,
  clock: adapters.clock,
  ...("holds" in holds ? { held: { holds: reviewStore, awards: webhooks } } : {}),
});

export const handler = httpHandler(
  "webhooks",
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
  },
  adapters,
);

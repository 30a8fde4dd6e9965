/** Lambda: achievement webhooks from sources, and retractions. */

import { WebhookService } from "../../domain/awards/index.ts";
import { integritySettings } from "../../domain/integrity/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoReviewStore } from "../dynamo/stores/review-store.ts";
import { webhooksRoutes } from "../http/areas/webhooks.routes.ts";
import { httpHandler } from "../http/http.ts";
import { lazySources } from "../secrets/sources.ts";

const adapters = createAdapters("webhooks");
const sources = lazySources(adapters);
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
  // The stage's hold policy (docs/INTEGRITY.md): flagged people's events wait for a review.
  ...(integritySettings(process.env.INTEGRITY).holdFlagged ? { holds: new DynamoReviewStore(adapters.db, adapters.tables.state) } : {}),
});

export const handler = httpHandler(
  "webhooks",
  webhooksRoutes,
  {
    webhook: async ({ params, query, headers, rawBody }) => ({
      body: await webhooks.receive({
        sourceId: params.sourceId,
        headers: { id: headers["webhook-id"], timestamp: headers["webhook-timestamp"], signature: headers["webhook-signature"] },
        contentType: headers["content-type"],
        body: rawBody,
        dryRun: query.dryRun === "true",
      }),
    }),
    dryRunSource: async ({ caller, params, body }) => ({
      body: await webhooks.dryRunAsAdmin(caller, params.sourceId, body.events, body.pending === true),
    }),
    retractEvent: async ({ caller, params, body, idempotencyKey }) => ({
      body: await webhooks.retractAsAdmin(caller, params.sourceId, params.eventId, body.reason, idempotencyKey),
    }),
  },
  adapters,
);

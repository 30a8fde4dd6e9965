/** Lambda: achievement webhooks from sources, and retractions. */

import { WebhookService } from "../../domain/awards/index.ts";
import { assertRole } from "../../domain/directory/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { httpHandler } from "../http/http.ts";

const adapters = createAdapters("webhooks");
const webhooks = new WebhookService({
  store: adapters.ledgerStore,
  definitions: adapters.definitions,
  get sources() {
    return adapters.sources();
  },
  peopleIn: (orgUnitId) => adapters.directory.peopleIn(orgUnitId),
  orgTree: () => adapters.directory.orgTree(),
  clock: adapters.clock,
  timeZone: adapters.timeZone,
  // A busy source sends many events for one person at once: more, longer waits than the default
  // before answering busy (at most about 6 s of waiting, within the function's 10 s).
  retry: { attempts: 12, baseDelayMs: 20, maxDelayMs: 800 },
});

export const handler = httpHandler(
  "webhooks",
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
    retractEvent: async ({ caller, params, body, idempotencyKey }) => {
      assertRole(caller, ["admin"]);
      return { body: await webhooks.retractAsAdmin(params.sourceId, params.eventId, body.reason, idempotencyKey) };
    },
  },
  adapters,
);

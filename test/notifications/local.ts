/**
 * The notification path as it runs locally: a local SQS for the delivery queue (its address set
 * in the environment before any handler loads), the notifier fed from DynamoDB Local's stream of
 * the ledger as Lambda's event source would, and the deliverer fed from the queue.
 */

import type { handler as notifierHandler } from "../../functions/background/notifier.ts";
import { createDynamoClient } from "../../functions/dynamo/client.ts";
import { isNotified } from "../../functions/notify/ledger-records.ts";
import { lambdaContext, loadHandler } from "../../scripts/local/lambda.ts";
import { LocalSqs, type LocalSqsOptions } from "../../scripts/local/sqs.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import { tableNames } from "../support/env.ts";

export async function startNotificationPath(options: LocalSqsOptions = {}) {
  const sqs = await LocalSqs.start(options);
  Object.assign(process.env, { SQS_ENDPOINT: sqs.endpoint, DELIVERY_QUEUE_URL: sqs.queueUrl, CHANNELS_TTL_MS: "0" });
  const notifier = await loadHandler<typeof notifierHandler>("notifier");
  // The deliverer on the queue's clock, so that a day of backoff passes at once for it too.
  const { delivererOnClock } = await import("../../functions/background/deliverer.ts");
  const deliverer = delivererOnClock({ now: () => new Date((options.now ?? Date.now)()) });
  const newPoller = () =>
    new StreamPoller({
      endpoint: process.env.DYNAMODB_ENDPOINT as string,
      client: createDynamoClient(),
      table: tableNames.ledger,
      batchSize: 100,
      // The notifier's event filter (lib/constructs/notifications.ts).
      filter: (record) =>
        record.eventName === "INSERT" && isNotified(record.dynamodb?.Keys?.pk?.S ?? "", record.dynamodb?.Keys?.sk?.S ?? ""),
      handler: (event) => notifier(event, lambdaContext("notifier")),
    });
  const poller = newPoller();
  return {
    sqs,
    poller,
    newPoller,
    /** Hands every visible delivery to the deliverer until none is visible. */
    deliver: () => sqs.pollOnce((event) => deliverer(event), lambdaContext("deliverer")),
    stop: async () => {
      await poller.stop();
      await sqs.stop();
    },
  };
}

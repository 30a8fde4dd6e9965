/**
 * The notification path's DynamoDB cost, counted as the projector's is (./dynamo-meter.ts): the
 * ledger table's stream read from DynamoDB Local with the notifier's event filter and Lambda's
 * batch size (100) into the notifier's handler (functions/background/notifier.ts), its deliveries queued on
 * the local SQS (scripts/local/sqs.ts: queue messages are not DynamoDB units).
 *
 * The bench's rule awards 10 coins and 5 points per event; with the threshold at 10 every
 * accepted event is a notified one (an award notice), so the figures are per notified event:
 * a 100-event webhook batch for the demo people, notified. (A replayed batch writes nothing, as
 * test/notifications/notifier.test.ts shows, though each refused conditional put costs a unit.)
 * Then the same with the demo company's gates in force (without their badge criteria): the notifier reads the batch's people
 * (profile, head and facts) to tell those who newly meet a gate.
 */
import { createDynamoClient } from "../functions/dynamo/client.ts";
import { isNotified } from "../functions/notify/ledger-records.ts";
import { demoGates } from "../scripts/demo-data.ts";
import { lambdaContext } from "../scripts/local/lambda.ts";
import { LocalSqs } from "../scripts/local/sqs.ts";
import { StreamPoller } from "../scripts/local/stream-poller.ts";
import { expectStatus, type Webhooks } from "./api.ts";
import { metered } from "./support/dynamo-meter.ts";
import { atMost, type Result, reported } from "./support/result.ts";
import type { System } from "./support/system.ts";

const names = {
  perEvent: "notifier: write units per notified event (100-event webhook batch, outbox put)",
  reads: "notifier: read units per notified event (same batch)",
  withGates:
    "notifier with the demo gates in force (no badge criteria): write units per notified event (the gates met read for the batch's people)",
  readsWithGates: "notifier with the demo gates in force (no badge criteria): read units per notified event",
};

export async function notificationFigures(webhooks: Webhooks, system: System): Promise<Result[]> {
  const sqs = await LocalSqs.start();
  Object.assign(process.env, { SQS_ENDPOINT: sqs.endpoint, DELIVERY_QUEUE_URL: sqs.queueUrl, NOTIFY_AWARD_AT_LEAST: "10" });
  // Imported only now, as the handlers are (./support/system.ts): it reads its configuration at load.
  const { handler } = await import("../functions/background/notifier.ts");
  const live = new StreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    client: createDynamoClient(),
    table: process.env.LEDGER_TABLE as string,
    batchSize: 100,
    filter: (record) => {
      const pk = record.dynamodb?.Keys?.pk?.S ?? "";
      return record.eventName === "INSERT" && isNotified(pk, record.dynamodb?.Keys?.sk?.S ?? "");
    },
    handler: (event) => handler(event, lambdaContext("notifier")),
  });
  try {
    // Everything the other figures wrote, notified first and not counted.
    await live.drain();
    const notifiedBatch = async () => {
      webhooks.accepted(
        await webhooks.deliver(
          Array.from({ length: 100 }, () => webhooks.event()),
          true,
        ),
        100,
      );
      return metered(() => live.drain());
    };
    const batch = await notifiedBatch();
    // Without their badge criteria: the badges need the demo rules, which would award on the bench's events.
    for (const [id, gate] of Object.entries(demoGates)) {
      const criteria = gate.criteria.filter((criterion) => criterion.kind !== "badge");
      expectStatus(`gate ${id}`, await system.admin("PUT", `/admin/gates/${id}`, { ...gate, criteria }), 200);
    }
    const gated = await notifiedBatch();
    const perEvent = (units: number) => Math.round((units / 100) * 100) / 100;
    return [
      atMost(names.perEvent, perEvent(batch.writeUnits), "WRU", 2),
      reported(names.reads, perEvent(batch.readUnits), "RRU"),
      atMost(names.withGates, perEvent(gated.writeUnits), "WRU", 2),
      reported(names.readsWithGates, perEvent(gated.readUnits), "RRU"),
    ];
  } finally {
    await live.stop();
    await sqs.stop();
  }
}

/** Lambda: notifications over HTTP: the bell and preferences (self), channels and dead letters (admin). */
import type { PersonId } from "../../domain/kernel/model.ts";
import { NotificationService } from "../../domain/notifications/index.ts";
import { createAdapters } from "../dynamo/adapters.ts";
import { DynamoNotificationStore } from "../dynamo/stores/notification-store.ts";
import { notificationsRoutes } from "../http/areas/notifications.routes.ts";
import { httpHandler } from "../http/http.ts";
import { createSqsClient, deliveryQueueUrl, SqsDeliveryQueue } from "../notify/sqs-queue.ts";
import { SecretBox } from "../secrets/secret-box.ts";

const adapters = createAdapters("notifications");
const store = new DynamoNotificationStore(adapters.db, adapters.tables.state, { channelsTtlMs: 0 });
const sealer = SecretBox.fromEnv();
let queue: SqsDeliveryQueue | undefined;
const notifications = new NotificationService({
  outbox: store,
  preferences: store,
  channels: store,
  deadLetters: store,
  // Created at the first replay only: most requests never queue anything.
  queue: {
    send: (deliveries) => {
      queue ??= new SqsDeliveryQueue(createSqsClient(), deliveryQueueUrl());
      return queue.send(deliveries);
    },
  },
  seal: (plaintext) => sealer.seal(plaintext),
  clock: adapters.clock,
});

export const handler = httpHandler(
  "notifications",
  notificationsRoutes,
  {
    bell: async ({ caller, params }) => ({ body: await notifications.bell(caller, params.personId as PersonId) }),
    notificationPreferences: async ({ caller, params }) => ({ body: await notifications.preferences(caller, params.personId as PersonId) }),
    putNotificationPreferences: async ({ caller, params, body }) => ({
      body: await notifications.putPreferences(caller, params.personId as PersonId, body),
    }),
    putNotificationChannel: async ({ caller, params, body }) => ({ body: await notifications.putChannel(caller, params.channelId, body) }),
    notificationChannels: async ({ caller }) => ({ body: await notifications.channels(caller) }),
    notificationDeadLetters: async ({ caller }) => ({ body: await notifications.deadLetters(caller) }),
    replayNotification: async ({ caller, params }) => ({ body: await notifications.replay(caller, params.letterId) }),
  },
  adapters,
);

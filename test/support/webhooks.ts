/** Delivers events as a business system would, signed with the official Standard Webhooks library. */
import { randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { handler as projectorHandler } from "../../functions/background/projector.ts";
import { createDynamoClient } from "../../functions/dynamo/client.ts";
import { loadHandler } from "../../scripts/local/lambda.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import { type ApiResponse, call } from "./api.ts";
import { tableNames } from "./env.ts";

export interface Delivery {
  secret: string;
  id?: string;
  timestamp?: Date;
  contentType?: string;
  query?: string;
}

export function deliver(sourceId: string, payload: unknown, delivery: Delivery): Promise<ApiResponse> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const id = delivery.id ?? `msg_${randomUUID()}`;
  const timestamp = delivery.timestamp ?? new Date();
  const signature = new Webhook(delivery.secret).sign(id, timestamp, body);
  const contentType =
    delivery.contentType ?? (Array.isArray(payload) ? "application/cloudevents-batch+json" : "application/cloudevents+json");
  return call("POST", `/webhooks/${sourceId}${delivery.query ?? ""}`, {
    body,
    headers: {
      "content-type": contentType,
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": signature,
    },
  });
}

let counter = 0;

/** A CloudEvent of the demo sources, now, with a fresh id unless given. */
export function cloudEvent(type: string, subject: string | undefined, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    specversion: "1.0",
    id: `evt-${counter}-${randomUUID().slice(0, 8)}`,
    source: "https://learning.tianma.example",
    type,
    ...(subject ? { subject } : {}),
    time: new Date().toISOString(),
    data,
    ...extra,
  };
}

/** A poller of this file's ledger stream that hands its records to the projector, as Lambda's event source mapping does. */
export async function projectorPoller(): Promise<StreamPoller> {
  return new StreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    client: createDynamoClient(),
    table: tableNames.ledger,
    handler: await loadHandler<typeof projectorHandler>("projector"),
  });
}

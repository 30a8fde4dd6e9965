/**
 * The delivery queue on SQS: one message per delivery (its body the delivery as JSON), sent ten
 * at a time; a delivery that must wait (backoff, quiet hours, a robot's minute) stays invisible
 * for that long (ChangeMessageVisibility, at most 12 hours a time). DELIVERY_QUEUE_URL names the
 * queue; SQS_ENDPOINT points the client at the local queue (scripts/local/sqs.ts) off AWS.
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Delivery, DeliveryQueue } from "../../domain/notifications/index.ts";
import { tracer } from "../http/log.ts";

/** SQS's limit on a message's invisibility. */
export const maxVisibilitySeconds = 12 * 60 * 60;

export function createSqsClient(): SQSClient {
  const endpoint = process.env.SQS_ENDPOINT;
  const client = new SQSClient({
    maxAttempts: 3,
    ...(endpoint ? { endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  });
  return tracer.captureAWSv3Client(client);
}

export class SqsDeliveryQueue implements DeliveryQueue {
  readonly #sqs: SQSClient;
  readonly #url: string;

  constructor(sqs: SQSClient, url: string) {
    this.#sqs = sqs;
    this.#url = url;
  }

  /** `delaySeconds`: at most 900, SQS's longest delay. */
  async send(deliveries: readonly Delivery[], delaySeconds = 0): Promise<void> {
    const chunks: Delivery[][] = [];
    for (let i = 0; i < deliveries.length; i += 10) chunks.push(deliveries.slice(i, i + 10));
    await Promise.all(
      chunks.map(async (chunk) => {
        const { Failed } = await this.#sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.#url,
            Entries: chunk.map((delivery, i) => ({
              Id: String(i),
              MessageBody: JSON.stringify(delivery),
              DelaySeconds: Math.min(900, Math.ceil(delaySeconds)),
            })),
          }),
        );
        // A partly refused batch fails the stream batch: it is retried, and what was sent is sent again (same ids).
        if (Failed?.length) throw new Error(`SQS refused ${Failed.length} deliveries: ${Failed[0]?.Code ?? "unknown"}`);
      }),
    );
  }

  /** Keeps a received message invisible for `seconds`: it is received again then, counted as one more attempt. */
  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    const VisibilityTimeout = Math.max(0, Math.min(maxVisibilitySeconds, Math.ceil(seconds)));
    await this.#sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.#url, ReceiptHandle: receiptHandle, VisibilityTimeout }));
  }
}

export const deliveryQueueUrl = (): string => {
  const url = process.env.DELIVERY_QUEUE_URL;
  if (!url) throw new Error("DELIVERY_QUEUE_URL is not set");
  return url;
};

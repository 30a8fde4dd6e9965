/**
 * Locally, what SQS and Lambda's SQS event source do in AWS, for the delivery queue: a loopback
 * HTTP server that answers the SQS JSON protocol calls Laurel's functions make (SendMessage,
 * SendMessageBatch, ChangeMessageVisibility), and a poller that hands visible messages to the
 * deliverer's handler in batches, honouring partial batch responses: a failed message comes back
 * when its visibility timeout ends, counted as another receive, and after `maxReceiveCount`
 * receives it moves to the dead-letter list (the queue's redrive policy). The clock is
 * injectable, so that a test can let a day of backoff pass at once.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

interface Message {
  messageId: string;
  body: string;
  visibleAt: number;
  receiveCount: number;
  receiptHandle: string | undefined;
  sentAt: number;
}

export interface LocalSqsOptions {
  /** Seconds a received message stays invisible unless the handler changes it (the queue's visibility timeout). */
  visibilityTimeout?: number;
  maxReceiveCount?: number;
  now?: () => number;
}

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

export class LocalSqs {
  readonly queueUrl: string;
  readonly deadLetters: Message[] = [];
  readonly #messages = new Map<string, Message>();
  readonly #server: Server;
  readonly #options: Required<LocalSqsOptions>;
  #url = "";

  private constructor(options: LocalSqsOptions) {
    this.#options = { visibilityTimeout: 60, maxReceiveCount: 20, now: Date.now, ...options };
    this.queueUrl = "http://127.0.0.1/000000000000/laurel-local-deliveries";
    this.#server = createServer((request, response) => void this.#serve(request, response));
  }

  static async start(options: LocalSqsOptions = {}): Promise<LocalSqs> {
    const sqs = new LocalSqs(options);
    await new Promise<void>((resolve) => sqs.#server.listen(0, "127.0.0.1", resolve));
    sqs.#url = `http://127.0.0.1:${(sqs.#server.address() as AddressInfo).port}`;
    return sqs;
  }

  /** Where the SDK sends its calls (SQS_ENDPOINT). */
  get endpoint(): string {
    return this.#url;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #enqueue(body: string, delaySeconds = 0): Message {
    const message = {
      messageId: randomUUID(),
      body,
      visibleAt: this.#options.now() + delaySeconds * 1000,
      receiveCount: 0,
      receiptHandle: undefined,
      sentAt: this.#options.now(),
    };
    this.#messages.set(message.messageId, message);
    return message;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    const target = String(request.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify(body));
    };
    if (target === "SendMessage") {
      const message = this.#enqueue(input.MessageBody, input.DelaySeconds);
      return reply(200, { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) });
    }
    if (target === "SendMessageBatch") {
      const entries = input.Entries as { Id: string; MessageBody: string; DelaySeconds?: number }[];
      const successful = entries.map((entry) => {
        const message = this.#enqueue(entry.MessageBody, entry.DelaySeconds);
        return { Id: entry.Id, MessageId: message.messageId, MD5OfMessageBody: md5(message.body) };
      });
      return reply(200, { Successful: successful, Failed: [] });
    }
    if (target === "ChangeMessageVisibility") {
      const message = [...this.#messages.values()].find((m) => m.receiptHandle === input.ReceiptHandle);
      if (!message) return reply(400, { __type: "com.amazonaws.sqs#ReceiptHandleIsInvalid", message: "unknown receipt handle" });
      message.visibleAt = this.#options.now() + Number(input.VisibilityTimeout) * 1000;
      return reply(200, {});
    }
    return reply(400, { __type: "com.amazonaws.sqs#InvalidAction", message: `${target} is not served locally` });
  }

  /** Messages waiting, visible or not. */
  get size(): number {
    return this.#messages.size;
  }

  /** When the next invisible message becomes visible, if any is waiting. */
  nextVisibleAt(): number | undefined {
    const times = [...this.#messages.values()].map((m) => m.visibleAt);
    return times.length ? Math.min(...times) : undefined;
  }

  #receive(max: number): SQSRecord[] {
    const now = this.#options.now();
    const visible = [...this.#messages.values()].filter((m) => m.visibleAt <= now).slice(0, max);
    return visible.flatMap((message) => {
      if (message.receiveCount >= this.#options.maxReceiveCount) {
        this.#messages.delete(message.messageId);
        this.deadLetters.push(message);
        return [];
      }
      message.receiveCount += 1;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + this.#options.visibilityTimeout * 1000;
      return [
        {
          messageId: message.messageId,
          receiptHandle: message.receiptHandle,
          body: message.body,
          attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            SenderId: "local",
            ApproximateFirstReceiveTimestamp: String(now),
          },
          messageAttributes: {},
          md5OfBody: md5(message.body),
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:local:000000000000:laurel-local-deliveries",
          awsRegion: "local",
        },
      ];
    });
  }

  /** Hands every visible message to the handler, `batchSize` at a time; answers how many were handed. */
  async pollOnce(handler: SqsHandler, context: Context, batchSize = 10): Promise<number> {
    let handed = 0;
    for (let batch = this.#receive(batchSize); batch.length > 0; batch = this.#receive(batchSize)) {
      handed += batch.length;
      let failed = new Set(batch.map((r) => r.messageId));
      try {
        const response = await handler({ Records: batch }, context);
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch {
        // A thrown handler fails the whole batch, as with Lambda.
      }
      for (const record of batch) if (!failed.has(record.messageId)) this.#messages.delete(record.messageId);
    }
    return handed;
  }
}

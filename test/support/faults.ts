/**
 * Test-only fault injection for DynamoDB: while installed and enabled, a seeded share of the
 * requests the handlers send fails the way DynamoDB and the SDK fail in production, after the
 * SDK's own retries gave up:
 *
 * - throttling: `ProvisionedThroughputExceededException` / `ThrottlingException`, retryable;
 * - cancellation: `TransactionCanceledException` whose `CancellationReasons` name a
 *   `TransactionConflict` (TransactWriteItems only);
 * - conflict: `TransactionConflictException` (writes only);
 * - timeoutBefore: a `TimeoutError` before the request reaches the table (nothing written);
 * - timeoutAfter: the request is sent and succeeds, then the caller still gets a `TimeoutError`
 *   (written, but the caller does not know it).
 *
 * The handlers build their own clients (functions/dynamo/client.ts), so the injector wraps `send`
 * on the client classes' prototypes and restores them afterwards. `DynamoDBDocumentClient`
 * extends the Smithy `Client` itself rather than `DynamoDBClient` (lib-dynamodb runs the document
 * commands through its own `send`), so both prototypes are wrapped; a guard makes sure a request
 * that goes through both is judged once.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export const faultKinds = ["throttling", "cancellation", "conflict", "timeoutBefore", "timeoutAfter"] as const;
export type FaultKind = (typeof faultKinds)[number];
export type FaultRates = Record<FaultKind, number>;

/** Per request: about one in twelve fails (a TransactWriteItems more often), every kind well represented. */
export const defaultRates: FaultRates = { throttling: 0.025, cancellation: 0.05, conflict: 0.015, timeoutBefore: 0.02, timeoutAfter: 0.02 };

/** mulberry32: a small, fast, seeded PRNG with uniform output in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for a named stream of a run: the same run seed and label always give the same stream. */
export function streamSeed(seed: number, label: string | number): number {
  let hash = (seed ^ 0x9e3779b9) >>> 0;
  for (const char of String(label)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

/** The run's seed: fixed unless CHAOS_SEED says otherwise. */
export function chaosSeed(fallback: number): number {
  const given = process.env.CHAOS_SEED;
  if (given === undefined || given === "") return fallback;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`CHAOS_SEED must be an integer, not ${given}`);
  return seed;
}

const writeCommands = new Set([
  "PutCommand",
  "UpdateCommand",
  "DeleteCommand",
  "TransactWriteCommand",
  "BatchWriteCommand",
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "TransactWriteItemsCommand",
  "BatchWriteItemCommand",
]);
const transactWrites = new Set(["TransactWriteCommand", "TransactWriteItemsCommand"]);

// The SDK's metadata on an error that survived its own retries (maxAttempts 3).
const metadata = (status: number) => ({ httpStatusCode: status, attempts: 3, totalRetryDelay: 150, requestId: "chaos" });

function timeoutError(): Error {
  // As @smithy/node-http-handler surfaces a socket or connection timeout.
  return Object.assign(new Error("Connection timed out after 1000 ms"), { name: "TimeoutError", $metadata: metadata(0) });
}

export type Send = (this: unknown, command: unknown, ...rest: unknown[]) => Promise<unknown>;

/**
 * Wraps `send` on both client classes, as the fault injector, the key budget and the request
 * recorder need; returns the function that restores them.
 */
export function aroundSend(around: (original: Send, client: unknown, command: unknown, rest: unknown[]) => Promise<unknown>): () => void {
  const restores = [DynamoDBClient.prototype, DynamoDBDocumentClient.prototype].map((proto) => {
    const own = Object.getOwnPropertyDescriptor(proto, "send");
    const original = (proto as unknown as { send: Send }).send;
    Object.defineProperty(proto, "send", {
      configurable: true,
      writable: true,
      value: function send(this: unknown, command: unknown, ...rest: unknown[]) {
        return around(original, this, command, rest);
      },
    });
    return () => {
      if (own) Object.defineProperty(proto, "send", own);
      else delete (proto as unknown as { send?: Send }).send;
    };
  });
  return () => {
    for (const restore of restores) restore();
  };
}

export interface FaultInjectorOptions {
  seed: number;
  rates?: Partial<FaultRates>;
}

export class FaultInjector {
  readonly seed: number;
  readonly rates: FaultRates;
  /** Faults injected so far, per kind. */
  readonly counts: Record<FaultKind, number> = { throttling: 0, cancellation: 0, conflict: 0, timeoutBefore: 0, timeoutAfter: 0 };
  /** Requests judged while enabled (faulted or not). */
  requests = 0;
  /** Faults are injected only while enabled: turn off for setup and verification. */
  enabled = false;

  readonly #random: () => number;
  readonly #streams = new AsyncLocalStorage<() => number>();
  readonly #inside = new AsyncLocalStorage<true>();

  constructor({ seed, rates = {} }: FaultInjectorOptions) {
    this.seed = seed;
    this.rates = { ...defaultRates, ...rates };
    this.#random = prng(streamSeed(seed, "faults"));
  }

  get total(): number {
    return faultKinds.reduce((sum, kind) => sum + this.counts[kind], 0);
  }

  /**
   * Runs `work` with its own fault stream, seeded from the run's seed and `label`: the faults one
   * operation meets do not depend on how the other operations running beside it interleave.
   */
  scope<T>(label: string | number, work: () => Promise<T>): Promise<T> {
    return this.#streams.run(prng(streamSeed(this.seed, label)), work);
  }

  /** Wraps `send` on both client classes; returns the function that restores them. */
  install(): () => void {
    return aroundSend((original, client, command, rest) => this.#send(original, client, command, rest));
  }

  #send(original: Send, client: unknown, command: unknown, rest: unknown[]): Promise<unknown> {
    const real = () => original.call(client, command, ...rest);
    // Callback style, a request already judged on its way through, or faults off: untouched.
    if (!this.enabled || this.#inside.getStore() || typeof rest.at(-1) === "function") return real();
    return this.#inside.run(true, () => this.#judge(real, command));
  }

  async #judge(real: () => Promise<unknown>, command: unknown): Promise<unknown> {
    this.requests += 1;
    const name = (command as { constructor: { name: string } }).constructor.name;
    const random = this.#streams.getStore() ?? this.#random;
    const kind = this.#pick(name, random);
    if (kind === undefined) return real();
    if (kind === "timeoutAfter") {
      await real();
      this.counts.timeoutAfter += 1;
      throw timeoutError();
    }
    this.counts[kind] += 1;
    throw this.#error(kind, command, name, random);
  }

  #pick(name: string, random: () => number): FaultKind | undefined {
    const applicable = faultKinds.filter(
      (kind) => (kind !== "cancellation" || transactWrites.has(name)) && (kind !== "conflict" || writeCommands.has(name)),
    );
    let roll = random();
    for (const kind of applicable) {
      roll -= this.rates[kind];
      if (roll < 0) return kind;
    }
    return undefined;
  }

  #error(kind: Exclude<FaultKind, "timeoutAfter">, command: unknown, name: string, random: () => number): Error {
    switch (kind) {
      case "throttling": {
        const Exception = random() < 0.5 ? ProvisionedThroughputExceededException : ThrottlingException;
        return Object.assign(
          new Exception({
            message: "The level of configured provisioned throughput for the table was exceeded.",
            $metadata: metadata(400),
          }),
          { $retryable: { throttling: true } },
        );
      }
      case "cancellation": {
        const items = ((command as { input?: { TransactItems?: unknown[] } }).input?.TransactItems ?? [undefined]).length;
        const conflicted = Math.floor(random() * items);
        const reasons = Array.from({ length: items }, (_, i) =>
          i === conflicted ? { Code: "TransactionConflict", Message: "Transaction is ongoing for the item" } : { Code: "None" },
        );
        return new TransactionCanceledException({
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
          $metadata: metadata(400),
          CancellationReasons: reasons,
        });
      }
      case "conflict":
        return new TransactionConflictException({ message: `Transaction is ongoing for the item (${name})`, $metadata: metadata(400) });
      case "timeoutBefore":
        return timeoutError();
    }
  }
}

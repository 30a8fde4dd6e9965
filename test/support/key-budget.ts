/**
 * Test-only: DynamoDB's per-partition limits, scaled down. While installed, every request the
 * handlers send is charged, per partition key, the units bench/support/dynamo-meter.ts computes for it
 * (writes before the request, reads when it is answered); a request that would take a key past
 * its budget for the current second is refused as DynamoDB refuses it once the SDK's own retries
 * gave up (`ProvisionedThroughputExceededException`, or a `TransactionCanceledException` naming a
 * `ThrottlingError` for a transaction), and writes nothing.
 *
 * The second is logical: the test moves it on (`tick`) as requests arrive, so a run on a slow or
 * busy machine throttles exactly as on a fast one. Keys can be merged (`keyOf`) to charge several
 * partition keys as one: the design before they were split.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ProvisionedThroughputExceededException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";

import { requestTouches, type Touch } from "../../bench/support/dynamo-meter.ts";
import { aroundSend } from "./faults.ts";

export interface Budget {
  write: number;
  read: number;
}

export interface KeyBudgetOptions {
  budgetOf(table: string, partitionKey: string): Budget;
  /** The key a partition key is charged to; by default itself. */
  keyOf?(table: string, partitionKey: string): string;
  /** A key's family, for the tallies (bench/support/capacity.ts keyFamily). */
  familyOf(partitionKey: string): string;
}

/** The document client's command names, as DynamoDB's operations. */
const documentOperations: Record<string, string> = {
  Put: "PutItem",
  Get: "GetItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  TransactWrite: "TransactWriteItems",
  TransactGet: "TransactGetItems",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
};

const metadata = { httpStatusCode: 400, attempts: 3, totalRetryDelay: 150, requestId: "key-budget" };

export class KeyBudget {
  #second = 0;
  readonly #used = new Map<string, { write: number; read: number }>();
  /** Refused requests per table and key family. */
  readonly throttled = new Map<string, number>();
  /** The most units any one key of a family took in one second, per table and family. */
  readonly busiest = new Map<string, { write: number; read: number }>();
  readonly #options: KeyBudgetOptions;
  readonly #inside = new AsyncLocalStorage<true>();

  constructor(options: KeyBudgetOptions) {
    this.#options = options;
  }

  /** The logical second moves on: every key's budget is whole again. */
  tick(second: number): void {
    if (second === this.#second) return;
    this.#second = second;
    this.#used.clear();
  }

  install(): () => void {
    return aroundSend((original, client, command, rest) => {
      // The document client hands its command on to the plain client: judge it once.
      if (this.#inside.getStore() || typeof rest.at(-1) === "function") return original.call(client, command, ...rest);
      return this.#judge(() => original.call(client, command, ...rest), command);
    });
  }

  async #judge(real: () => Promise<unknown>, command: unknown): Promise<unknown> {
    const name = (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, "");
    const dynamoOperation = documentOperations[name] ?? name;
    const input = (command as { input: Record<string, unknown> }).input;
    const before = requestTouches(dynamoOperation, input, {});
    const over = before.find((t) => this.#over(t));
    if (over) {
      const family = `${over.table} ${this.#options.familyOf(over.partitionKey)}`;
      this.throttled.set(family, (this.throttled.get(family) ?? 0) + 1);
      throw this.#refusal(dynamoOperation, input);
    }
    this.#charge(before.filter((t) => t.writeUnits > 0));
    const output = await this.#inside.run(true, real);
    this.#charge(requestTouches(dynamoOperation, input, output as Record<string, unknown>).filter((t) => t.readUnits > 0));
    return output;
  }

  #key(touch: Touch): string {
    return `${touch.table} ${this.#options.keyOf?.(touch.table, touch.partitionKey) ?? touch.partitionKey}`;
  }

  #over(touch: Touch): boolean {
    const used = this.#used.get(this.#key(touch)) ?? { write: 0, read: 0 };
    const budget = this.#options.budgetOf(touch.table, touch.partitionKey);
    return used.write + touch.writeUnits > budget.write || used.read + touch.readUnits > budget.read;
  }

  #charge(touches: Touch[]): void {
    for (const touch of touches) {
      const key = this.#key(touch);
      const used = this.#used.get(key) ?? { write: 0, read: 0 };
      used.write += touch.writeUnits;
      used.read += touch.readUnits;
      this.#used.set(key, used);
      const family = `${touch.table} ${this.#options.familyOf(touch.partitionKey)}`;
      const busiest = this.busiest.get(family) ?? { write: 0, read: 0 };
      this.busiest.set(family, { write: Math.max(busiest.write, used.write), read: Math.max(busiest.read, used.read) });
    }
  }

  #refusal(operation: string, input: Record<string, unknown>): Error {
    if (operation === "TransactWriteItems") {
      const items = (input.TransactItems as unknown[]).length;
      return new TransactionCanceledException({
        message: "Transaction cancelled, please refer cancellation reasons for specific reasons [ThrottlingError]",
        $metadata: metadata,
        CancellationReasons: Array.from({ length: items }, () => ({
          Code: "ThrottlingError",
          Message: "Throughput exceeds the current capacity for one or more global secondary indexes.",
        })),
      });
    }
    return Object.assign(
      new ProvisionedThroughputExceededException({
        message: "The level of configured provisioned throughput for the table was exceeded.",
        $metadata: metadata,
      }),
      { $retryable: { throttling: true } },
    );
  }
}

/**
 * Versioned definitions on DynamoDB (state table). The current version of each definition sits
 * in its kind's partition, so the webhook function reads all rules or badges with one Query and
 * keeps them for a short while; every version is also kept, written once, for audit and replay.
 *
 * | item            | pk                      | sk              |
 * |-----------------|-------------------------|-----------------|
 * | current version | DEF#<kind>              | <id>            |
 * | every version   | DEFV#<kind>#<id>        | V#<version, 8>  |
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { DefinitionKind, DefinitionStore, Versioned } from "../../domain/kernel/definitions.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import { keys, withoutKeys } from "./keys.ts";

export class DynamoDefinitionStore implements DefinitionStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { value: Promise<unknown>; expires: number }>();

  constructor(db: DynamoDBDocumentClient, table: string, options: { ttlMs?: number } = {}) {
    this.#db = db;
    this.#table = table;
    this.#ttlMs = options.ttlMs ?? 30_000;
  }

  get<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined> {
    return this.#cached(`get:${kind}:${id}`, async () => {
      const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.definition(kind, id) }));
      return Item ? withoutKeys<Versioned<T>>(Item) : undefined;
    });
  }

  list<T>(kind: DefinitionKind): Promise<Versioned<T>[]> {
    return this.#cached(`list:${kind}`, async () => {
      const items: Versioned<T>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.#db.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": keys.definitionPartition(kind) },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []).map((item) => withoutKeys<Versioned<T>>(item)));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    });
  }

  async put<T>(kind: DefinitionKind, definition: Versioned<T>, previous: number): Promise<void> {
    try {
      await this.#db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: { ...keys.definition(kind, definition.id), ...definition },
                ...(previous === 0
                  ? { ConditionExpression: "attribute_not_exists(pk)" }
                  : { ConditionExpression: "version = :previous", ExpressionAttributeValues: { ":previous": previous } }),
              },
            },
            {
              Put: {
                TableName: this.#table,
                Item: { ...keys.definitionVersion(kind, definition.id, definition.version), ...definition },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === "TransactionCanceledException") {
        throw new DomainError(
          "conflict",
          "definition-changed",
          `The ${kind} ${definition.id} was changed by someone else meanwhile; read it again and retry.`,
        );
      }
      throw error;
    } finally {
      this.#cache.clear();
    }
  }

  #cached<V>(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<V>;
    const value = load();
    value.catch(() => this.#cache.delete(key));
    this.#cache.set(key, { value, expires: now + this.#ttlMs });
    return value;
  }
}

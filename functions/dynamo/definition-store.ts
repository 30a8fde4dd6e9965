/**
 * Versioned definitions on DynamoDB (state table). The current version of each definition sits
 * in its kind's partition, so the webhook function reads all rules or badges with one Query;
 * every version is also kept, written once, for audit and replay.
 *
 * | item            | pk                      | sk              |
 * |-----------------|-------------------------|-----------------|
 * | current version | DEF#<kind>              | <id>            |
 * | every version   | DEFV#<kind>#<id>        | V#<version, 8>  |
 * | versions (×8)   | DEFINITIONS#<copy>      | VERSIONS        |
 *
 * Each instance keeps what it read, and a request trusts it only while the kind's counter in the
 * versions item (moved in the same transaction as every change) is the one it was read under.
 * The counter is read once per request: by another store's batch read that already goes to the
 * state table (`versionsKey` and `carrying`, no extra round trip), else by a consistent GetItem on
 * the first definition the request reads. So a change is seen by the next request everywhere.
 * Every request of every instance reads the counters, more than one partition key serves at a
 * million people's peak (docs/SCALE.md): they are kept in identical copies, all moved in each
 * change's transaction, and a request reads one copy chosen at random.
 */
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { DefinitionKind, DefinitionStore, Versioned } from "../../domain/kernel/definitions.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import { queryAll } from "./client.ts";
import { keys, withoutKeys } from "./keys.ts";

type Versions = Partial<Record<DefinitionKind, number>>;

/** What another store needs to read the versions in its own batch and hand them over. */
export interface DefinitionVersionsObserver {
  /** A copy of the versions item, any one: each read may name another. */
  readonly versionsKey: { pk: string; sk: string };
  /** Whether this request has not read the versions yet (later reads need not carry them). */
  readonly wantsVersions: boolean;
  /** The versions item is on its way in another store's read: reads of definitions meanwhile wait for it. */
  carrying(item: Promise<Record<string, unknown> | undefined>): void;
}

export class DynamoDefinitionStore implements DefinitionStore, DefinitionVersionsObserver {
  get versionsKey(): { pk: string; sk: string } {
    return keys.definitionVersions(Math.floor(Math.random() * keys.definitionVersionCopies));
  }

  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #cache = new Map<string, { version: number; value: Promise<unknown> }>();
  /** The counters as of the current request; unknown until its first read of a definition. */
  #versions: Promise<Versions> | undefined;

  constructor(db: DynamoDBDocumentClient, table: string) {
    this.#db = db;
    this.#table = table;
  }

  /** A new request begins: what was cached is checked against the counters before it is used. */
  newRequest(): void {
    this.#versions = undefined;
  }

  get wantsVersions(): boolean {
    return this.#versions === undefined;
  }

  carrying(item: Promise<Record<string, unknown> | undefined>): void {
    const versions = item.then(versionsOf);
    versions.catch(() => {
      if (this.#versions === versions) this.#versions = undefined;
    });
    this.#versions = versions;
  }

  get<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined> {
    return this.#cached(kind, `get:${kind}:${id}`, async () => {
      const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.definition(kind, id) }));
      return Item ? withoutKeys<Versioned<T>>(Item) : undefined;
    });
  }

  async peek<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined> {
    const seen = this.#cache.get(`get:${kind}:${id}`);
    return seen ? (seen.value as Promise<Versioned<T> | undefined>) : this.get<T>(kind, id);
  }

  list<T>(kind: DefinitionKind): Promise<Versioned<T>[]> {
    return this.#cached(kind, `list:${kind}`, async () => {
      return (
        await queryAll(this.#db, {
          TableName: this.#table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.definitionPartition(kind) },
        })
      ).map((item) => withoutKeys<Versioned<T>>(item));
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
            ...this.counterMoves(kind),
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
      // Whatever happened, the rest of this request reads the counters again.
      this.#versions = undefined;
    }
  }

  /**
   * The updates that move a counter in every copy of the versions item, for the transaction of
   * a change: a definition kind's, or another cache's kept the same way (the org tree's).
   */
  counterMoves(counter: string) {
    return Array.from({ length: keys.definitionVersionCopies }, (_, copy) => ({
      Update: {
        TableName: this.#table,
        Key: keys.definitionVersions(copy),
        UpdateExpression: "ADD #counter :one",
        ExpressionAttributeNames: { "#counter": counter },
        ExpressionAttributeValues: { ":one": 1 },
      },
    }));
  }

  /** A counter as of this request: read with the request's first read of the versions. */
  async counter(counter: string): Promise<number> {
    this.#versions ??= this.#readVersions().catch((error: unknown) => {
      this.#versions = undefined;
      throw error;
    });
    return (await this.#versions)[counter as DefinitionKind] ?? 0;
  }

  async #cached<V>(kind: DefinitionKind, key: string, load: () => Promise<V>): Promise<V> {
    const version = await this.counter(kind);
    const hit = this.#cache.get(key);
    if (hit && hit.version === version) return hit.value as Promise<V>;
    const value = load();
    value.catch(() => this.#cache.delete(key));
    this.#cache.set(key, { version, value });
    return value;
  }

  async #readVersions(): Promise<Versions> {
    const read = this.#db.send(new GetCommand({ TableName: this.#table, Key: this.versionsKey, ConsistentRead: true }));
    return versionsOf((await read).Item);
  }
}

function versionsOf(item: Record<string, unknown> | undefined): Versions {
  const { pk: _pk, sk: _sk, ...versions } = item ?? {};
  return versions as Versions;
}

/**
 * Directory on DynamoDB (state table): people by id and by org unit (gsi1), the org tree in one
 * partition. The tree is read whole and kept for a short while: it is small, read on every
 * request for access checks, and changes rarely.
 */
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { type Directory, type IdentityProvider, OrgTree, type OrgUnit, type Person } from "../../domain/directory/index.ts";
import { DomainError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { batchGet } from "./batch-get.ts";
import { queryAll } from "./client.ts";
import { keys, withoutKeys } from "./keys.ts";

export class DynamoDirectory implements Directory {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlMs: number;
  #tree: { value: Promise<OrgTree>; expires: number } | undefined;

  constructor(db: DynamoDBDocumentClient, table: string, options: { orgTreeTtlMs?: number } = {}) {
    this.#db = db;
    this.#table = table;
    this.#ttlMs = options.orgTreeTtlMs ?? 30_000;
  }

  orgTree(): Promise<OrgTree> {
    const now = Date.now();
    if (!this.#tree || this.#tree.expires <= now) {
      const value = this.#loadTree();
      value.catch(() => {
        if (this.#tree?.value === value) this.#tree = undefined;
      });
      this.#tree = { value, expires: now + this.#ttlMs };
    }
    return this.#tree.value;
  }

  async person(personId: PersonId, consistent = false): Promise<Person | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: keys.person(personId), ConsistentRead: consistent }),
    );
    return Item ? withoutKeys<Person>(Item) : undefined;
  }

  /** The pointer names the person; the person's own item decides, so a pointer left by a lost race misleads nobody. */
  async personByIdentity(provider: IdentityProvider, subject: string): Promise<Person | undefined> {
    const { Item } = await this.#db.send(new GetCommand({ TableName: this.#table, Key: keys.identity(provider, subject) }));
    const person = Item?.personId ? await this.person(Item.personId as PersonId) : undefined;
    return person?.identities?.[provider] === subject ? person : undefined;
  }

  /** Several people by id, 100 to a BatchGetItem; absent ones are not in the map. */
  async people(personIds: readonly PersonId[]): Promise<Map<PersonId, Person>> {
    const unique = [...new Set(personIds)];
    const chunks = Array.from({ length: Math.ceil(unique.length / 100) }, (_, i) => unique.slice(i * 100, i * 100 + 100));
    const found = new Map<PersonId, Person>();
    for (const answer of await Promise.all(chunks.map((chunk) => batchGet(this.#db, { [this.#table]: chunk.map(keys.person) })))) {
      for (const id of unique) {
        const item = answer.get(this.#table, keys.person(id));
        if (item) found.set(id, withoutKeys<Person>(item));
      }
    }
    return found;
  }

  /**
   * The person's org unit must exist at the moment of writing, not just when it was checked; each
   * provider's id they hold is claimed by a pointer no one else holds, and the ids they gave up are
   * released, in the same transaction.
   */
  async putPerson(person: Person): Promise<void> {
    const held = identityPairs(await this.person(person.personId, true));
    const wanted = identityPairs(person);
    const me = { ":me": person.personId };
    const claims = wanted.map(([provider, subject]) => ({
      Put: {
        TableName: this.#table,
        Item: { ...keys.identity(provider, subject), personId: person.personId },
        ConditionExpression: "attribute_not_exists(personId) OR personId = :me",
        ExpressionAttributeValues: me,
      },
    }));
    // A released id keeps its pointer, holder-less: state-table writes are puts and updates only.
    const releases = held
      .filter(([provider, subject]) => person.identities?.[provider] !== subject)
      .map(([provider, subject]) => ({
        Put: {
          TableName: this.#table,
          Item: { ...keys.identity(provider, subject), releasedBy: person.personId },
          ConditionExpression: "attribute_not_exists(personId) OR personId = :me",
          ExpressionAttributeValues: me,
        },
      }));
    const failed = await this.#putWithParent(
      { ...keys.person(person.personId), ...keys.personByUnit(person.orgUnitId, person.personId), ...person },
      person.orgUnitId,
      "org-unit-unknown",
      [...claims, ...releases],
    );
    if (failed === undefined) return;
    const taken = wanted[failed];
    if (!taken) throw new DomainError("conflict", "person-changed", `${person.personId} changed while being saved; send it again.`);
    const [provider, subject] = taken;
    throw new DomainError("conflict", "identity-taken", `Another person already holds the ${provider} user id "${subject}".`, {
      provider,
      subject,
    });
  }

  async putOrgUnit(unit: OrgUnit): Promise<void> {
    await this.#putWithParent({ ...keys.orgUnit(unit.orgUnitId), ...unit }, unit.parentId, "org-unit-parent-unknown");
    this.#tree = undefined;
  }

  /** Returns the index among `also` of the item whose condition failed, if one did. */
  async #putWithParent(
    item: Record<string, unknown>,
    parentId: OrgUnitId | undefined,
    code: string,
    also: NonNullable<TransactWriteCommandInput["TransactItems"]> = [],
  ): Promise<number | undefined> {
    const parentCheck = parentId
      ? [{ ConditionCheck: { TableName: this.#table, Key: keys.orgUnit(parentId), ConditionExpression: "attribute_exists(pk)" } }]
      : [];
    try {
      await this.#db.send(
        new TransactWriteCommand({ TransactItems: [...parentCheck, { Put: { TableName: this.#table, Item: item } }, ...also] }),
      );
      return undefined;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (parentId && reasons?.[0]?.Code === "ConditionalCheckFailed") {
        throw new DomainError("unprocessable", code, `The org unit "${parentId}" does not exist.`, { orgUnitId: parentId });
      }
      const failed = reasons?.findIndex((reason) => reason.Code === "ConditionalCheckFailed") ?? -1;
      if (failed >= 0) return failed - parentCheck.length - 1;
      throw error;
    }
  }

  async peopleIn(orgUnitId: OrgUnitId): Promise<Person[]> {
    return (
      await queryAll(this.#db, {
        TableName: this.#table,
        IndexName: "gsi1",
        KeyConditionExpression: "gsi1pk = :unit",
        ExpressionAttributeValues: { ":unit": keys.unitMembers(orgUnitId) },
      })
    ).map((item) => withoutKeys<Person>(item));
  }

  async *allPeople(): AsyncIterable<Person> {
    const tree = await this.orgTree();
    for (const unit of tree.units()) yield* await this.peopleIn(unit.orgUnitId);
  }

  async #loadTree(): Promise<OrgTree> {
    const units = (
      await queryAll(this.#db, {
        TableName: this.#table,
        KeyConditionExpression: "pk = :org",
        ExpressionAttributeValues: { ":org": keys.orgPartition },
      })
    ).map((item) => withoutKeys<OrgUnit>(item));
    return new OrgTree(units);
  }
}

function identityPairs(person: Person | undefined): [IdentityProvider, string][] {
  return Object.entries(person?.identities ?? {}) as [IdentityProvider, string][];
}

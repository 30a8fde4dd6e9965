/**
 * Directory on DynamoDB (state table): people by id and by org unit (gsi1), the org tree in
 * `keys.orgCopies` identical copies, all written in each change's transaction, a reader reading one
 * at random (docs/SCALE.md); units written before the copies sit in the partition of old, read
 * beside the copy until written again. The tree is read whole and kept per instance: it is small and read on every request
 * for access checks. A request uses the kept tree only while the org tree's counter in the
 * definitions' versions item (moved in the same transaction as every change of a unit) is the
 * one it was read under; the counter comes with the request's first read of the versions, which
 * most requests make anyway (docs/ARCHITECTURE.md). So a new lead or a moved unit holds for the
 * next request on every instance. A person is read per request, so a transfer needs no counter.
 *
 * | item        | pk                | sk           | gsi1pk       | gsi1sk            |
 * |-------------|-------------------|--------------|--------------|-------------------|
 * | person      | PERSON#<personId> | PROFILE      | UNIT#<unit>  | PERSON#<personId> |
 * | org unit    | ORG#<copy 0–15> (ORG before the copies) | UNIT#<unit> |  |                   |
 * | identity    | IDENTITY#<provider>#<user id> | PERSON |      |                   |
 */
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { type Directory, type IdentityProvider, OrgTree, type OrgUnit, type Person } from "../../domain/directory/index.ts";
import type { AuditRecord } from "../../domain/kernel/audit.ts";
import { ContentionError, DomainError } from "../../domain/kernel/errors.ts";
import type { OrgUnitId, PersonId } from "../../domain/kernel/model.ts";
import { batchGet } from "./batch-get.ts";
import { queryAll } from "./client.ts";
import type { DynamoDefinitionStore } from "./definition-store.ts";
import { keys, withoutKeys } from "./keys.ts";

const unitExists = "attribute_exists(pk) AND attribute_not_exists(removedAt)";
/** The org tree's counter in the versions item. */
const treeCounter = "orgTree";

export class DynamoDirectory implements Directory {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ledger: string;
  readonly #versions: Pick<DynamoDefinitionStore, "counter" | "counterMoves" | "newRequest">;
  #tree: { version: number; value: Promise<OrgTree> } | undefined;

  /** Changes are written with their audit record, which goes to the ledger table. */
  constructor(
    db: DynamoDBDocumentClient,
    tables: { state: string; ledger: string },
    versions: Pick<DynamoDefinitionStore, "counter" | "counterMoves" | "newRequest">,
  ) {
    this.#db = db;
    this.#table = tables.state;
    this.#ledger = tables.ledger;
    this.#versions = versions;
  }

  async orgTree(): Promise<OrgTree> {
    const version = await this.#versions.counter(treeCounter);
    if (this.#tree?.version !== version) {
      const value = this.#loadTree();
      value.catch(() => {
        if (this.#tree?.value === value) this.#tree = undefined;
      });
      this.#tree = { version, value };
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
  async putPerson(person: Person, expectedVersion: number, audit: AuditRecord): Promise<Person> {
    const stored = { ...person, version: expectedVersion + 1, updatedAt: new Date().toISOString() };
    const held = identityPairs(await this.person(person.personId, true));
    const wanted = identityPairs(person);
    const pointer = (provider: IdentityProvider, subject: string, item: Record<string, unknown>) => ({
      Put: {
        TableName: this.#table,
        Item: { ...keys.identity(provider, subject), ...item },
        ConditionExpression: "attribute_not_exists(personId) OR personId = :me",
        ExpressionAttributeValues: { ":me": person.personId },
      },
    });
    const failed = await this.#write(
      [
        {
          Put: {
            TableName: this.#table,
            Item: { ...keys.person(person.personId), ...keys.personByUnit(person.orgUnitId, person.personId), ...stored },
            ...(expectedVersion === 0
              ? { ConditionExpression: "attribute_not_exists(#version)" }
              : { ConditionExpression: "#version = :version", ExpressionAttributeValues: { ":version": expectedVersion } }),
            ExpressionAttributeNames: { "#version": "version" },
          },
        },
        ...wanted.map(([provider, subject]) => pointer(provider, subject, { personId: person.personId })),
        // A released id keeps its pointer, holder-less: state-table writes are puts and updates only.
        ...held
          .filter(([provider, subject]) => person.identities?.[provider] !== subject)
          .map(([provider, subject]) => pointer(provider, subject, { releasedBy: person.personId })),
        this.#audit(audit),
      ],
      person.orgUnitId,
      () =>
        new DomainError("unprocessable", "org-unit-unknown", `The org unit "${person.orgUnitId}" does not exist.`, {
          orgUnitId: person.orgUnitId,
        }),
    );
    const taken = failed === undefined || failed < 1 ? undefined : wanted[failed - 1];
    if (taken) {
      const [provider, subject] = taken;
      throw new DomainError("conflict", "identity-taken", `Another person already holds the ${provider} user id "${subject}".`, {
        provider,
        subject,
      });
    }
    if (failed !== undefined) throw new ContentionError("the person changed meanwhile");
    return stored;
  }

  /** The unit in every copy of the tree, with the tree's counter moved and its audit record. */
  async putOrgUnit(unit: OrgUnit, audit: AuditRecord): Promise<void> {
    await this.#writeTree(
      Array.from({ length: keys.orgCopies }, (_, copy) => ({ ...keys.orgUnit(unit.orgUnitId, copy), ...unit })),
      audit,
      unit.parentId,
    );
  }

  /** A removed unit's items stay, marked (IAM grants no DeleteItem; its past is kept): the tree leaves it out. */
  async removeOrgUnit(orgUnitId: OrgUnitId, audit: AuditRecord): Promise<void> {
    const unit = (await this.orgTree()).get(orgUnitId);
    if (!unit) throw new DomainError("not-found", "org-unit-not-found", `No org unit with id "${orgUnitId}".`, { id: orgUnitId });
    const removedAt = new Date().toISOString();
    await this.#writeTree(
      Array.from({ length: keys.orgCopies }, (_, copy) => ({ ...keys.orgUnit(orgUnitId, copy), ...unit, removedAt })),
      audit,
      undefined,
    );
  }

  async #writeTree(copies: Record<string, unknown>[], audit: AuditRecord, parentId: OrgUnitId | undefined): Promise<void> {
    const failed = await this.#write(
      [
        ...copies.map((Item) => ({ Put: { TableName: this.#table, Item } })),
        ...this.#versions.counterMoves(treeCounter),
        this.#audit(audit),
      ],
      parentId,
      () =>
        new DomainError("unprocessable", "org-unit-parent-unknown", `The org unit "${parentId}" does not exist.`, { orgUnitId: parentId }),
    );
    if (failed !== undefined) throw new ContentionError("the org tree changed meanwhile");
  }

  #audit(record: AuditRecord) {
    return {
      Put: {
        TableName: this.#ledger,
        Item: { ...keys.audit(record.at.slice(0, 10), record.at, record.auditId), ...record },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    };
  }

  /**
   * One transaction; with a `parentId`, it also checks that unit exists, in a copy of the tree or,
   * written before the copies, in the partition of old (`missing` when in neither). Returns the
   * index among `items` of an item whose condition failed, if one did.
   */
  async #write(
    items: NonNullable<TransactWriteCommandInput["TransactItems"]>,
    parentId: OrgUnitId | undefined,
    missing: () => DomainError,
  ): Promise<number | undefined> {
    const parentKeys = parentId ? [keys.orgUnit(parentId, 0), keys.legacyOrgUnit(parentId)] : [undefined];
    try {
      for (const parentKey of parentKeys) {
        const check = parentKey ? [{ ConditionCheck: { TableName: this.#table, Key: parentKey, ConditionExpression: unitExists } }] : [];
        try {
          await this.#db.send(new TransactWriteCommand({ TransactItems: [...check, ...items] }));
          return undefined;
        } catch (error) {
          const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
          const failed = reasons.findIndex((reason, at) => at >= check.length && reason.Code === "ConditionalCheckFailed");
          if (failed >= 0) return failed - check.length;
          if (!parentKey || reasons[0]?.Code !== "ConditionalCheckFailed") throw error;
        }
      }
      throw missing();
    } finally {
      // Whatever happened, the rest of this request reads the counters again.
      this.#versions.newRequest();
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

  /** One copy of the tree, at random, and the units written before the copies; a unit in the copy wins. */
  async #loadTree(): Promise<OrgTree> {
    const copy = keys.orgCopy(Math.floor(Math.random() * keys.orgCopies));
    const [legacy, current] = await Promise.all(
      [keys.legacyOrgPartition, copy].map((partition) =>
        queryAll(this.#db, {
          TableName: this.#table,
          KeyConditionExpression: "pk = :org",
          ExpressionAttributeValues: { ":org": partition },
        }),
      ),
    );
    const units = new Map([...(legacy ?? []), ...(current ?? [])].map((item) => [String(item.sk), item]));
    // In the order of their ids, as one partition's Query gives them.
    return new OrgTree(
      [...units]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .filter(([, item]) => item.removedAt === undefined)
        .map(([, item]) => withoutKeys<OrgUnit>(item)),
    );
  }
}

function identityPairs(person: Person | undefined): [IdentityProvider, string][] {
  return Object.entries(person?.identities ?? {}) as [IdentityProvider, string][];
}

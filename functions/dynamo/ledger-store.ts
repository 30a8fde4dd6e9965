/**
 * LedgerStore on DynamoDB. Entries, idempotency records and reversal markers live in the
 * append-only ledger table; chain heads (balances) in the state table. Keys: see tables.ts.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Person } from "../../domain/directory/index.ts";
import { mapLimit } from "../../domain/kernel/concurrency.ts";
import { ContentionError, DomainError } from "../../domain/kernel/errors.ts";
import { type AccountId, type EntryId, type PersonId, personAccount } from "../../domain/kernel/model.ts";
import { defaultTimeZone } from "../../domain/kernel/periods.ts";
import type { Page } from "../../domain/kernel/ports.ts";
import type {
  AppendWrite,
  Collection,
  CounterUpdate,
  DocumentWrite,
  EntrySnapshot,
  EventRecord,
  EventSnapshot,
  HistoryEntry,
  IdempotencyRecord,
  IdempotencyRef,
  LedgerStore,
  OnceRecord,
  PersonFacts,
  PersonSnapshot,
} from "../../domain/ledger/index.ts";
import {
  type ChainState,
  emptyChain,
  emptyFacts,
  emptyRuleState,
  holderOfEntryId,
  type LateSum,
  type LedgerEntry,
  lateSums,
  type RuleState,
  seqOfEntryId,
} from "../../domain/ledger/index.ts";
import { batchGet, type Found, type Item, type Key } from "./batch-get.ts";
import { isRetryableDynamoError } from "./client.ts";
import type { DefinitionVersionsObserver } from "./definition-store.ts";
import { keys, withoutKeys } from "./keys.ts";
import { listingMoveItems } from "./stores/held-award-store.ts";

const peoplePerBatchGet = 33;
const batchGetsInFlight = 8;
const personKeys = (personId: PersonId): Key[] => [keys.person(personId), keys.head(personAccount(personId)), keys.facts(personId)];

const collectionOf = (item: Item | undefined): Collection | undefined =>
  item ? { collectedAt: item.collectedAt as string, collectedBy: item.collectedBy as PersonId } : undefined;

const maxTransactionItems = 100;
/** Checkpoints bound an `asOf` read to one checkpoint and at most this many entries after it. */
export const checkpointEvery = 50;

/** A write's idempotency record alone (ledger table), strongly consistent: the ledger's and the fund's writes check a refusal against it. */
export async function readIdempotency(
  db: DynamoDBDocumentClient,
  ledger: string,
  ref: IdempotencyRef,
): Promise<IdempotencyRecord | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: ledger, Key: keys.idempotency(ref.scope, ref.key), ConsistentRead: true }));
  return Item ? withoutKeys<IdempotencyRecord>(Item) : undefined;
}

export class DynamoLedgerStore implements LedgerStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;
  /** The company's time zone: which day an entry happened and was recorded (late entries). */
  readonly #timeZone: string;
  readonly #definitions: DefinitionVersionsObserver | undefined;

  /**
   * With `definitions`, the reads of a person or an event also read the definitions' versions (in
   * the same round trip, consistently) and hand them over, so that the definitions the request
   * then uses are current without a read of their own.
   */
  constructor(
    db: DynamoDBDocumentClient,
    tableNames: { ledger: string; state: string },
    definitions?: DefinitionVersionsObserver,
    timeZone = defaultTimeZone,
  ) {
    this.#db = db;
    this.#ledger = tableNames.ledger;
    this.#state = tableNames.state;
    this.#definitions = definitions;
    this.#timeZone = timeZone;
  }

  /** A batch read whose state-table part carries the definitions' versions along, if wanted. */
  async #readState(stateKeys: Key[], ledgerKeys: Key[]): Promise<Found> {
    const versions = this.#definitions?.wantsVersions ? this.#definitions.versionsKey : undefined;
    const read = batchGet(
      this.#db,
      {
        ...(ledgerKeys.length ? { [this.#ledger]: ledgerKeys } : {}),
        ...(stateKeys.length || versions ? { [this.#state]: [...stateKeys, ...(versions ? [versions] : [])] } : {}),
      },
      { consistent: versions ? [this.#state] : false },
    );
    if (versions) this.#definitions?.carrying(read.then((found) => found.get(this.#state, versions)));
    return read;
  }

  async readPerson(personId: PersonId, idempotency?: IdempotencyRef): Promise<PersonSnapshot> {
    const idemKey = idempotency ? keys.idempotency(idempotency.scope, idempotency.key) : undefined;
    const found = await this.#readState(personKeys(personId), idemKey ? [idemKey] : []);
    const idem = idemKey ? found.get(this.#ledger, idemKey) : undefined;
    return { ...this.#person(found, personId), idempotency: idem ? withoutKeys<IdempotencyRecord>(idem) : undefined };
  }

  readIdempotency(ref: IdempotencyRef): Promise<IdempotencyRecord | undefined> {
    return readIdempotency(this.#db, this.#ledger, ref);
  }

  /** Many people's profile, head and facts: 33 people to a BatchGetItem (its limit is 100 keys), a few in flight. */
  async readPeople(personIds: readonly PersonId[]): Promise<Map<PersonId, PersonSnapshot>> {
    const unique = [...new Set(personIds)];
    const chunks = Array.from({ length: Math.ceil(unique.length / peoplePerBatchGet) }, (_, i) =>
      unique.slice(i * peoplePerBatchGet, (i + 1) * peoplePerBatchGet),
    );
    const snapshots = new Map<PersonId, PersonSnapshot>();
    await mapLimit(chunks, batchGetsInFlight, async (chunk) => {
      const found = await batchGet(this.#db, { [this.#state]: chunk.flatMap(personKeys) });
      for (const personId of chunk) snapshots.set(personId, { ...this.#person(found, personId), idempotency: undefined });
    });
    return snapshots;
  }

  async readEntries(entryIds: readonly EntryId[]): Promise<Map<EntryId, EntrySnapshot>> {
    const wanted = entryIds.flatMap((entryId) => {
      const holder = holderOfEntryId(entryId);
      return holder
        ? [
            {
              entryId,
              entryKey: keys.entry(holder, seqOfEntryId(entryId)),
              markerKey: keys.reversal(entryId),
              collectionKey: keys.collection(entryId),
            },
          ]
        : [];
    });
    const snapshots = new Map<EntryId, EntrySnapshot>();
    if (wanted.length === 0) return snapshots;
    const found = await batchGet(this.#db, { [this.#ledger]: wanted.flatMap((w) => [w.entryKey, w.markerKey, w.collectionKey]) });
    for (const { entryId, entryKey, markerKey, collectionKey } of wanted) {
      const entry = found.get(this.#ledger, entryKey);
      const marker = found.get(this.#ledger, markerKey);
      snapshots.set(entryId, {
        entry: entry ? withoutKeys<LedgerEntry>(entry) : undefined,
        reversedBy: marker ? (marker.reversedBy as EntryId) : undefined,
        collected: collectionOf(found.get(this.#ledger, collectionKey)),
      });
    }
    return snapshots;
  }

  /** The hand-over of each redemption on a history page, in one more round trip when the page has any. */
  async #withCollections(entries: LedgerEntry[]): Promise<HistoryEntry[]> {
    const redemptions = entries.filter((entry) => entry.kind === "redemption");
    if (redemptions.length === 0) return entries;
    const found = await batchGet(this.#db, { [this.#ledger]: redemptions.map((entry) => keys.collection(entry.entryId)) });
    return entries.map((entry) => {
      const collected = entry.kind === "redemption" ? collectionOf(found.get(this.#ledger, keys.collection(entry.entryId))) : undefined;
      return collected ? { ...entry, collected } : entry;
    });
  }

  async readEvent(sourceId: string, eventId: string, people: readonly PersonId[]): Promise<EventSnapshot> {
    const recordKey = keys.event(sourceId, eventId);
    const markerKey = keys.retraction(sourceId, eventId);
    const found = await this.#readState(people.flatMap(personKeys), [recordKey, markerKey]);
    const record = found.get(this.#ledger, recordKey);
    const marker = found.get(this.#ledger, markerKey);
    return {
      record: record ? withoutKeys<EventRecord>(record) : undefined,
      retractedBy: marker ? (marker.retractedBy as string) : undefined,
      people: new Map(people.map((personId) => [personId, { ...this.#person(found, personId), idempotency: undefined }])),
    };
  }

  async readEvents(sourceId: string, eventIds: readonly string[], people: readonly PersonId[]) {
    const versions = this.#definitions?.wantsVersions ? this.#definitions.versionsKey : undefined;
    const wanted = [
      // First, so that it goes in the first chunk, whose state part is then read consistently.
      ...(versions ? [{ table: this.#state, key: versions }] : []),
      ...[...new Set(eventIds)].map((eventId) => ({ table: this.#ledger, key: keys.event(sourceId, eventId) })),
      ...[...new Set(people)].flatMap((personId) => personKeys(personId).map((key) => ({ table: this.#state, key }))),
    ];
    // BatchGetItem takes 100 keys: the chunks go out together.
    const chunks = Array.from({ length: Math.ceil(wanted.length / 100) }, (_, i) => wanted.slice(i * 100, i * 100 + 100));
    const reads = chunks.map((chunk, i) => {
      const request: Record<string, Key[]> = {};
      for (const { table, key } of chunk) request[table] = [...(request[table] ?? []), key];
      return batchGet(this.#db, request, { consistent: versions && i === 0 ? [this.#state] : false });
    });
    if (versions) this.#definitions?.carrying((reads[0] as (typeof reads)[number]).then((first) => first.get(this.#state, versions)));
    const answers = await Promise.all(reads);
    const found: Found = { get: (table, key) => answers.map((answer) => answer.get(table, key)).find((item) => item !== undefined) };
    const records = new Map<string, EventRecord>();
    for (const eventId of eventIds) {
      const record = found.get(this.#ledger, keys.event(sourceId, eventId));
      if (record) records.set(eventId, withoutKeys<EventRecord>(record));
    }
    return {
      records,
      people: new Map(people.map((personId) => [personId, { ...this.#person(found, personId), idempotency: undefined }])),
    };
  }

  #person(found: Found, personId: PersonId): Omit<PersonSnapshot, "idempotency"> {
    const [profileKey, headKey, factsKey] = personKeys(personId) as [Key, Key, Key];
    const head = found.get(this.#state, headKey);
    const facts = found.get(this.#state, factsKey);
    const profile = found.get(this.#state, profileKey);
    const holder = personAccount(personId);
    return {
      person: profile ? withoutKeys<Person>(profile) : undefined,
      chain: head
        ? {
            holder,
            seq: head.seq as number,
            headHash: head.headHash as string,
            balances: head.balances as ChainState["balances"],
            badgeEntries: (head.badgeEntries as ChainState["badgeEntries"] | undefined) ?? {},
          }
        : emptyChain(holder),
      ruleState: (head?.ruleState as RuleState | undefined) ?? emptyRuleState(),
      facts: facts
        ? { measures: facts.measures as PersonFacts["measures"], penalties: facts.penalties as PersonFacts["penalties"] }
        : emptyFacts(),
      headVersion: (head?.version as number | undefined) ?? 0,
    };
  }

  async append({ chains, records, absent = [], counters = [], documents = [], facts = [], redemptions = [] }: AppendWrite): Promise<void> {
    const putOnce = (Item: Item) => ({ Put: { TableName: this.#ledger, Item, ConditionExpression: "attribute_not_exists(pk)" } });
    const items = [
      ...chains.flatMap(({ entries }) => entries.map((entry) => putOnce({ ...keys.entry(entry.holder, entry.seq), ...entry }))),
      ...records.map((record) => putOnce(this.#onceItem(record))),
      // A budget's held award posted: the approvers' list moves with its ending.
      ...records.flatMap((record) =>
        record.kind === "held-settled" && record.listing ? listingMoveItems(this.#state, record.settled, record.listing) : [],
      ),
      ...absent.map((record) => ({
        ConditionCheck: {
          TableName: this.#ledger,
          Key: record.kind === "reversal" ? keys.reversal(record.entryId) : keys.collection(record.entryId),
          ConditionExpression: "attribute_not_exists(pk)",
        },
      })),
      // Every so many entries, the chain's state as of its last entry: what `asOf` reads start from.
      ...chains.flatMap(({ before, after, entries }) => {
        const last = entries.at(-1);
        return last && Math.floor(before.seq / checkpointEvery) < Math.floor(after.seq / checkpointEvery)
          ? [putOnce({ ...keys.checkpoint(after.holder, last.recordedAt, after.seq), ...after, recordedAt: last.recordedAt })]
          : [];
      }),
      ...facts.map(({ personId, facts: f }) => ({ Put: { TableName: this.#state, Item: { ...keys.facts(personId), ...f } } })),
      ...chains.map(({ after, ruleState, headVersion, attributes }) => ({
        Put: {
          TableName: this.#state,
          Item: { ...attributes, ...keys.head(after.holder), ...after, ruleState, version: headVersion + 1 },
          // Optimistic concurrency: the head must still be the one the change was computed from.
          ...(headVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "version = :version", ExpressionAttributeValues: { ":version": headVersion } }),
        },
      })),
      ...counters.map((counter) => counterUpdate(this.#state, counter)),
      ...chains.flatMap(({ entries }) => lateSums(entries, this.#timeZone).map((sum) => lateUpdate(this.#state, sum))),
      ...documents.flatMap((document) => (document.kind === "claim" ? [this.#waitingClaim(document)] : [])),
      ...redemptions.map(({ personId, seq, body, from }) => ({
        Put: {
          TableName: this.#state,
          Item: { ...body, ...keys.redemption(personId, seq) },
          ...(from === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "attribute_not_exists(pk) OR #status = :from",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":from": from },
              }),
        },
      })),
      ...documents.map(({ kind, id, owner, version, body }) => ({
        Put: {
          TableName: this.#state,
          Item: {
            ...body,
            ...(kind === "claim" ? { ...keys.claim(id), ...keys.claimByOwner(owner, id) } : keys.bounty(id)),
            kind,
            version,
          },
          ...(version === 1
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "version = :version", ExpressionAttributeValues: { ":version": version - 1 } }),
        },
      })),
    ];
    if (items.length > maxTransactionItems) {
      throw new DomainError(
        "too-large",
        "too-many-entries",
        `One write may carry at most ${maxTransactionItems} items; this one needs ${items.length}.`,
      );
    }
    try {
      await this.#db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (isRetryableDynamoError(error)) throw new ContentionError("append lost a race or was throttled", { cause: error });
      throw error;
    }
  }

  /**
   * A claim's place in the approvers' queue follows the claim: there while it is pending, gone once
   * it is settled. The claim's own write in the same transaction is conditioned on its version,
   * which is what serialises these.
   */
  #waitingClaim({ id, version, body }: DocumentWrite) {
    const key = keys.waitingClaim(body.createdAt as string, id);
    if (body.status !== "pending") return { Delete: { TableName: this.#state, Key: key } };
    return {
      Put: {
        TableName: this.#state,
        Item: { ...body, ...key, version },
        ...(version === 1 ? { ConditionExpression: "attribute_not_exists(pk)" } : {}),
      },
    };
  }

  #onceItem(record: OnceRecord): Item {
    switch (record.kind) {
      case "idempotency":
        return { ...keys.idempotency(record.record.scope, record.record.key), ...record.record };
      case "reversal":
        return { ...keys.reversal(record.entryId), reversedBy: record.reversedBy, recordedAt: record.recordedAt };
      case "collection":
        return { ...keys.collection(record.entryId), collectedAt: record.collectedAt, collectedBy: record.collectedBy };
      case "event":
        return { ...keys.event(record.record.sourceId, record.record.eventId), ...record.record };
      case "retraction":
        return { ...keys.retraction(record.sourceId, record.eventId), retractedBy: record.retractedBy, recordedAt: record.recordedAt };
      case "measure":
        return {
          ...keys.measure(record.personId, record.measure.eventType, record.recordedAt, record.measure.eventId),
          ...record.measure,
          recordedAt: record.recordedAt,
        };
      case "penalty":
        return {
          ...keys.penalty(record.personId, record.penalty.occurredAt, record.penalty.entryId),
          ...record.penalty,
          recordedAt: record.recordedAt,
        };
      case "settlement":
        return { ...keys.settlement(record.claimId), outcome: record.outcome, entryIds: record.entryIds, recordedAt: record.recordedAt };
      case "claim-step":
        return { ...record.body, ...keys.claimStep(record.claimId, record.step), claimId: record.claimId, step: record.step };
      case "bounty-step":
        return { ...record.body, ...keys.bountyStep(record.bountyId, record.step), bountyId: record.bountyId, step: record.step };
      case "held-settled": {
        const { personId, sourceId, eventId } = record.settled;
        return { ...keys.heldSettled(personId, sourceId, eventId), ...record.settled };
      }
      case "held":
        return { ...record.body, ...keys.heldAward(record.personId, record.sourceId, record.eventId) };
      case "imported": {
        const { kind: _kind, ...marker } = record;
        return { ...keys.imported(record.system, record.recordId), ...marker };
      }
    }
  }

  readCounters(names: readonly string[]): Promise<Map<string, number>> {
    return readCounters(this.#db, this.#state, names);
  }

  async readHistory(holder: AccountId, limit: number, cursor?: string): Promise<Page<HistoryEntry>> {
    const start = cursor === undefined ? undefined : decodeCursor(cursor);
    const result = await this.#db.send(
      new QueryCommand({
        TableName: this.#ledger,
        KeyConditionExpression:
          start === undefined ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk AND sk BETWEEN :prefix AND :before",
        ExpressionAttributeValues: {
          ":pk": keys.chain(holder),
          ":prefix": keys.entryPrefix,
          ...(start === undefined ? {} : { ":before": keys.entry(holder, start - 1).sk }),
        },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const items = await this.#withCollections((result.Items ?? []).map((item) => withoutKeys<LedgerEntry>(item)));
    const last = items.at(-1);
    return { items, cursor: result.LastEvaluatedKey && last && last.seq > 1 ? encodeCursor(last.seq) : undefined };
  }

  async *readChain(holder: AccountId): AsyncIterable<LedgerEntry> {
    let startKey: Item | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#ledger,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.chain(holder), ":prefix": keys.entryPrefix },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield withoutKeys<LedgerEntry>(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

/** Counters by name (0 when absent), 100 to a consistent BatchGetItem. */
export async function readCounters(db: DynamoDBDocumentClient, state: string, names: readonly string[]): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  if (names.length === 0) return values;
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const found = await batchGet(db, { [state]: chunk.map((name) => keys.counter(name)) }, { consistent: true });
    for (const name of chunk) values.set(name, (found.get(state, keys.counter(name))?.value as number | undefined) ?? 0);
  }
  return values;
}

/** ADD delta to a counter, on condition that the result stays within [min, max]. */
function counterUpdate(table: string, { counter, delta, min, max }: CounterUpdate) {
  const conditions: string[] = [];
  const values: Record<string, number> = { ":delta": delta };
  if (max !== undefined) {
    conditions.push("(attribute_not_exists(#value) AND :delta <= :max) OR #value <= :maxBefore");
    Object.assign(values, { ":max": max, ":maxBefore": max - delta });
  }
  if (min !== undefined) {
    conditions.push("(attribute_not_exists(#value) AND :delta >= :min) OR #value >= :minBefore");
    Object.assign(values, { ":min": min, ":minBefore": min - delta });
  }
  return {
    Update: {
      TableName: table,
      Key: keys.counter(counter),
      UpdateExpression: "ADD #value :delta",
      ExpressionAttributeNames: { "#value": "value" },
      ExpressionAttributeValues: values,
      ...(conditions.length ? { ConditionExpression: conditions.map((c) => `(${c})`).join(" AND ") } : {}),
    },
  };
}

/**
 * ADD a late sum to its (person, day happened, day recorded) item: one attribute `d:<asset>` per
 * balance moved, `e:<asset>` naming the entry of a badge level. Sums commute, so concurrent
 * writers need no condition; the chain heads in the same transaction order them anyway.
 */
function lateUpdate(table: string, sum: LateSum) {
  const names: Record<string, string> = { "#o": "occurredDay", "#r": "recordedDay", "#p": "personId" };
  const values: Record<string, unknown> = { ":o": sum.occurredDay, ":r": sum.recordedDay, ":p": sum.personId };
  const adds: string[] = [];
  const sets = ["#o = :o", "#r = :r", "#p = :p"];
  for (const [index, [asset, delta]] of Object.entries(sum.deltas).entries()) {
    names[`#d${index}`] = `d:${asset}`;
    values[`:d${index}`] = delta;
    adds.push(`#d${index} :d${index}`);
  }
  for (const [index, [asset, entryId]] of Object.entries(sum.badgeEntries).entries()) {
    names[`#e${index}`] = `e:${asset}`;
    values[`:e${index}`] = entryId;
    sets.push(`#e${index} = :e${index}`);
  }
  return {
    Update: {
      TableName: table,
      Key: keys.late(sum.personId, sum.occurredDay, sum.recordedDay),
      UpdateExpression: `SET ${sets.join(", ")} ADD ${adds.join(", ")}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** A late-sum item read back (functions/dynamo/eligibility-store.ts). */
export function lateSumOf(item: Record<string, unknown>): LateSum {
  const sum: LateSum = {
    personId: item.personId as LateSum["personId"],
    occurredDay: item.occurredDay as string,
    recordedDay: item.recordedDay as string,
    deltas: {},
    badgeEntries: {},
  };
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith("d:")) sum.deltas[name.slice(2) as keyof LateSum["deltas"]] = value as number;
    if (name.startsWith("e:")) sum.badgeEntries[name.slice(2) as keyof LateSum["badgeEntries"]] = value as EntryId;
  }
  return sum;
}

/** Cursors are opaque to clients; inside, the sequence number the next page starts below. */
function encodeCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^v1:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw new DomainError("invalid", "invalid-cursor", "The cursor is not one this API gave out; start again without it.");
  return Number(match[1]);
}

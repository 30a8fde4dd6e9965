/**
 * Leaderboard aggregates on DynamoDB (state table), written by the projector only.
 *
 * | item                         | pk                                  | sk            |
 * |------------------------------|-------------------------------------|---------------|
 * | a person's points in a period| LB#PERSON#<personId>                | P#<periodKey> |
 * | an org unit's, in a period   | LB#UNIT#<orgUnitId>#<periodKey>#<shard> | AGG       |
 * | a person's preferences       | PREFS#<personId>                    | PREFS         |
 *
 * A person's period item also names the boards the person is on: `lb<level>` is
 * B#<unit>#<periodKey>#<shard> for their org unit at each level below the group (up to
 * `keys.boardIndexLevels`), and the state table's index of that name holds each board's people and
 * points: a board of a thousand people is one Query of small index entries, not a thousand reads. A
 * person whose unit changed moves to their new boards with their next entry of the period. An org
 * unit's aggregate is a partition per period; a unit just below the group (the largest) splits its
 * aggregates and boards in `keys.boardShards` shards, a person's entries always in the same one, so
 * that no partition is written by all of a large unit's people; reads sum them.
 *
 * periodKey: 2026-W49, 2026-11, 2026-Q4, 2026 or all. An aggregate holds `points`, one
 * `p:<capability>` attribute per capability seen and `entries`, changed with ADD; a person's also
 * `through`, the highest seq of their chain it has taken.
 *
 * Exactly once, a stream batch at a time (domain/leaderboards/batches.ts): each item is written
 * once per batch with the sum of the batch's entries for it. A person's week, month, quarter and
 * year items are plain conditional UpdateItems (`through` below the first entry taken); the
 * person's all-time item and their org units' items go in one TransactWriteItems, the all-time
 * item's `through` guarding the units too. A failed condition means some of those entries were
 * taken before (a replay, a retried batch): the item's `through` is read and only the entries after
 * it are written. Each person's aggregates are their own partition, and every unit's theirs; the
 * root unit has none (see domain/leaderboards/boards.ts), so no single item is written by every
 * event in the company. Items written before `through` existed take the next entries as new.
 * Markers of the earlier per-entry scheme (LB#APPLIED#<entryId>) are no longer read or written.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Capability, capabilities, type OrgUnitId, type PersonId, personAccount } from "../../domain/kernel/model.ts";
import {
  type Aggregate,
  type AggregateChange,
  type AggregateDelta,
  type AggregateWriter,
  aggregateKey,
  byChain,
  combine,
  type EntryProjection,
  type LeaderboardStore,
  type Preferences,
  type Scored,
  untaken,
} from "../../domain/leaderboards/index.ts";
import { batchGet } from "./batch-get.ts";
import { isRetryableDynamoError, queryAll } from "./client.ts";
import { keys, withoutKeys } from "./keys.ts";

type Key = { pk: string; sk: string };
type Item = Record<string, unknown>;
/** A person item's `through` as known here: undefined until read, -1 when the item has none. */
type Through = number | undefined;

const maxTransactionItems = 100;
const maxAttempts = 6;
const capabilityAttribute = (capability: Capability) => `p:${capability}`;

/** The item of a change: a person's, or the shard of a unit's that the contributing people's entries go to. */
const keyOf = (delta: Pick<AggregateDelta, "subject" | "periodKey">, shard = 0): Key =>
  delta.subject.kind === "person"
    ? keys.boardPerson(delta.subject.id, delta.periodKey)
    : keys.boardUnit(delta.subject.id, delta.periodKey, shard);

const boardAttribute = (level: number) => `lb${level}`;

/**
 * The boards a person's period item is on: the index attribute of each level below the group, set
 * to the person's unit at that level, or removed where the person has no unit at that level.
 */
function boardsOf(projection: EntryProjection, periodKey: string): { set: Item; remove: string[] } {
  const levels = projection.units.toReversed();
  const set: Item = {};
  const remove: string[] = [];
  for (let level = 1; level <= keys.boardIndexLevels; level++) {
    const unit = levels[level - 1];
    if (unit) set[boardAttribute(level)] = keys.boardIndex(unit, periodKey, keys.boardShardOf(projection.personId, level));
    else remove.push(boardAttribute(level));
  }
  return { set, remove };
}

const personPeriodItem = (delta: AggregateDelta) => delta.subject.kind === "person" && delta.period !== "all";
const personAllTimeItem = (delta: AggregateDelta) => delta.subject.kind === "person" && delta.period === "all";
const unitItem = (delta: AggregateDelta) => delta.subject.kind === "unit";

export function aggregateOf(item: Item): Aggregate {
  const byCapability: Partial<Record<Capability, number>> = {};
  for (const capability of capabilities) {
    const value = item[capabilityAttribute(capability)];
    if (typeof value === "number") byCapability[capability] = value;
  }
  return { points: typeof item.points === "number" ? item.points : 0, byCapability };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
const conditionFailed = (error: unknown) => error instanceof Error && error.name === "ConditionalCheckFailedException";

/** The shard of a unit's aggregate that a person's entries go to: by the unit's level, from the person's newest entry. */
const unitShard = (chain: readonly EntryProjection[], personId: PersonId, unitId: string): number => {
  const units = chain.at(-1)?.units ?? [];
  return keys.boardShardOf(personId, units.length - units.indexOf(unitId as OrgUnitId));
};

/** The changes chains make to units' aggregates, combined per item and shard. */
function unitChanges(chains: { personId: PersonId; entries: EntryProjection[] }[]): { change: AggregateChange; shard: number }[] {
  const items = new Map<string, { change: AggregateChange; shard: number }>();
  for (const { personId, entries } of chains) {
    for (const change of combine(entries, unitItem)) {
      const shard = unitShard(entries, personId, change.subject.id);
      const key = `${aggregateKey(change)}#${shard}`;
      const known = items.get(key);
      if (!known) {
        items.set(key, { change, shard });
        continue;
      }
      known.change.points += change.points;
      known.change.entries += change.entries;
      for (const [capability, points] of Object.entries(change.byCapability) as [Capability, number][]) {
        known.change.byCapability[capability] = (known.change.byCapability[capability] ?? 0) + points;
      }
    }
  }
  return [...items.values()];
}

/** The condition on a person item: it has taken none of the entries from `firstSeq` on. */
function guard(through: Through, firstSeq: number): { expression: string; values: Item } {
  if (through === undefined) return { expression: "attribute_not_exists(#through) OR #through < :first", values: { ":first": firstSeq } };
  if (through < 0) return { expression: "attribute_not_exists(#through)", values: {} };
  return { expression: "#through = :known", values: { ":known": through } };
}

/**
 * An UpdateItem's parameters adding `change` to its item (a unit's: its `shard`); for a person's,
 * moving `through` under `condition` and naming the person's `boards`.
 */
function updateOf(
  table: string,
  change: AggregateChange,
  person?: { condition: { expression: string; values: Item }; boards: { set: Item; remove: string[] } },
  shard = 0,
) {
  const condition = person?.condition;
  const boards = Object.keys(person?.boards.set ?? {});
  const removed = person?.boards.remove ?? [];
  const capabilityNames = Object.keys(change.byCapability) as Capability[];
  const set = [
    "#subject = :subject",
    "#period = :period",
    "#periodKey = :periodKey",
    ...(condition ? ["#through = :through"] : []),
    ...boards.map((name) => `#${name} = :${name}`),
  ];
  const add = ["#points :points", "#entries :entries", ...capabilityNames.map((_, i) => `#c${i} :c${i}`)];
  return {
    TableName: table,
    Key: keyOf(change, shard),
    UpdateExpression: `SET ${set.join(", ")} ADD ${add.join(", ")}${removed.length ? ` REMOVE ${removed.map((name) => `#${name}`).join(", ")}` : ""}`,
    ...(condition ? { ConditionExpression: condition.expression } : {}),
    ExpressionAttributeNames: {
      "#subject": "subject",
      "#period": "period",
      "#periodKey": "periodKey",
      "#points": "points",
      "#entries": "entries",
      ...(condition ? { "#through": "through" } : {}),
      ...Object.fromEntries([...boards, ...removed].map((name) => [`#${name}`, name])),
      ...Object.fromEntries(capabilityNames.map((capability, i) => [`#c${i}`, capabilityAttribute(capability)])),
    },
    ExpressionAttributeValues: {
      ":subject": `${change.subject.kind}:${change.subject.id}`,
      ":period": change.period,
      ":periodKey": change.periodKey,
      ":points": change.points,
      ":entries": change.entries,
      ...(condition ? { ":through": change.throughSeq, ...condition.values } : {}),
      ...Object.fromEntries(boards.map((name) => [`:${name}`, person?.boards.set[name]])),
      ...Object.fromEntries(capabilityNames.map((capability, i) => [`:c${i}`, change.byCapability[capability]])),
    },
  };
}

/**
 * People in groups whose all-time items and units' items fit one transaction (units shared in a
 * group are written once).
 */
function transactionGroups(chains: Map<PersonId, EntryProjection[]>): PersonId[][] {
  const groups: { people: PersonId[]; items: Set<string> }[] = [];
  for (const [personId, chain] of chains) {
    const units = unitChanges([{ personId, entries: chain }]).map(({ change, shard }) => `${aggregateKey(change)}#${shard}`);
    const current = groups.at(-1);
    const added = units.filter((unit) => !current?.items.has(unit)).length + 1;
    if (!current || current.items.size + added > maxTransactionItems) {
      if (units.length + 1 > maxTransactionItems) throw new Error(`${personId}'s entries change ${units.length} org unit aggregates`);
      groups.push({ people: [personId], items: new Set([personId, ...units]) });
    } else {
      current.people.push(personId);
      for (const item of [personId, ...units]) current.items.add(item);
    }
  }
  return groups.map((group) => group.people);
}

export class DynamoLeaderboardStore implements LeaderboardStore, AggregateWriter {
  readonly #db: DynamoDBDocumentClient;
  readonly #state: string;

  constructor(db: DynamoDBDocumentClient, stateTable: string) {
    this.#db = db;
    this.#state = stateTable;
  }

  async applyBatch(projections: readonly EntryProjection[]): Promise<{ applied: number; alreadyApplied: number }> {
    const chains = byChain(projections);
    const periodItems = [...chains.values()].flatMap((chain) => {
      const touching = new Map<string, EntryProjection[]>();
      for (const projection of chain) {
        for (const delta of projection.deltas.filter(personPeriodItem)) {
          const key = aggregateKey(delta);
          touching.set(key, [...(touching.get(key) ?? []), projection]);
        }
      }
      return [...touching].map(([key, taking]) => this.#applyToPersonItem(key, taking));
    });
    let applied = 0;
    await Promise.all([
      ...periodItems,
      (async () => {
        // One group after another: groups share org units' items, and concurrent transactions on them would conflict.
        for (const people of transactionGroups(chains)) applied += await this.#applyShared(people, chains);
      })(),
    ]);
    const total = [...chains.values()].reduce((sum, chain) => sum + chain.length, 0);
    return { applied, alreadyApplied: total - applied };
  }

  /** A person's week, month, quarter or year item: the entries it has not taken yet, in one UpdateItem. */
  async #applyToPersonItem(key: string, projections: EntryProjection[]): Promise<void> {
    let through: Through;
    for (let attempt = 1; ; attempt++) {
      const pending = untaken(projections, through);
      const [change] = combine(pending, (delta) => aggregateKey(delta) === key);
      if (!change || !pending[0]) return;
      try {
        const person = { condition: guard(through, pending[0].seq), boards: boardsOf(pending.at(-1) ?? pending[0], change.periodKey) };
        await this.#db.send(new UpdateCommand(updateOf(this.#state, change, person)));
        return;
      } catch (error) {
        if (attempt >= maxAttempts || !(conditionFailed(error) || isRetryableDynamoError(error))) throw error;
        if (conditionFailed(error)) through = (await this.#throughs([keyOf(change)]))[0];
        else await backoff(attempt);
      }
    }
  }

  /** The all-time items of `people` and the units' items their entries change, in one transaction; answers the entries taken. */
  async #applyShared(people: PersonId[], chains: Map<PersonId, EntryProjection[]>): Promise<number> {
    const through = new Map<PersonId, Through>();
    for (let attempt = 1; ; attempt++) {
      const pending = people
        .map((personId) => ({ personId, entries: untaken(chains.get(personId) ?? [], through.get(personId)) }))
        .filter((chain) => chain.entries.length > 0);
      if (pending.length === 0) return 0;
      const own = pending.map(({ personId, entries }) => {
        const change = combine(entries, personAllTimeItem)[0] as AggregateChange;
        const newest = entries.at(-1) as EntryProjection;
        const person = { condition: guard(through.get(personId), entries[0]?.seq ?? 0), boards: boardsOf(newest, change.periodKey) };
        return { personId, update: updateOf(this.#state, change, person) };
      });
      const units = unitChanges(pending).map(({ change, shard }) => updateOf(this.#state, change, undefined, shard));
      try {
        await this.#db.send(
          new TransactWriteCommand({
            TransactItems: [...own.map((item) => item.update), ...units].map((update) => ({ Update: update })),
          }),
        );
        return pending.reduce((sum, chain) => sum + chain.entries.length, 0);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryableDynamoError(error)) throw error;
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        const taken = own.filter((_, i) => reasons[i]?.Code === "ConditionalCheckFailed");
        if (taken.length === 0) {
          // A concurrent transaction on the same unit item, a throttle, a timeout: the same write again is safe.
          await backoff(attempt);
          continue;
        }
        const read = await this.#throughs(taken.map(({ update }) => update.Key));
        for (const [i, { personId }] of taken.entries()) through.set(personId, read[i]);
      }
    }
  }

  /** The `through` of person items, read strongly consistent (a transient fault read again); -1 for an item without one. */
  async #throughs(itemKeys: Key[]): Promise<number[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const found = await batchGet(this.#db, { [this.#state]: itemKeys }, { consistent: true });
        return itemKeys.map((key) => {
          const value = found.get(this.#state, key)?.through;
          return typeof value === "number" ? value : -1;
        });
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryableDynamoError(error)) throw error;
        await backoff(attempt);
      }
    }
  }

  async aggregates(kind: "person" | "unit", ids: readonly string[], periodKey: string): Promise<Map<string, Aggregate>> {
    const shards = kind === "person" ? [0] : Array.from({ length: keys.boardShards }, (_, shard) => shard);
    const keysOf = (id: string) =>
      kind === "person"
        ? [keys.boardPerson(id, periodKey)]
        : [...shards.map((shard) => keys.boardUnit(id, periodKey, shard)), keys.boardUnitBeforeShards(id, periodKey)];
    const items = await this.#batchGet(ids.flatMap(keysOf));
    const found = new Map<string, Aggregate>();
    for (const id of ids) {
      const parts = keysOf(id).flatMap((key): Item[] => {
        const item = items.get(keyString(key));
        return item ? [item] : [];
      });
      if (parts.length > 0) found.set(id, sumOf(parts.map(aggregateOf)));
    }
    return found;
  }

  async standings(unitId: OrgUnitId, level: number, periodKey: string): Promise<Scored[] | undefined> {
    if (level < 1 || level > keys.boardIndexLevels) return undefined;
    const shards = await Promise.all(
      Array.from({ length: keys.boardShardsAt(level) }, (_, shard) =>
        queryAll(this.#db, {
          TableName: this.#state,
          IndexName: boardAttribute(level),
          KeyConditionExpression: "#board = :board",
          ExpressionAttributeNames: { "#board": boardAttribute(level) },
          ExpressionAttributeValues: { ":board": keys.boardIndex(unitId, periodKey, shard) },
        }),
      ),
    );
    return shards.flat().map((item) => ({ id: keys.boardPersonOf(String(item.pk)), score: Number(item.points ?? 0) }));
  }

  async badges(personIds: readonly PersonId[]): Promise<Map<PersonId, string[]>> {
    const keyFor = (id: PersonId) => keys.head(personAccount(id));
    const items = await this.#batchGet(personIds.map(keyFor), "pk, sk, balances");
    const found = new Map<PersonId, string[]>();
    for (const id of personIds) {
      const balances = (items.get(keyString(keyFor(id)))?.balances ?? {}) as Record<string, number>;
      found.set(
        id,
        Object.entries(balances)
          .filter(([asset, amount]) => asset.startsWith("badge:") && amount > 0)
          .map(([asset]) => asset),
      );
    }
    return found;
  }

  async preferences(personIds: readonly PersonId[]): Promise<Map<PersonId, Preferences>> {
    const items = await this.#batchGet(personIds.map((id) => keys.preferences(id)));
    const found = new Map<PersonId, Preferences>();
    for (const id of personIds) {
      const item = items.get(keyString(keys.preferences(id)));
      if (item) found.set(id, withoutKeys<Preferences>(item));
    }
    return found;
  }

  async putPreferences(preferences: Preferences): Promise<void> {
    await this.#db.send(new PutCommand({ TableName: this.#state, Item: { ...keys.preferences(preferences.personId), ...preferences } }));
  }

  /** BatchGetItem in chunks of 100, unprocessed keys retried with backoff. */
  async #batchGet(wanted: readonly Key[], projection?: string): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Map(wanted.map((key) => [keyString(key), key])).values()];
    const chunks: Key[][] = [];
    for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Key[] = chunk;
        for (let attempt = 1; pending.length > 0; attempt++) {
          const { Responses, UnprocessedKeys } = await this.#db.send(
            new BatchGetCommand({
              RequestItems: {
                [this.#state]: {
                  Keys: pending,
                  ...(projection ? { ProjectionExpression: projection } : {}),
                },
              },
            }),
          );
          for (const item of Responses?.[this.#state] ?? []) found.set(keyString(item as Key), item);
          pending = (UnprocessedKeys?.[this.#state]?.Keys ?? []) as Key[];
          if (pending.length > 0) {
            if (attempt >= maxAttempts) throw new Error("DynamoDB left keys unprocessed after retries");
            await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
          }
        }
      }),
    );
    return found;
  }
}

const keyString = (key: Key) => `${key.pk}\u0000${key.sk}`;

/** The shards of a unit's aggregate, summed. */
function sumOf(parts: Aggregate[]): Aggregate {
  const sum: Aggregate = { points: 0, byCapability: {} };
  for (const part of parts) {
    sum.points += part.points;
    for (const [capability, points] of Object.entries(part.byCapability) as [Capability, number][]) {
      sum.byCapability[capability] = (sum.byCapability[capability] ?? 0) + points;
    }
  }
  return sum;
}

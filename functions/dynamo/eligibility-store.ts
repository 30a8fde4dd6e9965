/**
 * What an eligibility check reads, on DynamoDB. Now: the person's profile, chain head and facts
 * in one BatchGetItem (LedgerStore.readPerson). As of the end of a past day: the newest chain
 * checkpoint written by then, the few entries after it recorded by then, the measures and
 * penalties recorded by then, and the reversal markers of those penalties: a handful of reads
 * whatever the length of the history.
 *
 * | item              | table  | pk                  | sk                                  |
 * |-------------------|--------|---------------------|-------------------------------------|
 * | chain checkpoint  | ledger | CKPT#<holder>       | <recordedAt>#<seq, 12 digits>        |
 * | measure           | ledger | MEASURE#<personId>  | <eventType>#<recordedAt>#<eventId>  |
 * | penalty           | ledger | PENALTY#<personId>  | <occurredAt>#<entryId>              |
 */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Person } from "../../domain/directory/index.ts";
import type { EligibilityStore, PastFacts } from "../../domain/gates/index.ts";
import type { AuditRecord } from "../../domain/kernel/audit.ts";
import { ContentionError } from "../../domain/kernel/errors.ts";
import { type PersonId, personAccount } from "../../domain/kernel/model.ts";
import type { Page } from "../../domain/kernel/ports.ts";
import {
  type AsOfClock,
  applyEntry,
  type ChainState,
  emptyChain,
  type LedgerEntry,
  type Measure,
  type Penalty,
  withLateEntries,
} from "../../domain/ledger/index.ts";
import type { AuditLog } from "./audit-log.ts";
import { keys, withoutKeys } from "./keys.ts";
import { type DynamoLedgerStore, lateSumOf } from "./ledger-store.ts";

export class DynamoEligibilityStore implements EligibilityStore {
  readonly #db: DynamoDBDocumentClient;
  readonly #ledger: string;
  readonly #state: string;
  readonly #store: DynamoLedgerStore;
  readonly #audit: AuditLog;

  constructor(db: DynamoDBDocumentClient, tables: { ledger: string; state: string }, store: DynamoLedgerStore, audit: AuditLog) {
    this.#db = db;
    this.#ledger = tables.ledger;
    this.#state = tables.state;
    this.#store = store;
    this.#audit = audit;
  }

  now(personId: PersonId) {
    return this.#store.readPerson(personId);
  }

  nowMany(personIds: readonly PersonId[]) {
    return this.#store.readPeople(personIds);
  }

  async asOf(
    personId: PersonId,
    at: { day: string; cutoff: string; clock: AsOfClock },
    measureTypes: readonly string[],
    penaltiesSince: string,
  ): Promise<PastFacts> {
    const { cutoff } = at;
    const knownNow = at.clock === "known-now";
    const [profile, chain, late, measures, penalties] = await Promise.all([
      this.#db.send(new GetCommand({ TableName: this.#state, Key: keys.person(personId) })),
      this.#chainAsOf(personId, cutoff),
      knownNow ? this.#lateBy(personId, at.day) : [],
      Promise.all(measureTypes.map((type) => this.#measureAsOf(personId, type, cutoff))),
      this.#penaltiesAsOf(personId, penaltiesSince, cutoff, knownNow ? "\uffff" : cutoff),
    ]);
    return {
      person: profile.Item ? withoutKeys<Person>(profile.Item) : undefined,
      chain: knownNow ? withLateEntries(chain, late, at.day) : chain,
      measures: measures.filter((m): m is Measure => m !== undefined),
      penalties,
    };
  }

  audit(record: AuditRecord): Promise<void> {
    return this.#audit.append(record);
  }

  auditTrail(window: { from: string; to: string }, limit: number, cursor?: string): Promise<Page<AuditRecord>> {
    return this.#audit.trail(window, limit, cursor);
  }

  /** The newest checkpoint recorded by the cutoff, then its chain's entries up to the cutoff. */
  async #chainAsOf(personId: PersonId, cutoff: string): Promise<ChainState> {
    const holder = personAccount(personId);
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#ledger,
        KeyConditionExpression: "pk = :pk AND sk <= :cutoff",
        ExpressionAttributeValues: { ":pk": keys.checkpointPartition(holder), ":cutoff": `${cutoff}#~` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const checkpoint = Items?.[0];
    let state: ChainState = checkpoint ? { ...emptyChain(holder), ...withoutKeys<ChainState>(checkpoint) } : emptyChain(holder);
    let startKey: Record<string, unknown> | undefined = state.seq > 0 ? { ...keys.entry(holder, state.seq) } : undefined;
    for (;;) {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#ledger,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.chain(holder), ":prefix": keys.entryPrefix },
          ExclusiveStartKey: startKey,
          Limit: 100,
        }),
      );
      for (const item of page.Items ?? []) {
        const entry = withoutKeys<LedgerEntry>(item);
        if (entry.recordedAt > cutoff) return state;
        state = applyEntry(state, entry);
      }
      if (!page.LastEvaluatedKey) return state;
      startKey = page.LastEvaluatedKey;
    }
  }

  async #measureAsOf(personId: PersonId, type: string, cutoff: string): Promise<Measure | undefined> {
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#ledger,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": keys.measurePartition(personId), ":from": `${type}#`, ":to": `${type}#${cutoff}#~` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return Items?.[0] ? withoutKeys<Measure>(Items[0]) : undefined;
  }

  /**
   * The late sums of entries that happened by the end of `day` (one item per pair of days, so one
   * page for years of imported history): what "known now" adds to the chain known then.
   */
  async #lateBy(personId: PersonId, day: string) {
    const sums = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#db.send(
        new QueryCommand({
          TableName: this.#state,
          KeyConditionExpression: "pk = :pk AND sk <= :to",
          ExpressionAttributeValues: { ":pk": keys.latePartition(personId), ":to": `${day}#~` },
          ExclusiveStartKey: startKey,
        }),
      );
      sums.push(...(page.Items ?? []).map(lateSumOf));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return sums;
  }

  /**
   * Penalties that happened in the window by the cutoff, recorded and not reversed by `knownBy`:
   * the cutoff itself (as known then) or the end of time (everything known now).
   */
  async #penaltiesAsOf(personId: PersonId, since: string, cutoff: string, knownBy: string): Promise<Penalty[]> {
    const { Items } = await this.#db.send(
      new QueryCommand({
        TableName: this.#ledger,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": keys.penaltyPartition(personId), ":from": since, ":to": `${cutoff}#~` },
      }),
    );
    const known = (Items ?? []).filter((item) => (item.recordedAt as string) <= knownBy).map((item) => withoutKeys<Penalty>(item));
    if (known.length === 0) return [];
    const markers = await this.#db.send(
      new BatchGetCommand({ RequestItems: { [this.#ledger]: { Keys: known.map((p) => keys.reversal(p.entryId as never)) } } }),
    );
    if (Object.keys(markers.UnprocessedKeys ?? {}).length > 0) throw new ContentionError("reversal markers came back unprocessed");
    const reversedBy = new Map(
      (markers.Responses?.[this.#ledger] ?? []).map((m) => [(m.pk as string).slice("REVERSED#".length), m.recordedAt as string]),
    );
    return known.filter((p) => {
      const at = reversedBy.get(p.entryId);
      return at === undefined || at > knownBy;
    });
  }
}

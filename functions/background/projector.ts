/**
 * Lambda: the leaderboard projector, fed by the ledger table's stream (NEW_IMAGE). Each inserted
 * ledger entry that moves a person's points is applied to that person's and their org units'
 * per-period aggregates, exactly once (see functions/dynamo/leaderboard-store.ts). Each inserted
 * event record is kept in the event log by the time the event happened (functions/dynamo/stores/
 * event-log-store.ts), what replays read. Every other item of the ledger table is ignored.
 *
 * A batch's entries are combined and each aggregate item written once (functions/dynamo/
 * leaderboard-store.ts). A malformed record and every record after it are answered as failed
 * (`batchItemFailures`), the records before it applied; if the combined write fails, the whole
 * batch is. Lambda retries from there, bisecting, a bounded number of times, then sends the
 * batch's description to the dead-letter queue. Retried records that were already applied are
 * no-ops. Locally scripts/local/stream-poller.ts calls this same handler.
 */
import middy from "@middy/core";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { RuleDefinition } from "../../domain/awards/index.ts";
import type { Directory, Person } from "../../domain/directory/index.ts";
import { type IntegrityDeps, integritySettings, watch } from "../../domain/integrity/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import { defaultTimeZone } from "../../domain/kernel/periods.ts";
import type { AggregateWriter } from "../../domain/leaderboards/index.ts";
import { aggregateUnits, projectEntry } from "../../domain/leaderboards/index.ts";
import type { EventLog, EventRecord, LedgerEntry } from "../../domain/ledger/index.ts";
import { createDocumentClient, patiently } from "../dynamo/client.ts";
import { DynamoDefinitionStore } from "../dynamo/definition-store.ts";
import { DynamoDirectory } from "../dynamo/directory-store.ts";
import { DynamoLeaderboardStore } from "../dynamo/leaderboard-store.ts";
import { DynamoEventLog } from "../dynamo/stores/event-log-store.ts";
import { DynamoObservationStore } from "../dynamo/stores/integrity-store.ts";
import { DynamoReviewStore } from "../dynamo/stores/review-store.ts";
import { tableName } from "../dynamo/tables.ts";
import { createLogger, type Logger, observe } from "../http/log.ts";
import { eventRecordOf, personEntryOf } from "../notify/ledger-records.ts";

export interface ProjectorDeps {
  writer: AggregateWriter;
  /** The anti-gaming detectors (domain/integrity), run on the same records: no third reader of the stream. */
  integrity: IntegrityDeps;
  events: Pick<EventLog, "keep">;
  directory: Pick<Directory, "orgTree"> & { people(ids: readonly PersonId[]): Promise<Map<PersonId, Person>> };
  timeZone: string;
  log: Logger;
}

/** The lowest and highest sequence numbers of the records taken: what the detectors' counts are kept once under. */
function rangeOf(records: readonly DynamoDBRecord[]): { from: string; to: string } {
  const sequences = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? "0")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { from: String(sequences[0] ?? 0n), to: String(sequences.at(-1) ?? 0n) };
}

/** The person's entry or event record a record inserts, or undefined for what the projector ignores; throws on a malformed entry. */
function insertedOf(record: DynamoDBRecord): { entry: LedgerEntry } | { event: EventRecord } | undefined {
  const event = eventRecordOf(record);
  if (event) return { event };
  const entry = personEntryOf(record);
  return entry ? { entry } : undefined;
}

export function createProjector(deps: ProjectorDeps) {
  const failedFrom = (records: DynamoDBRecord[], index: number): DynamoDBBatchResponse => ({
    batchItemFailures: records.slice(index).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? "" })),
  });

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const personEntries: LedgerEntry[] = [];
    const events: EventRecord[] = [];
    let malformed: number | undefined;
    for (const [index, record] of event.Records.entries()) {
      try {
        const inserted = insertedOf(record);
        if (inserted && "entry" in inserted) personEntries.push(inserted.entry);
        if (inserted && "event" in inserted) events.push(inserted.event);
      } catch (error) {
        deps.log.error("record not projected", {
          error,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          retriedFromHere: event.Records.length - index,
        });
        malformed = index;
        break;
      }
    }
    try {
      // The records before a malformed one are applied; it and those after it are retried.
      // Fund chains carry money, never points: only people's chains can move points.
      const entries = personEntries.filter((entry) => entry.asset.startsWith("point:"));
      const holders = entries.map((entry) => entry.holder.slice("person:".length) as PersonId);
      const [tree, people] = await patiently(() => Promise.all([deps.directory.orgTree(), deps.directory.people(holders)]));
      const projections = entries.flatMap((entry, i) => {
        const projection = projectEntry(entry, aggregateUnits(tree, people.get(holders[i] as PersonId)?.orgUnitId), deps.timeZone);
        return projection ? [projection] : [];
      });
      const [{ applied, alreadyApplied }, , flags] = await Promise.all([
        deps.writer.applyBatch(projections),
        deps.events.keep(events),
        watch(deps.integrity, { events, entries: personEntries, range: rangeOf(event.Records.slice(0, malformed)) }),
      ]);
      deps.log.info("batch projected", {
        records: event.Records.length,
        entries: projections.length,
        events: events.length,
        applied,
        alreadyApplied,
        flags: flags.length,
      });
    } catch (error) {
      // Which items of a combined write landed is not known here: the whole batch is retried, and what landed is a no-op.
      deps.log.error("batch not projected", { error, records: event.Records.length });
      return failedFrom(event.Records, 0);
    }
    return malformed === undefined ? { batchItemFailures: [] } : failedFrom(event.Records, malformed);
  };
}

const db = createDocumentClient("projector");
const state = tableName("state");
const log = createLogger("projector");

// The org tree is kept while its counter stands, read again for each batch: a transfer's next points go to the new units.
const versions = new DynamoDefinitionStore(db, state);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(observe(log))
  .before(() => versions.newRequest())
  .handler(
    createProjector({
      writer: new DynamoLeaderboardStore(db, state),
      events: new DynamoEventLog(db, state),
      directory: new DynamoDirectory(db, { state, ledger: tableName("ledger") }, versions),
      integrity: {
        observations: new DynamoObservationStore(db, { state, ledger: tableName("ledger") }),
        reviews: new DynamoReviewStore(db, state),
        rules: async () => (await versions.list<RuleDefinition>("rule")).map((rule) => ({ ...rule.body, id: rule.id })),
        settings: { ...integritySettings(process.env.INTEGRITY), timeZone: process.env.TIME_ZONE ?? defaultTimeZone },
      },
      timeZone: process.env.TIME_ZONE ?? defaultTimeZone,
      log,
    }),
  );

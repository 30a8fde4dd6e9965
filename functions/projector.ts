/**
 * Lambda: the leaderboard projector, fed by the ledger table's stream (NEW_IMAGE). Each inserted
 * ledger entry that moves a person's points is applied to that person's and their org units'
 * per-period aggregates, exactly once (see functions/dynamo/leaderboard-store.ts); every other
 * item of the ledger table (idempotency records, event records, markers) is ignored.
 *
 * Records are applied in order. At the first record that fails, the answer names it and every
 * record after it (`batchItemFailures`): Lambda retries from there, bisecting, a bounded number
 * of times, then sends the batch's description to the dead-letter queue. Retried records that
 * were already applied are no-ops. Locally scripts/local/stream-poller.ts calls this same handler.
 */
import middy from "@middy/core";
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { Directory, Person } from "../domain/directory/index.ts";
import type { PersonId } from "../domain/kernel/model.ts";
import type { Clock } from "../domain/kernel/ports.ts";
import type { AggregateWriter } from "../domain/leaderboards/index.ts";
import { aggregateUnits, projectEntry } from "../domain/leaderboards/index.ts";
import type { LedgerEntry } from "../domain/ledger/index.ts";
import { createDocumentClient } from "./dynamo/client.ts";
import { DynamoDirectory } from "./dynamo/directory-store.ts";
import { keys } from "./dynamo/keys.ts";
import { DynamoLeaderboardStore } from "./dynamo/leaderboard-store.ts";
import { tableName } from "./dynamo/tables.ts";
import { createLogger, type Logger, observe } from "./http/log.ts";

/** A stream image (DynamoDB JSON) as a plain value. */
export function fromAttributeValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return fromImage(value.M);
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map(Number);
  throw new Error("unsupported attribute type in a stream image");
}

export const fromImage = (image: Record<string, AttributeValue>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, fromAttributeValue(value)]));

function entryOf(image: Record<string, unknown>): LedgerEntry {
  const { pk: _pk, sk: _sk, ...entry } = image;
  const e = entry as Partial<LedgerEntry>;
  if (
    typeof e.entryId !== "string" ||
    typeof e.holder !== "string" ||
    typeof e.asset !== "string" ||
    typeof e.amount !== "number" ||
    typeof e.from !== "string" ||
    typeof e.to !== "string" ||
    typeof e.occurredAt !== "string" ||
    Number.isNaN(Date.parse(e.occurredAt))
  ) {
    throw new Error("a ledger entry in the stream lacks entryId, holder, asset, amount, from, to or a valid occurredAt");
  }
  return entry as unknown as LedgerEntry;
}

export type RecordOutcome = "applied" | "already-applied" | "ignored";

export interface ProjectorDeps {
  writer: AggregateWriter;
  directory: Pick<Directory, "orgTree" | "person">;
  timeZone: string;
  clock: Clock;
  log: Logger;
}

export function createProjector(deps: ProjectorDeps) {
  async function projectRecord(record: DynamoDBRecord, people: Map<PersonId, Promise<Person | undefined>>): Promise<RecordOutcome> {
    // Entries are only ever inserted; the ledger is append-only.
    if (record.eventName !== "INSERT") return "ignored";
    const pk = record.dynamodb?.Keys?.pk?.S ?? "";
    const sk = record.dynamodb?.Keys?.sk?.S ?? "";
    // Fund chains carry money, never points: only people's chains can move points.
    if (!pk.startsWith(keys.chain("person:")) || !sk.startsWith(keys.entryPrefix)) return "ignored";
    const image = record.dynamodb?.NewImage;
    if (!image) throw new Error("a ledger entry record has no NewImage: the stream must have the NEW_IMAGE view");
    const entry = entryOf(fromImage(image));
    if (!entry.holder.startsWith("person:") || !entry.asset.startsWith("point:")) return "ignored";
    const personId = entry.holder.slice("person:".length) as PersonId;
    let person = people.get(personId);
    if (!person) {
      person = deps.directory.person(personId);
      people.set(personId, person);
    }
    const [tree, found] = await Promise.all([deps.directory.orgTree(), person]);
    const projection = projectEntry(entry, aggregateUnits(tree, found?.orgUnitId), deps.timeZone);
    if (!projection) return "ignored";
    return deps.writer.apply(projection, deps.clock.now().toISOString());
  }

  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const people = new Map<PersonId, Promise<Person | undefined>>();
    const counts: Record<RecordOutcome, number> = { applied: 0, "already-applied": 0, ignored: 0 };
    for (const [index, record] of event.Records.entries()) {
      try {
        counts[await projectRecord(record, people)] += 1;
      } catch (error) {
        const failed = event.Records.slice(index);
        deps.log.error("record not projected", {
          error,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          retriedFromHere: failed.length,
          ...counts,
        });
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? "" })) };
      }
    }
    deps.log.info("batch projected", { records: event.Records.length, ...counts });
    return { batchItemFailures: [] };
  };
}

const db = createDocumentClient("projector");
const state = tableName("state");
const log = createLogger("projector");

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(observe(log))
  .handler(
    createProjector({
      writer: new DynamoLeaderboardStore(db, state),
      directory: new DynamoDirectory(db, state, { orgTreeTtlMs: Number(process.env.ORG_TREE_TTL_MS ?? 30_000) }),
      timeZone: process.env.TIME_ZONE ?? "Asia/Shanghai",
      clock: { now: () => new Date() },
      log,
    }),
  );

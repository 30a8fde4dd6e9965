/**
 * Items of the ledger table as its stream (NEW_IMAGE) carries them: people's chain entries for
 * the leaderboard projector and the notifier, event records for the projector's event log, claim
 * history steps for the notifier. Records of
 * other items are undefined; a malformed one throws, so that its batch is retried and alarmed.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import type { ClaimStep } from "../../domain/fund/index.ts";
import type { PersonId } from "../../domain/kernel/model.ts";
import type { EventRecord, LedgerEntry } from "../../domain/ledger/index.ts";
import type { BudgetHeld, ReviewOpened } from "../../domain/notifications/index.ts";
import { keys } from "../dynamo/keys.ts";

function entryOf(image: Record<string, unknown>): LedgerEntry {
  const { pk: _pk, sk: _sk, ...entry } = image;
  const e = entry as Partial<LedgerEntry>;
  if (
    typeof e.entryId !== "string" ||
    typeof e.holder !== "string" ||
    typeof e.seq !== "number" ||
    typeof e.asset !== "string" ||
    typeof e.amount !== "number" ||
    typeof e.from !== "string" ||
    typeof e.to !== "string" ||
    typeof e.occurredAt !== "string" ||
    Number.isNaN(Date.parse(e.occurredAt))
  ) {
    throw new Error("a ledger entry in the stream lacks entryId, holder, seq, asset, amount, from, to or a valid occurredAt");
  }
  return entry as unknown as LedgerEntry;
}

/** The new item of an inserted record whose keys pass `wanted`; the ledger is append-only, so only inserts count. */
function insertedImage(record: DynamoDBRecord, wanted: (pk: string, sk: string) => boolean): Record<string, unknown> | undefined {
  if (record.eventName !== "INSERT") return undefined;
  if (!wanted(record.dynamodb?.Keys?.pk?.S ?? "", record.dynamodb?.Keys?.sk?.S ?? "")) return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error("a ledger record has no NewImage: the stream must have the NEW_IMAGE view");
  // aws-lambda's and the SDK's AttributeValue types describe the same DynamoDB JSON.
  return unmarshall(image as Record<string, AttributeValue>);
}

/** Whether a record's keys are an entry of a person's chain: the event filter of both stream consumers. */
export const isPersonEntry = (pk: string, sk: string) => pk.startsWith(keys.chain("person:")) && sk.startsWith(keys.entryPrefix);

/** The entry a record inserts into a person's chain, or undefined. */
export function personEntryOf(record: DynamoDBRecord): LedgerEntry | undefined {
  const image = insertedImage(record, isPersonEntry);
  return image ? entryOf(image) : undefined;
}

export const isClaimStep = (pk: string) => pk.startsWith(keys.claimLog(""));

/** The claim history step a record inserts, or undefined. */
export function claimStepOf(record: DynamoDBRecord): ClaimStep | undefined {
  const image = insertedImage(record, isClaimStep);
  if (!image) return undefined;
  const { pk: _pk, sk: _sk, ...step } = image;
  if (typeof step.claimId !== "string" || typeof step.step !== "number" || typeof step.action !== "string") {
    throw new Error("a claim step in the stream lacks claimId, step or action");
  }
  return step as unknown as ClaimStep;
}

/** A review item as opened (functions/dynamo/stores/review-store.ts), or undefined. */
export function reviewOpenedOf(record: DynamoDBRecord): ReviewOpened | undefined {
  const image = insertedImage(record, (pk) => pk.startsWith(keys.reviewLogPrefix));
  if (!image) return undefined;
  const { pk: _pk, sk: _sk, ...item } = image;
  if (typeof item.flagId !== "string" || !Array.isArray(item.people) || typeof item.raisedAt !== "string") {
    throw new Error("an opened review item in the stream lacks flagId, people or raisedAt");
  }
  return item as unknown as ReviewOpened;
}

/** An award a budget held for approval (its pointer under the budget, held-award-store.ts), or undefined. */
export function budgetHeldOf(record: DynamoDBRecord): BudgetHeld | undefined {
  const image = insertedImage(record, (pk) => pk.startsWith(keys.budgetHeldPrefix));
  if (!image) return undefined;
  const { pk, sk, personId, sourceId, eventId } = image;
  if (typeof personId !== "string" || typeof sourceId !== "string" || typeof eventId !== "string") {
    throw new Error("a budget's held award in the stream lacks personId, sourceId or eventId");
  }
  const budgetId = (pk as string).slice(keys.budgetHeldPrefix.length);
  return { budgetId, personId: personId as PersonId, sourceId, eventId, heldAt: (sk as string).split("#")[0] as string };
}

/** Whether a record's keys are what the notifier reads: its event filter (lib/constructs/notifications.ts). */
export const isNotified = (pk: string, sk: string) =>
  isPersonEntry(pk, sk) || isClaimStep(pk) || pk.startsWith(keys.reviewLogPrefix) || pk.startsWith(keys.budgetHeldPrefix);

/** The event record a record inserts (kept for replays, docs/ARCHITECTURE.md "Kept events"), or undefined. */
export function eventRecordOf(record: DynamoDBRecord): EventRecord | undefined {
  const image = insertedImage(record, (pk) => pk.startsWith(keys.eventPrefix));
  if (!image) return undefined;
  const { pk: _pk, sk: _sk, ...event } = image;
  return event as unknown as EventRecord;
}

/**
 * Chaos: thousands of random operations (webhook events and their re-deliveries, admin awards,
 * deductions, reversals, retractions) while DynamoDB throttles, cancels transactions and times out
 * before and after writes; the client retries the same request as a real one does. Afterwards,
 * with the faults off: nothing lost (every accepted answer is in the ledger, exactly as answered),
 * nothing counted twice (every entry belongs to exactly one accepted answer), refusals left no
 * trace, and every ledger invariant holds. CHAOS_SEED replays a run, CHAOS_OPS makes it longer.
 */
import { isDeepStrictEqual } from "node:util";
import { GetCommand, paginateScan } from "@aws-sdk/lib-dynamodb";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, describe, expect, it, onTestFailed, onTestFinished, vi } from "vitest";
import { OrgTree, type OrgUnit } from "../../domain/directory/index.ts";
import { observeCredit, observeEvent, retractedContents, worthKeeping } from "../../domain/integrity/index.ts";
import { capabilities, type OrgUnitId, type PersonId } from "../../domain/kernel/model.ts";
import { defaultTimeZone, periodKey } from "../../domain/kernel/periods.ts";
import { aggregateUnits, foldProjections, projectEntry } from "../../domain/leaderboards/index.ts";
import type { EventRecord, LedgerEntry } from "../../domain/ledger/index.ts";
import { noticesOfEntries } from "../../domain/notifications/index.ts";
import { handler as projector } from "../../functions/background/projector.ts";
import { createDocumentClient, createDynamoClient, queryAll } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { DynamoLeaderboardStore } from "../../functions/dynamo/leaderboard-store.ts";
import { rebuildProjections } from "../../functions/dynamo/maintenance.ts";
import { DynamoObservationStore } from "../../functions/dynamo/stores/integrity-store.ts";
import { DynamoNotificationStore } from "../../functions/dynamo/stores/notification-store.ts";
import { DynamoReviewStore } from "../../functions/dynamo/stores/review-store.ts";
import { newSigningKey } from "../../functions/sign-in/token-keys.ts";
import { demoAdmin, demoOrgUnits, demoPeople } from "../../scripts/demo-data.ts";
import { dispatchJson } from "../../scripts/local/api.ts";
import { lambdaContext } from "../../scripts/local/lambda.ts";
import { LocalSqs } from "../../scripts/local/sqs.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import { startFakeDingTalk } from "../sign-in/dingtalk-fake.ts";

import { type ApiResponse, as, type Client, call } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { chaosSeed, FaultInjector, faultKinds, prng, streamSeed } from "../support/faults.ts";
import { fundLedgerProblems } from "../support/fund-invariants.ts";
import { ledgerProblems, revocationBits, storedChain } from "../support/invariants.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const seed = chaosSeed(20_250_611);
const totalOps = Number(process.env.CHAOS_OPS ?? 2000);
const parallel = 8;
const maxAttempts = 10;

const { admin, secrets } = await withDemoDefinitions();
// The notifier's delivery queue (deliveries are not sent here: test/notifications covers them).
const deliveryQueue = await LocalSqs.start();
afterAll(() => deliveryQueue.stop());
Object.assign(process.env, { SQS_ENDPOINT: deliveryQueue.endpoint, DELIVERY_QUEUE_URL: deliveryQueue.queueUrl });
const { handler: notifier } = await import("../../functions/background/notifier.ts");
const outboxStore = new DynamoNotificationStore(createDocumentClient(), tableNames.state);
const faults = new FaultInjector({ seed });
const restore = faults.install();
afterAll(() => restore());

const learning = "tianma-learning";
const oa = "tianma-oa";
const types = {
  course: "com.tianma.learning.course.completed",
  certification: "com.tianma.learning.certification.passed",
  progress: "com.tianma.learning.plan.progress",
  approval: "com.tianma.oa.approval.completed",
  meeting: "com.tianma.oa.meeting.held",
  bounty: "com.tianma.oa.bounty.closed",
};
const retractionType = "laurel.event.retracted";
const people = demoPeople.map((p) => p.personId).filter((id) => id !== demoAdmin);
const hot = people.slice(7, 12);
const teams = demoOrgUnits.filter((u) => u.kind === "team").map((u) => u.orgUnitId);

interface AwardView {
  personId: string;
  entryId: string;
  asset: string;
  amount: number;
  kind: "award" | "reversal";
}
interface EventAnswer {
  id: string | null;
  status: "accepted" | "duplicate" | "rejected" | "held";
  awards?: AwardView[];
  problem?: { status: number; code: string };
}

/** One event as the model knows it: its id within its source, what it was answered. */
interface EventModel {
  key: string;
  source: string;
  id: string;
  payload: Record<string, unknown>;
  retraction: boolean;
  /** The awards of the first accepted or duplicate answer; every later one must equal it. */
  awards?: AwardView[];
  refusals: string[];
}

/** An admin write (award, deduction, reversal, retraction) as the model knows it. */
interface WriteModel {
  label: string;
  marker: string;
  key: string;
  /** Whose entries these are: the write's label, or the event key of an admin retraction. */
  claimAs: string;
  entries?: { entryId: string; entry?: LedgerEntry; award?: AwardView }[];
  refusal?: string;
}

/**
 * A 500 names its cause in the failure: the functions, loaded after this (vitest hoists it above
 * the imports), log at ERROR, and the run keeps each "unhandled error" line. Their other error
 * lines (a faulted stream batch, retried) are what faults cause, and are not printed.
 */
vi.hoisted(() => {
  process.env.LOG_LEVEL = "ERROR";
});
const unhandledErrors: string[] = [];
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const line = String(chunk);
    if (!line.startsWith('{"level":"ERROR"')) return write(chunk, ...rest);
    if (line.includes('"unhandled error"')) unhandledErrors.push(line);
    return true;
  }) as typeof stream.write;
}
/**
 * The unhandled errors logged since the last call. Not matched by correlation id: requests run
 * side by side in this one process share each function's logger, whose correlation id is the
 * latest request's (in Lambda an instance serves one request at a time).
 */
function loggedCauses(): string {
  return unhandledErrors
    .splice(0)
    .map((line) => {
      const { function_name, error } = JSON.parse(line) as {
        function_name?: string;
        error?: { name?: string; message?: string; stack?: string };
      };
      return `${function_name}: ${
        error?.stack
          ?.split("\n")
          .filter((frame) => !/faults\.ts|node:internal|node_modules/.test(frame))
          .slice(0, 8)
          .join(" / ") ?? `${error?.name}: ${error?.message}`
      }`;
    })
    .join(" | ");
}
const events = new Map<string, EventModel>();
const writes = new Map<string, WriteModel>();
const entryPool: string[] = [];
const acceptedEvents: EventModel[] = [];
const awardsByKey: { key: string; body: Record<string, unknown>; marker: string; model: WriteModel }[] = [];
const violations: string[] = [];
const stats = { operations: 0, requests: 0, thrown: 0, retries503: 0, accepted: 0, refused: 0, unresolved: 0, settledLate: 0 };
const statuses = new Map<number, number>();

const eventKey = (source: string, id: string) => `${source}/${id}`;
const pause = (random: () => number) => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));

/** Every answer is checked on arrival: never a 500, a 503 says when to retry, errors are problems with a code. */
function observe(label: string, response: ApiResponse): void {
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  if (response.status >= 500 && response.status !== 503)
    violations.push(`${label}: ${response.status} ${JSON.stringify(response.body)}, logged: ${loggedCauses()}`);
  if (response.status === 503 && !response.headers["retry-after"]) violations.push(`${label}: 503 without retry-after`);
  if (response.status >= 400) {
    if (response.headers["content-type"] !== "application/problem+json" || typeof response.body?.code !== "string")
      violations.push(`${label}: ${response.status} is not a problem with a code: ${JSON.stringify(response.body)}`);
  }
  for (const result of (response.body?.results ?? []) as EventAnswer[]) {
    if (result.status === "rejected" && (result.problem?.status ?? 0) >= 500 && result.problem?.status !== 503)
      violations.push(`${label}: event ${result.id} rejected with ${JSON.stringify(result.problem)}`);
  }
}

/** An event answer that says "busy, retry later" rather than yes or no. */
const busy = (answer: EventAnswer | undefined) => answer?.status === "rejected" && answer.problem?.status === 503;

/**
 * Sends as a well-behaved client does: on a thrown error, a 503 or 429, or an event answered
 * "busy", the SAME request again (same Idempotency-Key, same webhook-id and events), a bounded
 * number of times. Retry-After is honoured as a short pause only, to keep the run fast.
 */
async function retrying(label: string, send: () => Promise<ApiResponse>): Promise<ApiResponse | undefined> {
  const random = prng(streamSeed(seed, `pause ${label}`));
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    stats.requests += 1;
    let response: ApiResponse;
    try {
      response = await faults.scope(`${label}#${attempt}`, send);
    } catch {
      stats.thrown += 1;
      await pause(random);
      continue;
    }
    observe(label, response);
    const answers = (response.body?.results ?? (response.body?.status ? [response.body] : [])) as EventAnswer[];
    if (response.status === 503 || response.status === 429 || answers.some(busy)) {
      stats.retries503 += 1;
      await pause(random);
      continue;
    }
    if (response.status >= 500) return undefined;
    return response;
  }
  return undefined;
}

/** A team under the retail operations unit, with people of the base tier in it. */
async function team(orgUnitId: string, name: string, people: readonly string[]): Promise<void> {
  expect((await admin.put(`/admin/org-units/${orgUnitId}`, { name, kind: "team", parentId: "retail-ops" })).status).toBe(200);
  for (const personId of people) {
    const put = await admin.put(`/admin/people/${personId}`, { name: personId, tier: "base", tierSince: "2025-01-01", orgUnitId });
    expect(put.status).toBe(200);
  }
}

/**
 * One passed course for each person, sent at once under faults; whatever the faults left
 * unanswered is asked again afterwards, the same event: written or not, its answer now.
 */
async function coursesUnderFaults(label: string, people: readonly string[]) {
  const secret = secrets[learning] as string;
  const payloads = people.map((personId) => cloudEvent(types.course, personId, { courseId: label, score: 90 }));
  const send = (i: number) => deliver(learning, payloads[i], { secret, id: `msg_${label.replaceAll("-", "_")}_${seed}_${i}` });
  const answers: (EventAnswer | undefined)[] = [];
  faults.enabled = true;
  try {
    await Promise.all(people.map(async (_, i) => (answers[i] = (await retrying(`${label}-${i}`, () => send(i)))?.body?.results?.[0])));
  } finally {
    faults.enabled = false;
  }
  for (const [i] of people.entries()) if (!answers[i] || busy(answers[i])) answers[i] = (await send(i)).body.results[0];
  return { payloads, answers };
}

type Operation = { label: string; run: () => Promise<boolean> };

function recordEventAnswer(model: EventModel, answer: EventAnswer | undefined, label: string): void {
  if (!answer) return;
  if (answer.status === "accepted" || answer.status === "duplicate") {
    const awards = answer.awards ?? [];
    if (!model.awards) {
      model.awards = awards;
      if (!model.retraction) acceptedEvents.push(model);
      for (const award of awards) entryPool.push(award.entryId);
    } else if (JSON.stringify(model.awards.map((a) => a.entryId)) !== JSON.stringify(awards.map((a) => a.entryId))) {
      violations.push(`${label}: event ${model.key} answered with other awards than before`);
    }
    stats.accepted += 1;
  } else {
    model.refusals.push(answer.problem?.code ?? "?");
    stats.refused += 1;
  }
}

/** Delivers events from one source (one, or a batch), retrying the same delivery. */
function delivery(label: string, source: string, models: EventModel[]): Operation {
  const batch = models.length > 1;
  const payload = batch ? models.map((m) => m.payload) : models[0]?.payload;
  const secret = secrets[source] as string;
  return {
    label,
    run: async () => {
      const response = await retrying(label, () => deliver(source, payload, { secret, id: `msg_${label}` }));
      if (!response) return false;
      if (response.status !== 200) {
        violations.push(`${label}: delivery answered ${response.status} ${JSON.stringify(response.body)}`);
        return true;
      }
      models.forEach((model, i) => {
        recordEventAnswer(model, response.body.results[i], label);
      });
      return true;
    },
  };
}

/** An admin write with an Idempotency-Key; its reason carries the operation's marker. */
function write(
  label: string,
  url: string,
  body: Record<string, unknown>,
  key: string,
  marker: string,
  options: { retraction?: EventModel; replayOf?: WriteModel } = {},
): Operation {
  const model: WriteModel = { label, marker, key, claimAs: options.retraction?.key ?? label };
  // A replay is judged against the write it replays, and answers for no entry of its own.
  if (!options.replayOf) writes.set(label, model);
  return {
    label,
    run: async () => {
      const response = await retrying(label, () => call("POST", url, { token: admin.token, body, headers: { "idempotency-key": key } }));
      if (!response) return false;
      if (options.retraction) {
        // The admin retraction answers 200 with the event's result, or a problem when refused.
        const answer =
          response.status === 200 ? (response.body as EventAnswer) : ({ status: "rejected", problem: response.body } as EventAnswer);
        recordEventAnswer(options.retraction, answer, label);
        if (response.status === 200) {
          model.entries = (response.body.awards as AwardView[]).map((award) => ({ entryId: award.entryId, award }));
        } else {
          model.refusal = response.body.problem?.code ?? response.body.code;
        }
        return true;
      }
      if (response.status === 201) {
        const entries = response.body.entries as LedgerEntry[];
        model.entries = entries.map((entry) => ({ entryId: entry.entryId, entry }));
        if (!options.replayOf) for (const entry of entries) entryPool.push(entry.entryId);
        stats.accepted += 1;
      } else {
        model.refusal = response.body.code;
        stats.refused += 1;
      }
      const original = options.replayOf;
      if (original && (original.entries || original.refusal !== undefined)) {
        const was = original.entries ? original.entries.map((e) => e.entryId).join() : `refused ${original.refusal}`;
        const is = model.entries ? model.entries.map((e) => e.entryId).join() : `refused ${model.refusal}`;
        // A refusal may be replaced by an acceptance (e.g. an overdraft once funds arrived); an acceptance is for ever.
        if (original.entries && was !== is) violations.push(`${label}: replay of ${key} answered ${is}, first ${was}`);
      }
      return true;
    },
  };
}

/** The next operation, drawn from the run's seed and what the model knows so far. */
function nextOperation(i: number, random: () => number): Operation {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const person = () => (random() < 0.5 ? pick(hot) : pick(people));
  const marker = `[chaos#${i}]`;
  const label = `op${i}`;
  const key = `chaos-${seed}-${i}`;
  const newEvent = (n: number): EventModel => {
    const id = `evt-${seed}-${i}-${n}`;
    const roll = random();
    let source = learning;
    let payload: Record<string, unknown>;
    if (roll < 0.35) {
      const score = random() < 0.1 ? pick(["high", 150, -1]) : int(40, 100);
      payload = cloudEvent(types.course, random() < 0.05 ? `ghost-${i}` : person(), { courseId: `c${int(1, 30)}`, score }, { id });
    } else if (roll < 0.45) {
      payload = cloudEvent(types.certification, person(), { level: int(1, 3) }, { id });
    } else if (roll < 0.5) {
      payload = cloudEvent(types.progress, person(), { completionRate: int(50, 100), onTimeRate: int(50, 100) }, { id });
    } else if (roll < 0.55) {
      // A type this source may not send.
      payload = cloudEvent(types.approval, person(), { online: true }, { id });
    } else {
      source = oa;
      const kind = random();
      if (kind < 0.6) payload = cloudEvent(types.approval, person(), { online: random() < 0.9 }, { id });
      else if (kind < 0.85) payload = cloudEvent(types.meeting, person(), { digital: random() < 0.9 }, { id });
      else payload = cloudEvent(types.bounty, undefined, { team: pick(teams), bountyId: `b${i}` }, { id });
    }
    const model: EventModel = { key: eventKey(source, id), source, id, payload, retraction: false, refusals: [] };
    events.set(model.key, model);
    return model;
  };

  const roll = random();
  if (roll < 0.3) {
    const first = newEvent(0);
    if (random() < 0.7) return delivery(label, first.source, [first]);
    // Batches are written together (one chain append per person per transaction): up to nine events, often the same people's.
    const batch = [first, ...Array.from({ length: int(1, 8) }, (_, n) => newEvent(n + 1))].filter((m) => m.source === first.source);
    return delivery(label, first.source, batch);
  }
  if (roll < 0.42 && events.size > 0) {
    // Re-delivery of an earlier event: the same content (a duplicate), or now and then the same id with other data.
    const known = [...events.values()].filter((m) => !m.retraction && (m.awards || m.refusals.length));
    const original = known.length ? pick(known) : undefined;
    if (original) {
      if (original.awards && random() < 0.2) {
        const reused: EventModel = {
          source: original.source,
          id: original.id,
          retraction: false,
          key: `${original.key}~${i}`,
          payload: { ...original.payload, data: { ...(original.payload.data as object), chaos: i } },
          refusals: [],
        };
        const operation = delivery(label, original.source, [reused]);
        return {
          label,
          run: async () => {
            const done = await operation.run();
            if (done && reused.awards) violations.push(`${label}: event ${original.key} re-sent with other data was accepted`);
            return done;
          },
        };
      }
      return delivery(label, original.source, [original]);
    }
  }
  if (roll < 0.62) {
    const target = random() < 0.05 ? demoAdmin : random() < 0.03 ? `ghost-${i}` : person();
    const body: Record<string, unknown> = { personId: target, reason: `award ${marker}` };
    const what = random();
    if (what < 0.15) body.badge = { badgeId: random() < 0.9 ? "certification" : "no-such-badge", level: int(1, 3) };
    else {
      if (what < 0.75) body.coins = int(1, 60);
      if (what > 0.5) body.points = { capability: pick(capabilities), amount: int(1, 40) };
    }
    const operation = write(label, "/awards", body, key, marker);
    awardsByKey.push({ key, body, marker, model: writes.get(label) as WriteModel });
    return operation;
  }
  if (roll < 0.66 && awardsByKey.length > 0) {
    // The same Idempotency-Key again: the same body is a replay, another body a 409.
    const earlier = pick(awardsByKey);
    if (random() < 0.7) return write(label, "/awards", earlier.body, earlier.key, earlier.marker, { replayOf: earlier.model });
    const other = { ...earlier.body, reason: `award again ${marker}`, coins: ((earlier.body.coins as number | undefined) ?? 0) + 1 };
    return write(label, "/awards", other, earlier.key, marker);
  }
  if (roll < 0.8) {
    const body: Record<string, unknown> = { personId: person(), reason: `deduction ${marker}` };
    if (random() < 0.7) body.coins = int(1, 80);
    else body.points = { capability: pick(["tool-operation", "efficient-execution", "data-assurance"]), amount: int(1, 40) };
    if (random() < 0.2) body.category = "red-warning";
    return write(label, "/deductions", body, key, marker);
  }
  if (roll < 0.92 && entryPool.length > 0) {
    const entryId = random() < 0.03 ? `person.${person()}.9999` : pick(entryPool);
    return write(label, `/ledger/${entryId}/reversal`, { reason: `reversal ${marker}` }, key, marker);
  }
  if (acceptedEvents.length > 0) {
    const target = pick(acceptedEvents);
    if (random() < 0.6) {
      const id = `retract-${seed}-${i}`;
      const payload = cloudEvent(retractionType, undefined, { eventId: target.id, reason: `retraction ${marker}` }, { id });
      const model: EventModel = { key: eventKey(target.source, id), source: target.source, id, payload, retraction: true, refusals: [] };
      events.set(model.key, model);
      return delivery(label, target.source, [model]);
    }
    const id = `admin-retraction-${key}`;
    const model: EventModel = { key: eventKey(target.source, id), source: target.source, id, payload: {}, retraction: true, refusals: [] };
    events.set(model.key, model);
    const url = `/admin/sources/${target.source}/events/${encodeURIComponent(target.id)}/retraction`;
    return write(label, url, { reason: `retraction ${marker}` }, key, marker, { retraction: model });
  }
  return delivery(label, learning, [newEvent(0)]);
}

/**
 * The leaderboard projector (or the notifier) under the same faults: the ledger's stream read by
 * `passes` pollers from its start (the first projects, the others replay everything), each
 * failed batch read again, as Lambda retries. Answers how many batches failed and were retried.
 */
async function projectStream(passes: number, consumer: "projector" | "notifier" = "projector"): Promise<number> {
  let failedBatches = 0;
  for (let pass = 0; pass < passes; pass++) {
    const poller = new StreamPoller({
      endpoint: process.env.DYNAMODB_ENDPOINT as string,
      client: createDynamoClient(),
      table: tableNames.ledger,
      handler: consumer === "projector" ? projector : (event) => notifier(event, lambdaContext("notifier")),
      batchSize: 20 + pass * 37,
    });
    try {
      let lastFailure: unknown;
      for (let polls = 0; ; polls++) {
        if (polls > 5_000) throw new Error(`the ${consumer} did not catch up with the stream`, { cause: lastFailure });
        try {
          if ((await poller.pollOnce()) === 0) break;
        } catch (error) {
          lastFailure = error;
          failedBatches += 1;
        }
      }
    } finally {
      await poller.stop();
    }
  }
  return failedBatches;
}

/** The accepted event records of the chaos sources, retractions left out. */
async function acceptedEventRecords(): Promise<EventRecord[]> {
  const records: EventRecord[] = [];
  for (const sourceId of [learning, oa]) {
    const pages = paginateScan(
      { client: createDocumentClient() },
      {
        TableName: tableNames.ledger,
        FilterExpression: "begins_with(pk, :event) AND attribute_not_exists(retracts)",
        ExpressionAttributeValues: { ":event": `EVENT#${sourceId}#` },
      },
    );
    for await (const page of pages) records.push(...((page.Items ?? []) as EventRecord[]));
  }
  return records;
}

/**
 * The observations the detectors hold against those they should: each credit from one person to
 * another kept (`missing` if not), and of events only the unusual ones, near a rule's threshold or
 * with content the person had retracted (`ordinary` if another was kept), as `person/key`.
 */
async function observationDifferences(entries: Iterable<LedgerEntry>): Promise<{ missing: string[]; ordinary: string[] }> {
  const credits = [...entries].flatMap(observeCredit);
  const events = (await acceptedEventRecords()).flatMap((record) => observeEvent(record, [], 0));
  const observations = new DynamoObservationStore(createDocumentClient(), tableNames);
  const held = new Set<string>();
  const ordinary: string[] = [];
  for (const personId of new Set([...credits, ...events].map((o) => o.personId))) {
    const kept = await observations.window(personId, "2000-01-01");
    for (const o of kept) held.add(`${o.personId}/${o.key}`);
    const retracted = retractedContents(kept);
    ordinary.push(...kept.filter((o) => !worthKeeping(o, retracted)).map((o) => `${o.personId}/${o.key}`));
  }
  return { missing: credits.map((o) => `${o.personId}/${o.key}`).filter((key) => !held.has(key)), ordinary };
}

/** Each source's daily counts (domain/integrity) against the accepted event records, as `source/day: counted ≠ accepted`. */
async function sourceCountDifferences(): Promise<string[]> {
  // The company's days (Asia/Shanghai unless the stage says otherwise), as the detectors count them.
  const timeZone = process.env.TIME_ZONE ?? defaultTimeZone;
  const records = (await acceptedEventRecords()).map((record) => `${record.sourceId}/${periodKey(record.recordedAt, "day", timeZone)}`);
  const accepted = Map.groupBy(records, (key) => key);
  const observations = new DynamoObservationStore(createDocumentClient(), tableNames);
  const differences: string[] = [];
  for (const sourceId of [learning, oa]) {
    const counted = await observations.sourceDays(sourceId, "2000-01-01");
    const days = new Set([
      ...counted.keys(),
      ...[...accepted.keys()].filter((k) => k.startsWith(`${sourceId}/`)).map((k) => k.split("/")[1]),
    ]);
    for (const day of days) {
      const expected = accepted.get(`${sourceId}/${day}`)?.length ?? 0;
      if (counted.get(day as string) !== expected) differences.push(`${sourceId}/${day}: ${counted.get(day as string)} ≠ ${expected}`);
    }
  }
  return differences;
}

/** The notices the entries call for against those in the outbox, by person and cause. */
async function outboxDifferences(entries: Iterable<LedgerEntry>) {
  const expected = new Set(noticesOfEntries([...entries], { awardAtLeast: 50 }).map((n) => `${n.personId}/${n.causeId}`));
  const outbox = (await Promise.all(demoPeople.map((p) => outboxStore.recent(p.personId as PersonId, "0")))).flat();
  const found = outbox.filter((n) => !n.causeId.startsWith("claim-step#")).map((n) => `${n.personId}/${n.causeId}`);
  return {
    missing: [...expected].filter((key) => !found.includes(key)),
    unexpected: found.filter((key, i) => !expected.has(key) || found.indexOf(key) !== i),
  };
}

/** Every stored aggregate that differs from the fold of the entries, as `key: stored ≠ expected`. */
async function aggregateDifferences(entries: Iterable<LedgerEntry>): Promise<string[]> {
  const tree = new OrgTree(demoOrgUnits as unknown as OrgUnit[]);
  const unitOf = new Map(demoPeople.map((p) => [p.personId, p.orgUnitId as OrgUnitId]));
  const projections = [...entries].flatMap((entry) => {
    const projection = projectEntry(entry, aggregateUnits(tree, unitOf.get(entry.holder.slice("person:".length))), "Asia/Shanghai");
    return projection ? [projection] : [];
  });
  const boards = new DynamoLeaderboardStore(createDocumentClient(), tableNames.state);
  const differences: string[] = [];
  for (const [key, expected] of foldProjections(projections)) {
    const [kind, id, periodKey] = key.split(":") as ["person" | "unit", string, string];
    const stored = (await boards.aggregates(kind, [id], periodKey)).get(id);
    if (!isDeepStrictEqual(stored, expected)) differences.push(`${key}: ${JSON.stringify(stored)} ≠ ${JSON.stringify(expected)}`);
  }
  return differences;
}

describe("chaos: DynamoDB faults under random traffic", () => {
  it(`${totalOps} operations: nothing lost, nothing counted twice, refusals leave no trace, never a 500`, async () => {
    onTestFailed(() => {
      console.error(`chaos seed ${seed} (replay with CHAOS_SEED=${seed} CHAOS_OPS=${totalOps})`);
    });
    const started = performance.now();
    const random = prng(streamSeed(seed, "operations"));
    const unresolved: Operation[] = [];

    faults.enabled = true;
    try {
      for (let start = 0; start < totalOps; start += parallel) {
        const group = Array.from({ length: Math.min(parallel, totalOps - start) }, (_, n) => nextOperation(start + n, random));
        const done = await Promise.all(group.map((operation) => operation.run()));
        group.forEach((operation, n) => {
          if (!done[n]) unresolved.push(operation);
        });
        stats.operations += group.length;
      }
    } finally {
      faults.enabled = false;
    }

    // What the client gave up on is sent again now, as a client does later: it must settle.
    stats.unresolved = unresolved.length;
    for (const operation of unresolved) {
      if (await operation.run()) stats.settledLate += 1;
      else violations.push(`${operation.label}: still unsettled with the faults off`);
    }

    // An admin retraction retried with its Idempotency-Key is the same request, whenever it comes.
    for (const model of events.values()) {
      if (model.id.startsWith("admin-retraction-") && model.refusals.includes("event-id-reused")) {
        violations.push(`${model.key}: an admin retraction's retry was refused as event-id-reused`);
      }
    }

    // Every entry of every demo person, and who answered for it.
    const chains = await Promise.all(demoPeople.map((p) => storedChain(p.personId)));
    const stored = new Map<string, LedgerEntry>();
    for (const chain of chains) for (const entry of chain.entries) stored.set(entry.entryId, entry);
    const claimedBy = new Map<string, string>();
    const claim = (entryId: string, by: string) => {
      const other = claimedBy.get(entryId);
      if (other !== undefined && other !== by) violations.push(`entry ${entryId} answered to both ${other} and ${by}`);
      claimedBy.set(entryId, by);
    };

    // Accepted events: their entries are exactly the awards they were answered with.
    const byEvent = new Map<string, LedgerEntry[]>();
    for (const entry of stored.values()) {
      if (entry.actor.kind !== "source") continue;
      const key = eventKey(entry.actor.sourceId, entry.actor.eventId);
      byEvent.set(key, [...(byEvent.get(key) ?? []), entry]);
    }
    let acceptedEventCount = 0;
    let refusedEventCount = 0;
    for (const model of events.values()) {
      const found = byEvent.get(model.key) ?? [];
      if (model.awards) {
        acceptedEventCount += 1;
        expect(found.map((e) => e.entryId).sort(), `entries of event ${model.key}`).toEqual(model.awards.map((a) => a.entryId).sort());
        for (const award of model.awards) {
          const entry = stored.get(award.entryId);
          expect(entry && { asset: entry.asset, amount: entry.amount }, `award ${award.entryId} of ${model.key}`).toEqual({
            asset: award.asset,
            amount: award.amount,
          });
          claim(award.entryId, model.key);
        }
      } else if (model.refusals.length > 0 && !model.key.includes("~")) {
        refusedEventCount += 1;
        expect(found, `entries of refused event ${model.key} (${model.refusals.join()})`).toEqual([]);
      }
    }

    // Admin writes: accepted ones are in the ledger exactly as answered, refused ones left no entry.
    const byMarker = new Map<string, LedgerEntry[]>();
    for (const entry of stored.values()) {
      for (const [marker] of entry.reason.matchAll(/\[chaos#\d+\]/g)) byMarker.set(marker, [...(byMarker.get(marker) ?? []), entry]);
    }
    let acceptedWrites = 0;
    let refusedWrites = 0;
    for (const model of writes.values()) {
      const marked = (byMarker.get(model.marker) ?? []).map((e) => e.entryId);
      if (model.entries) {
        acceptedWrites += 1;
        const answered = model.entries.map((e) => e.entryId);
        // Once per Idempotency-Key: every entry carrying the marker is one of the answer's, each once.
        expect(
          marked.filter((id) => !answered.includes(id)),
          `entries marked ${model.marker} not in its answer`,
        ).toEqual([]);
        expect(new Set(marked).size, `entries marked ${model.marker}`).toBe(marked.length);
        for (const { entryId, entry, award } of model.entries) {
          const found = stored.get(entryId);
          if (entry) expect(found, `entry ${entryId} of ${model.label}`).toEqual(entry);
          else expect(found && { asset: found.asset, amount: found.amount }).toEqual({ asset: award?.asset, amount: award?.amount });
          claim(entryId, model.claimAs);
        }
      } else if (model.refusal !== undefined) {
        refusedWrites += 1;
        expect(marked, `entries of refused ${model.label} (${model.refusal})`).toEqual([]);
      }
    }

    // Nothing in the ledger that no accepted answer accounts for.
    expect(
      [...stored.keys()].filter((id) => !claimedBy.has(id)),
      "entries no answer accounts for",
    ).toEqual([]);
    expect(violations).toEqual([]);
    expect(await ledgerProblems()).toEqual([]);

    // Rebuilding every projection from the ledger after the storm changes nothing.
    const heads = await Promise.all(demoPeople.map((p) => storedChain(p.personId).then((c) => c.projection)));
    const rebuild = await rebuildProjections(createDocumentClient(), tableNames);
    expect(rebuild).toEqual({ rebuilt: [], refused: [] });
    expect(await Promise.all(demoPeople.map((p) => storedChain(p.personId).then((c) => c.projection)))).toEqual(heads);

    // Each person's published revocation list, as a verifier reads it, sets exactly the bits of the
    // badge levels their chain holds reversed: a revocation or retraction that failed half way set none.
    let revokedLevels = 0;
    for (const { holder, entries } of chains) {
      const reversed = new Set(entries.flatMap((e) => (e.reverses ? [e.reverses] : [])));
      const levels = entries.filter((e) => e.asset.startsWith("badge:") && e.kind !== "reversal");
      const published = await revocationBits(
        `${process.env.PUBLIC_API_URL}/badges/status/${holder.slice("person:".length)}`,
        levels.map((e) => e.seq),
      );
      expect(published, `revocation bits of ${holder}`).toEqual(levels.map((e) => reversed.has(e.entryId)));
      revokedLevels += levels.filter((e) => reversed.has(e.entryId)).length;
    }

    // The leaderboards from the same ledger, projected and replayed under the faults: each entry counted once.
    faults.enabled = true;
    let projectorRetries: number;
    try {
      projectorRetries = await projectStream(2);
    } finally {
      faults.enabled = false;
    }
    expect(await aggregateDifferences(stored.values())).toEqual([]);
    // The anti-gaming detectors ran in the same projector: each accepted event counted once on its source's day.
    expect(await sourceCountDifferences()).toEqual([]);
    // …kept every credit, written outside the counts' transactions, and nothing of an ordinary event.
    expect(await observationDifferences(stored.values())).toEqual({ missing: [], ordinary: [] });

    // The notifier on the same stream, read twice under the faults: each notice in the outbox once.
    faults.enabled = true;
    let notifierRetries: number;
    try {
      notifierRetries = await projectStream(2, "notifier");
    } finally {
      faults.enabled = false;
    }
    expect(await outboxDifferences(stored.values())).toEqual({ missing: [], unexpected: [] });

    expect(faults.total).toBeGreaterThan(0);
    for (const kind of faultKinds) expect(faults.counts[kind], `faults of kind ${kind}`).toBeGreaterThan(0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `chaos seed ${seed}: ${stats.operations} operations, ${stats.requests} requests (${stats.thrown} thrown, ${stats.retries503} busy and retried), ` +
        `${faults.requests} DynamoDB requests, faults ${JSON.stringify(faults.counts)} (${faults.total} in all); ` +
        `answers: ${stats.accepted} accepted, ${stats.refused} refused, ${stats.unresolved} settled only after the faults (${stats.settledLate}); ` +
        `verified ${acceptedEventCount} accepted and ${refusedEventCount} refused events, ${acceptedWrites} accepted and ${refusedWrites} refused admin writes, ` +
        `${stored.size} entries (${revokedLevels} badge levels revoked, each in its holder's status list), projected with ${projectorRetries} and notified with ${notifierRetries} failed stream batches retried; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${seconds} s`,
    );
  }, 480_000);
});

/**
 * The bounty and import write paths under the same storm: every bounty taken by exactly one of two
 * racing teams, its acceptance paid once (the reward split 60/40, fund money reserved then claimed);
 * every record of an imported file in the ledger exactly once, however often the client re-sent it.
 */
describe("chaos: bounties and imports under DynamoDB faults", () => {
  const bounties = 6;
  const importRows = 120;

  it(`${bounties} bounties raced for and accepted, and a ${importRows}-row import re-sent until done: nothing lost, nothing twice`, async () => {
    onTestFailed(() => console.error(`chaos seed ${seed} (replay with CHAOS_SEED=${seed})`));
    const [lead, rival, member, finance, adminClient] = await Promise.all([
      as("liu-yang", "manager"),
      as("xu-jing", "manager"),
      as("yang-xue", "manager"),
      as("peng-li", "finance"),
      as(demoAdmin, "admin"),
    ]);
    const fundId = "chaos-bounty-pool";
    expect(
      (
        await finance.post("/funds", {
          fundId,
          name: "揭榜挂帅",
          currency: "CNY",
          period: "2026",
          limits: { perClaim: 1_000_000, perPersonInPeriod: 1_000_000 },
          twoApprovalsAbove: 1_000_000,
        })
      ).status,
    ).toBe(201);
    expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 1_000_000, reason: "预算" })).status).toBe(201);
    const key = (label: string) => ({ "idempotency-key": `chaos-${seed}-${label}` });
    const post = (client: typeof lead, label: string, url: string, body: unknown) =>
      retrying(label, () => client.post(url, body, key(label)));
    const file = `personId,asset,amount,capability,occurredAt,sourceSystem,recordId,reason\n${Array.from(
      { length: importRows },
      (_, i) => `${people[i % people.length]},points,${1 + (i % 3)},tool-operation,2024-0${1 + (i % 9)}-15,chaos-lms,r${i},迁移`,
    ).join("\n")}\n`;
    const upload = () =>
      dispatchJson({
        method: "POST",
        url: "/imports?onError=skip",
        headers: { authorization: `Bearer ${adminClient.token}`, "content-type": "text/csv" },
        body: file,
      });

    const before = violations.length;
    faults.enabled = true;
    const ids: string[] = [];
    let importDone = false;
    try {
      await Promise.all([
        ...Array.from({ length: bounties }, async (_, i) => {
          const posted = await post(admin, `bounty-${i}-post`, "/bounties", {
            title: { zh: `难题 ${i}`, en: `Problem ${i}` },
            description: { zh: "描述", en: "Description" },
            capability: "technology-fusion",
            reward: { coins: 100, points: 10 },
            deadline: new Date(Date.now() + 3_600_000).toISOString(),
            ...(i % 2 === 0 ? { fund: { fundId, amount: 10_000 } } : {}),
          });
          const bountyId = posted?.body?.bounty?.bountyId as string | undefined;
          if (!bountyId) return;
          ids.push(bountyId);
          await Promise.all([
            post(lead, `bounty-${i}-take-east`, `/bounties/${bountyId}/teams`, {
              members: [
                { personId: "yang-xue", share: 60 },
                { personId: "huang-tao", share: 40 },
              ],
            }),
            post(rival, `bounty-${i}-take-south`, `/bounties/${bountyId}/teams`, { members: [{ personId: "ma-chao", share: 100 }] }),
          ]);
          const team = (await retrying(`bounty-${i}-read`, () => admin.get(`/bounties/${bountyId}`)))?.body?.bounty?.teams?.[0];
          if (!team) return;
          const teamMember = team.lead === "liu-yang" ? member : rival;
          await post(teamMember, `bounty-${i}-deliver`, `/bounties/${bountyId}/teams/${team.teamId}/deliveries`, {
            link: "https://x.example/d",
            note: "完成",
          });
          await post(admin, `bounty-${i}-accept`, `/bounties/${bountyId}/teams/${team.teamId}/judgements`, {
            decision: "accept",
            reason: "通过",
          });
        }),
        (async () => {
          for (let attempt = 1; attempt <= 30 && !importDone; attempt++) {
            const answer = await retrying(`import#${attempt}`, upload);
            importDone = answer?.status === 200 && answer.body.status === "done";
          }
        })(),
      ]);
    } finally {
      faults.enabled = false;
    }
    while (!importDone) importDone = (await upload()).body.status === "done";

    const stored: LedgerEntry[] = (await Promise.all(demoPeople.map((p) => storedChain(p.personId)))).flatMap((c) => c.entries);
    expect(ids, "bounties posted").toHaveLength(bounties);
    let done = 0;
    for (const bountyId of ids) {
      const { bounty } = (await admin.get(`/bounties/${bountyId}`)).body;
      expect(bounty.teams, `teams of ${bountyId}`).toHaveLength(1);
      if (bounty.status !== "done") continue;
      done += 1;
      const rewarded = stored.filter((e) => e.ref && "bountyId" in e.ref && e.ref.bountyId === bountyId);
      expect(rewarded.map((e) => e.entryId).sort(), `reward of ${bountyId}`).toEqual(
        bounty.rewardEntryIds.filter((id: string) => rewarded.some((e) => e.entryId === id)).sort(),
      );
      const coinsOf = (personId: string) =>
        rewarded.filter((e) => e.asset === "coin" && e.holder === `person:${personId}`).reduce((sum, e) => sum + e.amount, 0);
      expect(
        bounty.teams[0].members.map((m: { personId: string }) => coinsOf(m.personId)),
        `coins of ${bountyId}, split by the shares`,
      ).toEqual(bounty.teams[0].lead === "liu-yang" ? [60, 40] : [100]);
    }
    expect(done, "bounties accepted").toBeGreaterThan(bounties / 2);

    const imported = stored.filter((e) => e.ref && "importedFrom" in e.ref && e.ref.importedFrom.system === "chaos-lms");
    const records = imported.map((e) => (e.ref as { importedFrom: { recordId: string } }).importedFrom.recordId);
    expect(records.length, "imported entries").toBe(importRows);
    expect(new Set(records).size, "distinct records imported").toBe(importRows);
    for (const e of imported) {
      const i = Number((e.ref as { importedFrom: { recordId: string } }).importedFrom.recordId.slice(1));
      expect([e.holder, e.amount], `record r${i}`).toEqual([`person:${people[i % people.length]}`, 1 + (i % 3)]);
    }
    expect(violations.slice(before)).toEqual([]);
    expect(await ledgerProblems()).toEqual([]);
    expect(await fundLedgerProblems([fundId])).toEqual([]);
  }, 180_000);
});

describe("chaos: definition changes under four eyes", () => {
  /** As an admin works: read, propose if nothing is pending, the second admin approves what they read. */
  async function proposeAndApprove(second: Client, path: string, definition: object) {
    for (let round = 0; round < maxAttempts; round++) {
      const read = await retrying(`${path} read`, () => second.get(path));
      if (read?.body.approvedBy === "chen-jian") return;
      const proposal =
        read?.body.pending?.proposal ?? (await retrying(`${path} propose`, () => admin.put(path, definition)))?.body.proposal;
      if (proposal !== undefined) await retrying(`${path} approve`, () => second.post(`${path}/approval`, { proposal }));
    }
  }

  it("proposals and approvals retried through faults end as one approved version each, never a 500", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const second = await as("chen-jian", "admin");
    const ids = Array.from({ length: 12 }, (_, i) => `chaos-big-${i}`);
    const rule = (i: number) => ({
      name: { zh: "大奖", en: "Big" },
      eventType: `com.chaos.big${i}`,
      trigger: { kind: "each" },
      award: { coins: 2000 + i },
    });
    process.env.FOUR_EYES_RULE_AWARD_ABOVE = "1000";
    faults.enabled = true;
    try {
      await Promise.all(ids.map((id, i) => proposeAndApprove(second, `/admin/rules/${id}`, rule(i))));
    } finally {
      faults.enabled = false;
      delete process.env.FOUR_EYES_RULE_AWARD_ABOVE;
    }
    for (const [i, id] of ids.entries()) {
      const { body } = await second.get(`/admin/rules/${id}`);
      expect([body.version, body.updatedBy, body.approvedBy, body.pending, body.definition.award.coins]).toEqual([
        1,
        "cao-yi",
        "chen-jian",
        undefined,
        2000 + i,
      ]);
    }
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
  }, 60_000);

  it("sources and indices proposed and approved through faults end as one approved version each, a source without secrets", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const second = await as("chen-jian", "admin");
    const ids = Array.from({ length: 6 }, (_, i) => `chaos-four-eyes-${i}`);
    const source = (i: number) => ({ name: `Chaos ${i}`, eventTypes: [{ type: `com.chaos.source${i}` }] });
    const index = { name: { zh: "指数", en: "Index" }, measures: [{ measure: "points", weight: 1 }] };
    process.env.FOUR_EYES_KINDS = "source,index";
    faults.enabled = true;
    try {
      await Promise.all(
        ids.flatMap((id, i) => [
          proposeAndApprove(second, `/admin/sources/${id}`, source(i)),
          proposeAndApprove(second, `/admin/indices/${id}`, index),
        ]),
      );
    } finally {
      faults.enabled = false;
      delete process.env.FOUR_EYES_KINDS;
    }
    for (const [i, id] of ids.entries()) {
      const { body } = await second.get(`/admin/sources/${id}`);
      expect([body.version, body.updatedBy, body.approvedBy, body.pending, body.definition.name, body.secrets]).toEqual([
        1,
        "cao-yi",
        "chen-jian",
        undefined,
        `Chaos ${i}`,
        [],
      ]);
      const indexRead = (await second.get(`/admin/indices/${id}`)).body;
      expect([indexRead.version, indexRead.approvedBy, indexRead.pending]).toEqual([1, "chen-jian", undefined]);
    }
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
  }, 60_000);
});

describe("chaos: redemptions handed over and cancelled under DynamoDB faults", () => {
  it("a redemption raced for hand-over and cancellation ends as exactly one of them, its coins and stock moved once", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const rewardId = "chaos-flask";
    expect((await admin.put(`/admin/rewards/${rewardId}`, { name: { zh: "保温杯", en: "Flask" }, price: 5, stock: 1000 })).status).toBe(
      200,
    );
    const finance = await as("peng-li", "finance");
    const canceller = await as("chen-jian", "admin");
    const redeemers = people.filter((p) => p !== "peng-li" && p !== "chen-jian").slice(0, 12);
    const coinsOf = async (personId: string) => (await admin.get(`/people/${personId}/balances`)).body.coins as number;
    for (const personId of redeemers) expect((await admin.post("/awards", { personId, coins: 5, reason: "chaos" })).status).toBe(201);
    const coins = new Map(await Promise.all(redeemers.map(async (p) => [p, await coinsOf(p)] as const)));
    const outcomes: { personId: string; entryId: string; collect?: ApiResponse; cancel?: ApiResponse }[] = [];
    faults.enabled = true;
    try {
      await Promise.all(
        redeemers.map(async (personId, i) => {
          const client = await as(personId, "manager");
          const key = (what: string) => ({ "idempotency-key": `chaos-${what}-${seed}-${i}` });
          const redeemed = await retrying(`redeem-${i}`, () => client.post("/redemptions", { rewardId }, key("redeem")));
          if (redeemed?.status !== 201) return;
          const entryId = redeemed.body.redemption.entryId as string;
          // Every other one is also cancelled at the same moment: one of the two wins.
          const [collect, cancel] = await Promise.all([
            retrying(`collect-${i}`, () => finance.post(`/redemptions/${entryId}/collection`, undefined, key("collect"))),
            i % 2 === 0
              ? retrying(`cancel-${i}`, () => canceller.post(`/redemptions/${entryId}/cancellation`, { reason: "缺货" }, key("cancel")))
              : undefined,
          ]);
          outcomes.push({ personId, entryId, ...(collect ? { collect } : {}), ...(cancel ? { cancel } : {}) });
        }),
      );
    } finally {
      faults.enabled = false;
    }
    expect(outcomes.length).toBeGreaterThan(0);
    let standing = 0;
    for (const { personId, entryId, collect, cancel } of outcomes) {
      const entries = (await admin.get(`/people/${personId}/ledger?limit=10`)).body.entries as {
        entryId: string;
        reverses?: string;
        collected?: { collectedAt: string };
      }[];
      const collected = entries.find((e) => e.entryId === entryId)?.collected;
      const cancelled = entries.some((e) => e.reverses === entryId);
      expect(collected !== undefined && cancelled, `${entryId} both collected and cancelled`).toBe(false);
      if (collect?.status === 201) expect(collected?.collectedAt).toBe(collect.body.redemption.collectedAt);
      if (collect?.status === 409) expect([collect.body.code, cancelled]).toEqual(["already-cancelled", true]);
      if (cancel?.status === 201) expect(cancelled).toBe(true);
      if (cancel?.status === 409) expect([cancel.body.code, collected !== undefined]).toEqual(["already-collected", true]);
      expect(await coinsOf(personId)).toBe((coins.get(personId) ?? 0) - (cancelled ? 0 : 5));
      if (!cancelled) standing += 1;
    }
    const catalog = (await admin.get("/rewards")).body.rewards as { id: string; remaining: number }[];
    expect(catalog.find((r) => r.id === rewardId)?.remaining).toBe(1000 - standing);
    // "My redemptions" equals the ledger: every redemption that stands in a chain listed once, with
    // the status its markers give it, and none that a failed write left behind.
    for (const { personId, entryId } of outcomes) {
      const entries = (await admin.get(`/people/${personId}/ledger?limit=10`)).body.entries as {
        entryId: string;
        reverses?: string;
        collected?: unknown;
      }[];
      const status = entries.some((e) => e.reverses === entryId)
        ? "cancelled"
        : entries.find((e) => e.entryId === entryId)?.collected
          ? "collected"
          : "placed";
      const listed = (
        (await admin.get(`/people/${personId}/redemptions?limit=100`)).body.redemptions as {
          entryId: string;
          status: string;
          rewardId: string;
        }[]
      ).filter((r) => r.rewardId === rewardId);
      expect(
        listed.map((r) => [r.entryId, r.status]),
        `${personId}'s redemptions`,
      ).toEqual([[entryId, status]]);
    }
    expect((await rebuildProjections(createDocumentClient(), tableNames)).rebuilt.filter((r) => r.startsWith("redemptions"))).toEqual([]);
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
    expect(await ledgerProblems()).toEqual([]);
  }, 120_000);
});

describe("chaos: fund claims submitted, decided and withdrawn under DynamoDB faults", () => {
  it("the approvers' queue holds exactly the claims still pending, each as it stands, and the pool's ledger adds up", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const finance = await as("peng-li", "finance");
    const fundId = "chaos-claims-pool";
    const limits = { perClaim: 1_000_000, perPersonInPeriod: 10_000_000 };
    expect(
      (await finance.post("/funds", { fundId, name: "创新基金", currency: "CNY", period: "2026", limits, twoApprovalsAbove: 50_000 }))
        .status,
    ).toBe(201);
    expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 5_000_000, reason: "拨付" })).status).toBe(201);
    const leads = [
      { client: await as("liu-yang", "manager"), member: "yang-xue" },
      { client: await as("xu-jing", "manager"), member: "ma-chao" },
    ];
    const [first, second] = [await as("jiang-wen", "approver", "manager"), await as("deng-hua", "approver")];
    const claimIds: string[] = [];
    faults.enabled = true;
    try {
      await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const { client, member } = leads[i % 2] as (typeof leads)[number];
          const key = (what: string) => ({ "idempotency-key": `chaos-claim-${what}-${seed}-${i}` });
          const amount = i % 3 === 0 ? 80_000 : 20_000;
          const body = {
            scenario: `场景 ${i}`,
            measuredValue: "节约 10 万元",
            amount,
            split: { by: "amount", parts: [{ personId: member, amount }] },
          };
          const submitted = await retrying(`claim-${i}`, () => client.post(`/funds/${fundId}/claims`, body, key("submit")));
          const claimId = submitted?.body?.claim?.claimId as string | undefined;
          if (!claimId) return;
          claimIds.push(claimId);
          const decide = (approver: Client, what: string, decision: string) =>
            retrying(`claim-${i}-${what}`, () => approver.post(`/claims/${claimId}/decisions`, { decision, comment: "审批" }, key(what)));
          await Promise.all([
            decide(first, "first", i % 4 === 1 ? "reject" : "approve"),
            i % 5 === 2
              ? retrying(`claim-${i}-withdraw`, () => client.post(`/claims/${claimId}/withdrawal`, { reason: "撤回" }, key("withdraw")))
              : undefined,
          ]);
          if (i % 2 === 0) await decide(second, "second", "approve");
        }),
      );
    } finally {
      faults.enabled = false;
    }
    expect(claimIds.length).toBeGreaterThan(5);
    const db = createDocumentClient();
    const queued = new Map(
      (
        await queryAll(db, {
          TableName: tableNames.state,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.waitingClaimsPartition },
        })
      ).map((item) => [item.claimId as string, item]),
    );
    const statuses = new Set<string>();
    for (const claimId of claimIds) {
      const { claim } = (await finance.get(`/claims/${claimId}`)).body;
      statuses.add(claim.status);
      const waiting = queued.get(claimId);
      expect(waiting !== undefined, `${claimId} (${claim.status}) in the queue`).toBe(claim.status === "pending");
      if (waiting) expect([waiting.version, waiting.decisions], `${claimId} as it stands`).toEqual([claim.version, claim.decisions]);
    }
    expect(statuses.size, `claims ended in ${[...statuses].join(", ")}`).toBeGreaterThan(1);
    expect((await rebuildProjections(db, tableNames)).rebuilt).not.toContain("claims waiting");
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
    expect(await fundLedgerProblems([fundId])).toEqual([]);
  }, 120_000);
});

describe("chaos: a coin budget raced for under DynamoDB faults", () => {
  it("50 concurrent awards against a budget with room for 10: exactly 10 issued, 40 refused, nothing lost or counted twice", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const finance = await as("peng-li", "finance");
    const month = periodKey(new Date(), "month", "Asia/Shanghai");
    const racers = Array.from({ length: 50 }, (_, i) => `racer-${String(i).padStart(2, "0")}`);
    await team("budget-race", "预算竞速组", racers);
    // A first course passed with 90 is 30 coins (20 for the pass, 10 for the first course): room for 10.
    expect((await finance.put(`/budgets/budget-race/${month}`, { coins: 300 })).status).toBe(200);
    const { answers } = await coursesUnderFaults("race", racers);

    const issued = answers.filter((a) => a?.status === "accepted" || a?.status === "duplicate");
    expect(issued, "awards issued").toHaveLength(10);
    expect(
      answers.filter((a) => a?.problem?.code === "budget-exhausted"),
      "awards refused",
    ).toHaveLength(40);
    const coins = (await Promise.all(racers.map(storedChain))).flatMap((c) => c.entries).filter((e) => e.asset === "coin");
    expect(
      coins.reduce((sum, e) => sum + e.amount, 0),
      "coins in the racers' chains",
    ).toBe(300);
    expect(new Set(coins.map((e) => e.holder)).size, "people paid").toBe(10);
    const { budgets } = (await finance.get(`/budgets?period=${month}`)).body;
    expect(budgets.find((b: { orgUnitId: string }) => b.orgUnitId === "budget-race")).toMatchObject({ drawn: 300, left: 0, overspent: 0 });
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
    expect(await ledgerProblems(racers)).toEqual([]);
  }, 120_000);
});

describe("chaos: held awards kept and settled under DynamoDB faults", () => {
  it("events of held people, and their team's events, are kept once each; a dismissal posts each exactly once, a confirmation none, nothing lost or counted twice", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const approver = await as("jiang-wen", "approver", "manager");
    const heldPeople = Array.from({ length: 6 }, (_, i) => `held-${i}`);
    await team("hold-race", "暂缓组", heldPeople);
    const day = new Date().toISOString().slice(0, 10);
    const reviews = new DynamoReviewStore(createDocumentClient(), tableNames.state);
    const flag = (flagId: string, people: string[]) =>
      reviews.open({
        flagId,
        detector: "person-velocity",
        people: people as PersonId[],
        raisedAt: new Date().toISOString(),
        figures: {},
        entryIds: [],
        eventIds: [],
        explained: { zh: "测试", en: "test" },
        status: "open",
        held: people as PersonId[],
      });
    const dismissed = `person-velocity:hold-race-a:${day}:${seed}`;
    const confirmed = `person-velocity:hold-race-b:${day}:${seed}`;
    expect(await flag(dismissed, heldPeople.slice(0, 4))).toBe(true);
    expect(await flag(confirmed, heldPeople.slice(4))).toBe(true);
    // The hold policy on (docs/INTEGRITY.md) for this part of the run only.
    const setting = process.env.INTEGRITY;
    process.env.INTEGRITY = JSON.stringify({ holdFlagged: true });
    onTestFinished(() => {
      if (setting === undefined) delete process.env.INTEGRITY;
      else process.env.INTEGRITY = setting;
    });

    // Each person's events, some alone and some in batches, each delivery sent twice.
    const secret = secrets[learning] as string;
    const payloads = heldPeople.flatMap((personId) =>
      Array.from({ length: 5 }, (_, i) => cloudEvent(types.course, personId, { courseId: `held-${seed}-${i}`, score: 90 })),
    );
    const deliveries = [
      ...payloads.slice(0, 10).map((p) => [p]),
      ...Array.from({ length: 4 }, (_, i) => payloads.slice(10 + i * 5, 15 + i * 5)),
    ];
    // Bounties the whole team closed: each member's share (300 coins / 6) kept, written with the event's record.
    const bounties = Array.from({ length: 2 }, (_, i) =>
      cloudEvent(types.bounty, undefined, { team: "hold-race", bountyId: `held-${seed}-${i}` }),
    );
    faults.enabled = true;
    const answers = new Map<string, EventAnswer>();
    try {
      await Promise.all([
        ...[...deliveries, ...deliveries].map(async (events, i) => {
          const batch = events.length > 1;
          const response = await retrying(`hold-${i}`, () =>
            deliver(learning, batch ? events : events[0], { secret, id: `msg_hold_${seed}_${i % deliveries.length}` }),
          );
          for (const answer of (response?.body?.results ?? []) as EventAnswer[]) if (answer.id) answers.set(answer.id, answer);
        }),
        ...[...bounties, ...bounties].map(async (event, i) => {
          const response = await retrying(`hold-team-${i}`, () =>
            deliver(oa, event, { secret: secrets[oa] as string, id: `msg_hold_team_${seed}_${i % bounties.length}` }),
          );
          const answer = response?.body?.results?.[0] as EventAnswer | undefined;
          if (answer?.id && !busy(answer)) answers.set(answer.id, answer);
        }),
      ]);
    } finally {
      faults.enabled = false;
    }
    for (const payload of payloads.filter((p) => !answers.has(p.id) || busy(answers.get(p.id))))
      answers.set(payload.id, (await deliver(learning, payload, { secret })).body.results[0]);
    for (const event of bounties.filter((p) => !answers.has(p.id) || busy(answers.get(p.id))))
      answers.set(event.id, (await deliver(oa, event, { secret: secrets[oa] as string })).body.results[0]);
    expect(new Set(payloads.map((p) => answers.get(p.id)?.status)), "every event held").toEqual(new Set(["held"]));
    for (const event of bounties) {
      const answer = answers.get(event.id);
      expect(["accepted", "duplicate"], `team event ${event.id}`).toContain(answer?.status);
      expect(answer?.awards, "no member paid while held").toEqual([]);
    }
    const coins = async () => (await Promise.all(heldPeople.map(storedChain))).flatMap((c) => c.entries);
    expect(await coins(), "nothing moved while held").toEqual([]);

    faults.enabled = true;
    try {
      for (const [flagId, decision] of [
        [dismissed, "dismiss"],
        [confirmed, "confirm"],
      ] as const) {
        const response = await retrying(`decide-${decision}`, () =>
          approver.post(`/admin/reviews/${flagId}/decision`, { decision, reason: "混沌测试" }),
        );
        // A decision that landed before its answer was lost is closed to its retry, once settled.
        if (response && response.status !== 200) expect([response.status, response.body.code]).toEqual([409, "review-closed"]);
      }
    } finally {
      faults.enabled = false;
    }
    // Whatever a failure left unsettled, the same approver's same decision finishes.
    for (const [flagId, decision] of [
      [dismissed, "dismiss"],
      [confirmed, "confirm"],
    ] as const) {
      const item = (await approver.get(`/admin/reviews/${flagId}`)).body;
      if (item.heldAwards.some((a: { status: string }) => a.status === "held"))
        expect((await approver.post(`/admin/reviews/${flagId}/decision`, { decision, reason: "混沌测试" })).status).toBe(200);
    }
    const settled = async (flagId: string) =>
      ((await approver.get(`/admin/reviews/${flagId}`)).body.heldAwards as { eventId: string; status: string }[])
        .map((a) => `${a.eventId}:${a.status}`)
        .sort();
    const ids = (people: string[]) => payloads.filter((p) => people.includes(p.subject as string)).map((p) => p.id);
    // A team event's kept shares are one held award per member: listed on the item that held each.
    const shares = (people: string[]) => bounties.flatMap((b) => people.map(() => b.id));
    expect(await settled(dismissed)).toEqual(
      [...ids(heldPeople.slice(0, 4)), ...shares(heldPeople.slice(0, 4))].map((id) => `${id}:posted`).sort(),
    );
    expect(await settled(confirmed)).toEqual(
      [...ids(heldPeople.slice(4)), ...shares(heldPeople.slice(4))].map((id) => `${id}:rejected`).sort(),
    );

    // Each posted event is one event's awards, once: its entries carry its id, and none twice for a person.
    const entries = await coins();
    const byEvent = Map.groupBy(entries, (e) => (e.actor as { eventId?: string }).eventId ?? "?");
    expect([...byEvent.keys()].sort(), "events paid").toEqual([...ids(heldPeople.slice(0, 4)), ...bounties.map((b) => b.id)].sort());
    for (const [eventId, paid] of byEvent)
      expect(new Set(paid.map((e) => `${e.holder}:${e.asset}:${e.rule?.ruleId}`)).size, `awards of ${eventId}`).toBe(paid.length);
    // Each dismissed member's share of each bounty, once: 300 coins split among the 6 members as they were.
    for (const bounty of bounties) {
      const paid = (byEvent.get(bounty.id) ?? []).filter((e) => e.asset === "coin");
      expect(paid.map((e) => `${e.holder}:${e.amount}`).sort(), `shares of ${bounty.id}`).toEqual(
        heldPeople.slice(0, 4).map((p) => `person:${p}:50`),
      );
    }
    // Sent again now: posted ones are duplicates with the same entries, rejected ones are refused.
    for (const payload of payloads) {
      const answer = (await deliver(learning, payload, { secret })).body.results[0] as EventAnswer;
      if (heldPeople.slice(0, 4).includes(payload.subject as string)) {
        expect(answer.status).toBe("duplicate");
        expect(answer.awards?.map((a) => a.entryId).sort()).toEqual((byEvent.get(payload.id) ?? []).map((e) => e.entryId).sort());
      } else expect(answer.problem?.code).toBe("award-rejected");
    }
    for (const bounty of bounties)
      expect((await deliver(oa, bounty, { secret: secrets[oa] as string })).body.results[0]).toMatchObject({
        status: "duplicate",
        awards: [],
      });
    expect(await coins(), "nothing paid by sending again").toHaveLength(entries.length);
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
    expect(await ledgerProblems(heldPeople)).toEqual([]);
  }, 120_000);
});

describe("chaos: review items opened under DynamoDB faults", () => {
  it("each item opened by two racing tries, retried through faults, exists with its record as opened (what the notifier tells approvers from), never without it", async () => {
    const before = { faults: faults.total };
    const db = createDocumentClient();
    const reviews = new DynamoReviewStore(db, tableNames.state);
    const flagIds = Array.from({ length: 12 }, (_, i) => `person-velocity:open-race-${i}:${seed}`);
    const item = (flagId: string) => ({
      flagId,
      detector: "person-velocity" as const,
      people: [`open-race-${flagId.split(":")[1]}` as PersonId],
      raisedAt: new Date().toISOString(),
      figures: { today: 25 },
      entryIds: [],
      eventIds: [],
      explained: { zh: "测试", en: "test" },
      status: "open" as const,
    });
    // As a stream batch is retried: a try that failed (or seemed to) is made again until one answers.
    const open = async (flagId: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await reviews.open(item(flagId));
        } catch (error) {
          if (attempt >= maxAttempts) throw error;
        }
      }
    };
    faults.enabled = true;
    let opened: boolean[];
    try {
      opened = await Promise.all([...flagIds, ...flagIds].map(open));
    } finally {
      faults.enabled = false;
    }
    // A try whose answer was lost after it wrote may answer false on its retry; never two true.
    for (const [i] of flagIds.entries()) expect(Number(opened[i]) + Number(opened[i + flagIds.length])).toBeLessThanOrEqual(1);
    for (const flagId of flagIds) {
      expect((await reviews.get(flagId))?.flagId, `item ${flagId}`).toBe(flagId);
      const { Item } = await db.send(new GetCommand({ TableName: tableNames.ledger, Key: keys.reviewOpened(flagId) }));
      expect(Item, `record of ${flagId}`).toMatchObject({ flagId, detector: "person-velocity", people: item(flagId).people });
    }
    expect(faults.total).toBeGreaterThan(before.faults);
  });
});

describe("chaos: a budget that holds for approval, raced for and released under DynamoDB faults", () => {
  it("20 awards at once for room for 10: 10 issued, 10 held; every held one released posts once, overspent, nothing lost or twice", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const finance = await as("peng-li", "finance");
    const approver = await as("jiang-wen", "approver", "manager");
    const month = periodKey(new Date(), "month", "Asia/Shanghai");
    const racers = Array.from({ length: 20 }, (_, i) => `holder-${String(i).padStart(2, "0")}`);
    await team("budget-hold", "待批预算组", racers);
    // A first course passed with 90 is 30 coins: room for 10.
    expect((await finance.put(`/budgets/budget-hold/${month}`, { coins: 300, whenExhausted: "hold" })).status).toBe(200);
    const { payloads, answers } = await coursesUnderFaults("hold-race", racers);
    const statuses = answers.map((a) => (a?.status === "duplicate" ? "accepted" : a?.status));
    expect(
      statuses.filter((s) => s === "accepted"),
      "issued",
    ).toHaveLength(10);
    expect(
      statuses.filter((s) => s === "held"),
      "held",
    ).toHaveLength(10);

    const held = racers.filter((_, i) => statuses[i] === "held");
    // The approvers' list across budgets, put in each hold's transaction: every held one once, nothing else.
    const listed = async (status: string) =>
      ((await approver.get(`/budgets/held-awards?status=${status}&limit=100`)).body.heldAwards as { personId: string }[])
        .map((a) => a.personId)
        .filter((p) => racers.includes(p))
        .sort();
    expect(await listed("held"), "listed as held").toEqual([...held].sort());
    faults.enabled = true;
    try {
      await Promise.all(
        held.map((personId) =>
          retrying(`release-${personId}`, () =>
            approver.post("/budgets/held-awards/decision", {
              personId,
              sourceId: learning,
              eventId: payloads[racers.indexOf(personId)]?.id,
              decision: "release",
              reason: "季度冲刺",
            }),
          ),
        ),
      );
    } finally {
      faults.enabled = false;
    }
    // Whatever the faults left, released again: a settled one answers as it stands.
    for (const personId of held) {
      const again = await approver.post("/budgets/held-awards/decision", {
        personId,
        sourceId: learning,
        eventId: payloads[racers.indexOf(personId)]?.id,
        decision: "release",
        reason: "季度冲刺",
      });
      expect([again.status, again.body.status]).toEqual([200, "posted"]);
    }
    // The list moved with each posting: none left held, each posted once.
    expect(await listed("held"), "still listed as held").toEqual([]);
    expect(await listed("posted"), "listed as posted").toEqual([...held].sort());
    const coins = (await Promise.all(racers.map(storedChain))).flatMap((c) => c.entries).filter((e) => e.asset === "coin");
    expect(
      coins.reduce((sum, e) => sum + e.amount, 0),
      "coins issued",
    ).toBe(600);
    expect(new Set(coins.map((e) => e.holder)).size, "people paid").toBe(20);
    const { budgets } = (await finance.get(`/budgets?period=${month}`)).body;
    expect(budgets.find((b: { orgUnitId: string }) => b.orgUnitId === "budget-hold")).toMatchObject({
      drawn: 300,
      left: 0,
      overspent: 300,
    });
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
    expect(await ledgerProblems(racers)).toEqual([]);
  }, 120_000);
});

describe("chaos: signing in from DingTalk under DynamoDB faults", () => {
  it("everyone signs in within a few fresh codes, as the page retries, never a 500, and every token issued is good", async () => {
    const before = faults.total;
    const dingtalk = await startFakeDingTalk();
    const issuer = "https://laurel.test";
    Object.assign(process.env, {
      TOKEN_ISSUER: issuer,
      TOKEN_SIGNING_KEYS: JSON.stringify({ keys: [await newSigningKey(new Date(Date.now() - 3_600_000))] }),
      DINGTALK_APP: JSON.stringify(dingtalk.app),
      DINGTALK_API_BASE: dingtalk.url,
    });
    try {
      for (const personId of people) {
        const { personId: _id, version: _v, updatedAt: _u, ...person } = (await admin.get(`/admin/people/${personId}`)).body;
        const put = await admin.put(`/admin/people/${personId}`, {
          ...person,
          identities: { dingtalk: `dt-${personId}` },
          roles: ["manager"],
        });
        expect(put.status, JSON.stringify(put.body)).toBe(200);
      }
      faults.enabled = true;
      // A refused or failed sign-in costs the page a fresh code from DingTalk, never the same one again.
      const tokens = await Promise.all(
        people.map(async (personId) => {
          for (let attempt = 1; attempt <= maxAttempts; attempt++) {
            const answer = await call("POST", "/auth/dingtalk", { body: { code: dingtalk.authCode(`dt-${personId}`) } });
            if (answer.status === 200) return answer.body.accessToken as string;
            expect(answer.status, JSON.stringify(answer.body)).toBe(503);
          }
          throw new Error(`${personId} could not sign in in ${maxAttempts} attempts`);
        }),
      );
      faults.enabled = false;
      const jwks = createLocalJWKSet((await call("GET", "/auth/jwks.json")).body);
      const subjects = await Promise.all(
        tokens.map(async (token) => (await jwtVerify(token, jwks, { issuer, audience: "laurel" })).payload.sub),
      );
      expect(subjects).toEqual(people);
      expect(faults.total).toBeGreaterThan(before);
    } finally {
      faults.enabled = false;
      await dingtalk.close();
    }
  }, 60_000);
});

describe("chaos: SCIM moves and deactivations under DynamoDB faults", () => {
  const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  const laurel = "urn:laurel:params:scim:schemas:extension:laurel:2.0:User";
  const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

  /** As an HR system sends: the same request again after a failure, a bounded number of times; a SCIM error is an answer. */
  async function scimRetrying(label: string, send: () => Promise<ApiResponse>): Promise<ApiResponse | undefined> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let response: ApiResponse;
      try {
        response = await faults.scope(`${label}#${attempt}`, send);
      } catch {
        continue;
      }
      if (response.status >= 500 && response.status !== 503)
        violations.push(`${label}: ${response.status} ${JSON.stringify(response.body)}`);
      if (response.status < 500 && response.status !== 429) return response;
    }
    return undefined;
  }

  it("a provisioning client's moves and deactivations, retried through faults, leave every person where the last answer said, with the audit trail to match", async () => {
    const before = { violations: violations.length, faults: faults.total };
    const token = (await admin.post("/admin/provisioners/chaos-hr/credentials", {})).body.token as string;
    const scim = (method: string, path: string, body: unknown) =>
      call(method, `/scim/v2${path}`, { headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }, body });
    const random = prng(streamSeed(seed, "scim"));
    const ids = Array.from({ length: 8 }, (_, i) => `chaos-scim-${i}`);
    for (const id of ids) {
      const created = await scim("POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise, laurel],
        userName: id,
        displayName: id,
        [enterprise]: { department: "store-east" },
        [laurel]: { tier: "base", tierSince: "2026-01-01" },
      });
      expect(created.status).toBe(201);
    }
    const expected = new Map(ids.map((id) => [id, [{ unit: "store-east", active: true }]]));
    faults.enabled = true;
    try {
      await Promise.all(
        ids.map(async (id) => {
          for (let step = 0; step < 6; step++) {
            const last = (expected.get(id) as { unit: string; active: boolean }[]).at(-1) as { unit: string; active: boolean };
            const move = random() < 0.6;
            const next = move ? { ...last, unit: teams[Math.floor(random() * teams.length)] as string } : { ...last, active: !last.active };
            const operation = move
              ? { op: "replace", path: `${enterprise}:department`, value: next.unit }
              : { op: "replace", path: "active", value: next.active };
            const answer = await scimRetrying(`${id} step ${step}`, () =>
              scim("PATCH", `/Users/${id}`, { schemas: [patchOp], Operations: [operation] }),
            );
            // Unanswered, the change may or may not have landed: both are allowed from here on.
            expected.set(id, answer?.status === 200 ? [next] : [...(expected.get(id) ?? []), next]);
          }
        }),
      );
    } finally {
      faults.enabled = false;
    }
    const hr = await as("deng-hua", "hr");
    const records: { action: string; targets: string[]; details: Record<string, unknown> }[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await admin.get(`/admin/audit?day=${periodKey(new Date(), "day")}&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      records.push(...page.body.records);
      cursor = page.body.cursor;
    }
    for (const id of ids) {
      const stored = (await admin.get(`/admin/people/${id}`)).body;
      const state = { unit: stored.orgUnitId, active: stored.leftAt === undefined };
      expect(expected.get(id), `${id} ended as ${JSON.stringify(state)}`).toContainEqual(state);
      const members = (await hr.get(`/org-units/${state.unit}/people`)).body.people.map((p: { personId: string }) => p.personId);
      expect(members).toContain(id);
      // The trail, in version order, explains the person as they stand: no change without its record.
      const folded = records
        .filter((r) => r.targets[0] === id && typeof r.details.version === "number")
        .sort((a, b) => (a.details.version as number) - (b.details.version as number))
        .reduce(
          (s, r) => ({
            unit: Array.isArray(r.details.orgUnitId)
              ? (r.details.orgUnitId[1] as string)
              : ((r.details.orgUnitId as string | undefined) ?? s.unit),
            active:
              r.action === "person.deactivated"
                ? false
                : r.action === "person.reactivated" || r.action === "person.created"
                  ? true
                  : s.active,
          }),
          { unit: "", active: true },
        );
      expect(folded, `${id}'s audit trail`).toEqual(state);
      expect(records.filter((r) => r.targets[0] === id && typeof r.details.version === "number")).toHaveLength(stored.version);
    }
    expect(violations.slice(before.violations)).toEqual([]);
    expect(faults.total).toBeGreaterThan(before.faults);
  }, 120_000);
});

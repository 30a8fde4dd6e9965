/**
 * Hot keys: the webhook path at the million-person peak, scaled down. The capacity model
 * (scripts/capacity/) computed from the committed benchmark fixture says how many events a second
 * a million people send at peak; this test sends `eventsPerSecond` of them per logical second, so
 * every key whose load grows with the company (one key for everybody, an org unit's) gets its
 * partition's limits scaled by the same factor, while a person's keys and keys written once keep
 * DynamoDB's real limits (their load is one person's, whatever the company's size).
 *
 * As built (the definitions' versions in 8 copies) no key passes its budget: nothing throttled.
 * With the copies charged as one key (the design before the split) the versions item is over its
 * budget and the user sees it: 503 with Retry-After, retries, slower answers; once retried,
 * nothing is lost or counted twice.
 */
import { readFileSync } from "node:fs";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { keyFamily } from "../../bench/support/capacity.ts";
import type { Result } from "../../bench/support/result.ts";
import { OrgTree, type OrgUnit } from "../../domain/directory/index.ts";
import type { OrgUnitId } from "../../domain/kernel/model.ts";
import { aggregateUnits, pointChange } from "../../domain/leaderboards/index.ts";
import { handler as projector } from "../../functions/background/projector.ts";
import { createDocumentClient, createDynamoClient } from "../../functions/dynamo/client.ts";
import { DynamoLeaderboardStore } from "../../functions/dynamo/leaderboard-store.ts";
import { spreads } from "../../scripts/capacity/families.ts";
import { readMeasured } from "../../scripts/capacity/measured.ts";
import { defaultShape, limits, model } from "../../scripts/capacity/model.ts";
import { fixturePath } from "../../scripts/capacity/scale-doc.ts";
import { demoAdmin, demoOrgUnits, demoPeople } from "../../scripts/demo-data.ts";
import { lambdaContext } from "../../scripts/local/lambda.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import type { ApiResponse } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { ledgerProblems, storedChain } from "../support/invariants.ts";
import { KeyBudget } from "../support/key-budget.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver } from "../support/webhooks.ts";

const eventsPerSecond = 40;
const seconds = 4;
const inFlight = 8;

const fixture = JSON.parse(readFileSync(new URL(`../../${fixturePath}`, import.meta.url), "utf8")) as Result[];
const atPeak = model(readMeasured(fixture), defaultShape(1_000_000), spreads);
const peakEvents = atPeak.functions.find((f) => f.name === "webhooks")?.requestsPerSecond.peak ?? Number.NaN;
const scale = eventsPerSecond / peakEvents;

const { admin, secrets } = await withDemoDefinitions();
const people = demoPeople.map((p) => p.personId).filter((id) => id !== demoAdmin);
/** The person each event of a run is for, in order. */
const subjectOf = (i: number) => people[(i * 7) % people.length] as string;
const tree = new OrgTree(demoOrgUnits as unknown as OrgUnit[]);
const retail = new Set(
  demoPeople.filter((p) => aggregateUnits(tree, p.orgUnitId as OrgUnitId).includes("tianma-retail" as OrgUnitId)).map((p) => p.personId),
);
// An org unit's keys take its people's share of the entries: at the model's shape the largest unit
// has a tenth of the people, here the retail subsidiary has about half of the events, so its keys'
// budgets are scaled by its share here over the largest unit's there.
const retailShare = Array.from({ length: eventsPerSecond }, (_, i) => subjectOf(i)).filter((id) => retail.has(id)).length / eventsPerSecond;
const unitScale = (scale * retailShare) / (atPeak.shape.largestUnit / atPeak.shape.people);

// The tests read the org tree on every request (its 30 s cache is off), which a warm Lambda does
// not: it keeps DynamoDB's real limit here, and the model charges its loads per instance.
const scaleOf = (family: string): number => {
  const spread = spreads[family];
  if (family.startsWith("ORG") || spread === undefined) return 1;
  if (spread === "unit" || (typeof spread === "object" && "shards" in spread)) return unitScale;
  return typeof spread === "object" ? scale : 1;
};
const budgetOf = (_table: string, partitionKey: string) => {
  const by = scaleOf(keyFamily(partitionKey));
  return { write: limits.partitionWriteUnits * by, read: limits.partitionReadUnits * by };
};

const courseCompleted = "com.tianma.learning.course.completed";
const boards = new DynamoLeaderboardStore(createDocumentClient(), tableNames.state);
const units = ["tianma-retail"];

interface Run {
  budget: KeyBudget;
  answers: Map<string, { personId: string; coins: number; points: number }>;
  statuses: Map<number, number>;
  retries: number;
  missingRetryAfter: number;
  times: number[];
}

/** Sends `eventsPerSecond × seconds` events, `inFlight` at a time, each retried after a 503 or a busy answer. */
async function drive(budget: KeyBudget): Promise<Run> {
  const run: Run = { budget, answers: new Map(), statuses: new Map(), retries: 0, missingRetryAfter: 0, times: [] };
  let attempts = 0;
  const events = Array.from({ length: eventsPerSecond * seconds }, (_, i) =>
    cloudEvent(courseCompleted, subjectOf(i), { courseId: `course-${i % 5}`, score: 90 }),
  );
  const send = async (event: ReturnType<typeof cloudEvent>) => {
    const started = performance.now();
    for (let attempt = 1; attempt <= 30; attempt++) {
      // The logical clock: every request that reaches the API is part of the load of its second.
      budget.tick(Math.floor(attempts++ / eventsPerSecond));
      const response: ApiResponse = await deliver("tianma-learning", event, { secret: secrets["tianma-learning"] as string });
      run.statuses.set(response.status, (run.statuses.get(response.status) ?? 0) + 1);
      const answer = (response.body?.results?.[0] ?? response.body) as { status?: string; awards?: { asset: string; amount: number }[] };
      if (response.status === 503 || answer?.status === "rejected") {
        if (response.status === 503 && !response.headers["retry-after"]) run.missingRetryAfter += 1;
        run.retries += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        continue;
      }
      expect(answer?.status, JSON.stringify(response.body)).toBe("accepted");
      const sum = (wanted: (asset: string) => boolean) =>
        (answer.awards ?? []).filter((a) => wanted(a.asset)).reduce((total, a) => total + a.amount, 0);
      run.answers.set(event.id, {
        personId: event.subject as string,
        coins: sum((a) => a === "coin"),
        points: sum((a) => a.startsWith("point:")),
      });
      run.times.push(performance.now() - started);
      return;
    }
    throw new Error(`event ${event.id} still refused after 30 attempts`);
  };
  const queue = [...events];
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let event = queue.shift(); event; event = queue.shift()) await send(event);
    }),
  );
  return run;
}

const coinsOf = async (personId: string): Promise<number> => (await admin.get(`/people/${personId}/balances`)).body.coins as number;
const balances = async () => new Map(await Promise.all(people.map(async (id) => [id, await coinsOf(id)] as const)));

/** Every event answered accepted exactly once, and each person's coins moved by exactly what was answered. */
async function nothingLost(before: Map<string, number>, run: Run) {
  expect(run.answers.size).toBe(eventsPerSecond * seconds);
  const after = await balances();
  for (const id of people) {
    const answered = [...run.answers.values()].filter((a) => a.personId === id).reduce((sum, a) => sum + a.coins, 0);
    expect(after.get(id), id).toBe((before.get(id) ?? 0) + answered);
  }
  expect(await ledgerProblems(people)).toEqual([]);
}

function describeRun(label: string, run: Run) {
  const sorted = run.times.toSorted((a, b) => a - b);
  const at = (q: number) => (sorted[Math.floor((sorted.length - 1) * q)] ?? 0).toFixed(0);
  const busiest = [...run.budget.busiest].map(([family, units]) => `${family} ${units.write}/${units.read}`).join(", ");
  console.log(
    `hot keys, ${label}: scale 1:${Math.round(1 / scale)} (${eventsPerSecond} events a logical second for ${Math.round(peakEvents)}); ` +
      `statuses ${JSON.stringify(Object.fromEntries(run.statuses))}, ${run.retries} retries, ` +
      `throttled ${JSON.stringify(Object.fromEntries(run.budget.throttled))}; time per event p50 ${at(0.5)} ms, p95 ${at(0.95)} ms; ` +
      `busiest key per family (WRU/RRU in a second): ${busiest}`,
  );
}

const installed: (() => void)[] = [];
afterAll(() => {
  for (const restore of installed) restore();
});

describe("hot keys at the million-person peak, scaled down", () => {
  it("scales from the model: a million people send thousands of events a second at peak", () => {
    expect(peakEvents).toBeGreaterThan(5_000);
    expect(scale).toBeLessThan(0.01);
  });

  it("the projector, a logical second's records to a stream batch: no unit aggregate or board key over its budget, every entry once", async () => {
    const stream = (handler: (event: DynamoDBStreamEvent) => Promise<unknown>) =>
      new StreamPoller({
        endpoint: process.env.DYNAMODB_ENDPOINT as string,
        client: createDynamoClient(),
        table: tableNames.ledger,
        // Each event awards coins and points: two chain entries a second per event.
        batchSize: 2 * eventsPerSecond,
        filter: (record) => (record.dynamodb?.Keys?.pk?.S ?? "").startsWith("CHAIN#person:"),
        handler: (event) => handler(event) as Promise<DynamoDBBatchResponse>,
      });
    // What the earlier tests wrote, projected first, outside the budget.
    const earlier = stream((event) => projector(event, lambdaContext("projector")));
    await earlier.drain();
    await earlier.stop();
    const allTime = async () => (await boards.aggregates("unit", units, "all")).get("tianma-retail")?.points ?? 0;
    const before = await allTime();
    const run = await drive(new KeyBudget({ budgetOf, familyOf: keyFamily }));

    const budget = new KeyBudget({ budgetOf, familyOf: keyFamily });
    const uninstall = budget.install();
    let second = 0;
    const poller = stream((event) => {
      budget.tick(second++);
      return projector(event, lambdaContext("projector"));
    });
    try {
      await poller.drain();
    } finally {
      await poller.stop();
      uninstall();
    }
    console.log(
      `hot keys, projector: ${second} stream batches; throttled ${JSON.stringify(Object.fromEntries(budget.throttled))}; ` +
        `busiest key per family (WRU/RRU in a second): ${[...budget.busiest].map(([family, units]) => `${family} ${units.write}/${units.read}`).join(", ")}`,
    );
    expect(Object.fromEntries(budget.throttled)).toEqual({});
    for (const family of ["state LB#UNIT#<…>", "state.lb1 B#<…>"]) {
      expect(budget.busiest.get(family)?.write, family).toBeGreaterThan(0);
      expect(budget.busiest.get(family)?.write, family).toBeLessThanOrEqual(limits.partitionWriteUnits * unitScale);
    }
    const awarded = [...run.answers.values()].filter((a) => retail.has(a.personId)).reduce((sum, a) => sum + a.points, 0);
    expect(awarded).toBeGreaterThan(0);
    expect(await allTime()).toBe(before + awarded);
    // Every point the unit's people ever had, once: the aggregate equals their chains' entries.
    const chains = await Promise.all([...retail].map(storedChain));
    const folded = chains.flatMap((chain) => chain.entries).reduce((sum, entry) => sum + (pointChange(entry)?.delta ?? 0), 0);
    expect(await allTime()).toBe(folded);
  }, 180_000);

  it("as built, no key passes its scaled budget: nothing throttled, nothing lost", async () => {
    const before = await balances();
    const budget = new KeyBudget({ budgetOf, familyOf: keyFamily });
    installed.push(budget.install());
    const run = await drive(budget);
    installed.pop()?.();
    describeRun("as built", run);
    expect(Object.fromEntries(budget.throttled)).toEqual({});
    expect(run.retries).toBe(0);
    const versions = budget.busiest.get("state DEFINITIONS#<…>");
    expect(versions?.read).toBeGreaterThan(0);
    expect(versions?.read).toBeLessThanOrEqual(limits.partitionReadUnits * scale);
    await nothingLost(before, run);
  }, 120_000);

  it("with the versions item as one key, it throttles: 503s with Retry-After, retries, and still nothing lost", async () => {
    const before = await balances();
    const budget = new KeyBudget({
      budgetOf,
      familyOf: keyFamily,
      keyOf: (_table, partitionKey) => (keyFamily(partitionKey) === "DEFINITIONS#<…>" ? "DEFINITIONS (one key)" : partitionKey),
    });
    installed.push(budget.install());
    const run = await drive(budget);
    installed.pop()?.();
    describeRun("versions as one key", run);
    expect(budget.throttled.get("state DEFINITIONS#<…>") ?? 0).toBeGreaterThan(0);
    expect(run.statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(run.missingRetryAfter).toBe(0);
    await nothingLost(before, run);
  }, 180_000);
});

/**
 * Figures measured through the API against DynamoDB Local: round trips and capacity units per
 * request (counted by ./dynamo-meter.ts), and webhook batch time as a ratio to a single event.
 */

import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBStreamEvent } from "aws-lambda";
import { Webhook } from "standardwebhooks";
import { mapLimit } from "../domain/kernel/concurrency.ts";
import { periodKey } from "../domain/kernel/periods.ts";
import { createDocumentClient, createDynamoClient } from "../functions/dynamo/client.ts";
import { DynamoDefinitionStore } from "../functions/dynamo/definition-store.ts";
import { DynamoDirectory } from "../functions/dynamo/directory-store.ts";
import { keys } from "../functions/dynamo/keys.ts";
import { tableName } from "../functions/dynamo/tables.ts";
import { compressed } from "../functions/http/compression.ts";
import { demoAdmin, demoPeople } from "../scripts/demo-data.ts";
import { familyFigures, operations, orgUnitsName, projectorFigures } from "./support/capacity.ts";
import { type Metered, metered } from "./support/dynamo-meter.ts";
import { atMost, costPerMillion, median, notYet, type Options, type Result, reported } from "./support/result.ts";
import type { Response, System } from "./support/system.ts";

const person = "yang-xue";
const award = { personId: person, coins: 20, points: { capability: "tool-operation", amount: 10 }, reason: "完成《AI 工具实操》课程" };

export function expectStatus(what: string, response: Response, ...statuses: number[]): Response {
  if (!statuses.includes(response.status)) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response;
}

export async function ledgerFigures(system: System): Promise<Result[]> {
  const post = () => system.admin("POST", "/awards", award, { "idempotency-key": randomUUID() });
  // Warm: the first calls fill the org tree cache and load each area's module.
  expectStatus("award", await post(), 201);
  expectStatus("balances", await system.admin("GET", `/people/${person}/balances`), 200);

  const balances = await metered(() => system.admin("GET", `/people/${person}/balances`));
  expectStatus("balances", balances.result, 200);
  const awarded = await metered(post);
  expectStatus("award", awarded.result, 201);
  // The 记录 screen's first request: 15 rows, the page's first page, full.
  const shown = (await system.admin("GET", `/people/${person}/ledger?limit=15`)).body.entries.length as number;
  for (let i = shown; i < 15; i++) expectStatus("award", await post(), 201);
  const history = await metered(() => system.admin("GET", `/people/${person}/ledger?limit=15`));
  expectStatus("history", history.result, 200);
  // The org tree as an instance loads it after a change of a unit.
  const directory = new DynamoDirectory(
    createDocumentClient(),
    { state: tableName("state"), ledger: tableName("ledger") },
    new DynamoDefinitionStore(createDocumentClient(), tableName("state")),
  );
  const tree = await metered(() => directory.orgTree());
  // A new lead: the unit, the org tree's counter (8 copies) and the audit record in one transaction; the next read reloads the tree.
  const storeEast = (name: string) => ({ name, kind: "team", parentId: "retail-ops", leadId: "liu-yang" });
  const unitChange = await metered(() => system.admin("PUT", "/admin/org-units/store-east", storeEast("华东门店组（新）")));
  expectStatus("org unit", unitChange.result, 200);
  const afterChange = await metered(() => system.admin("GET", `/people/${person}/balances`));
  expectStatus("balances", afterChange.result, 200);
  expectStatus("org unit", await system.admin("PUT", "/admin/org-units/store-east", storeEast("华东门店组")), 200);

  return [
    reported("org unit change: write units", unitChange.writeUnits, "WRU"),
    atMost("balance read right after an org unit change: DynamoDB round trips", afterChange.roundTrips, "requests", 2),
    atMost("balance read: DynamoDB round trips (warm)", balances.roundTrips, "requests", 1),
    reported("balance read: read units", balances.readUnits, "RRU"),
    atMost("history first page: DynamoDB round trips (requests in flight together count once)", history.sequentialTrips, "requests", 1),
    reported("history first page: DynamoDB requests", history.roundTrips, "requests"),
    ...answerBytes("history first page (15 rows)", JSON.stringify(history.result.body)),
    reported("award, coins + points: DynamoDB round trips", awarded.roundTrips, "requests"),
    reported("award, coins + points: write units", awarded.writeUnits, "WRU"),
    reported("award, coins + points: read units", awarded.readUnits, "RRU"),
    reported("award, coins + points: DynamoDB cost per million awards", costPerMillion(awarded.writeUnits, awarded.readUnits), "USD"),
    ...familyFigures(operations.balanceRead, balances),
    ...familyFigures(operations.award, awarded),
    ...familyFigures(operations.orgTreeLoad, tree),
    reported(orgUnitsName, tree.result.units().length, "units"),
  ];
}

/** An answer's bytes on the wire: plain, and as functions/http/compression.ts sends it to a browser (brotli) and to a gzip-only client. */
function answerBytes(name: string, text: string): Result[] {
  const wire = (acceptEncoding: string) => Buffer.from(compressed({ statusCode: 200, body: text }, acceptEncoding).body ?? "", "base64");
  return [
    reported(`${name}: answer bytes, plain`, Buffer.byteLength(text), "bytes"),
    reported(`${name}: answer bytes, brotli (browsers)`, wire("gzip, deflate, br").byteLength, "bytes"),
    reported(`${name}: answer bytes, gzip`, wire("gzip").byteLength, "bytes"),
  ];
}

/**
 * The fund's write paths and their lists, as the capacity model scales them: a redemption (with
 * its listing), a claim submitted and decided (with the approvers' queue), and the two lists read.
 */
export async function fundFigures(system: System): Promise<Result[]> {
  const manager = system.as("huang-tao", ["manager"]);
  const lead = system.as("liu-yang", ["manager"]);
  const approver = system.as("jiang-wen", ["approver", "manager"]);
  const finance = system.as("peng-li", ["finance"]);
  const rewardId = `bench-${randomUUID().slice(0, 8)}`;
  const fundId = `bench-${randomUUID().slice(0, 8)}`;
  const limits = { perClaim: 1_000_000, perPersonInPeriod: 100_000_000 };
  expectStatus(
    "reward",
    await system.admin("PUT", `/admin/rewards/${rewardId}`, { name: { zh: "书籍" }, price: 1, stock: "unlimited" }),
    200,
  );
  expectStatus(
    "coins",
    await system.admin("POST", "/awards", { personId: "huang-tao", coins: 10, reason: "bench" }, { "idempotency-key": randomUUID() }),
    201,
  );
  expectStatus(
    "fund",
    await finance("POST", "/funds", { fundId, name: "bench", currency: "CNY", period: "2026", limits, twoApprovalsAbove: 1_000_000 }),
    201,
  );
  expectStatus(
    "deposit",
    await finance("POST", `/funds/${fundId}/deposits`, { amount: 10_000_000, reason: "bench" }, { "idempotency-key": randomUUID() }),
    201,
  );
  const redeem = () => manager("POST", "/redemptions", { rewardId }, { "idempotency-key": randomUUID() });
  const claimBody = {
    scenario: "bench",
    measuredValue: "bench",
    amount: 1_000,
    split: { by: "amount", parts: [{ personId: "yang-xue", amount: 1_000 }] },
  };
  const claimAndDecide = async () => {
    const submitted = expectStatus(
      "claim",
      await lead("POST", `/funds/${fundId}/claims`, claimBody, { "idempotency-key": randomUUID() }),
      201,
    );
    const claimId = (submitted.body as { claim: { claimId: string } }).claim.claimId;
    return expectStatus(
      "decision",
      await approver("POST", `/claims/${claimId}/decisions`, { decision: "approve", comment: "ok" }, { "idempotency-key": randomUUID() }),
      200,
    );
  };
  // Warm: each area's module and the org tree cache, as a warm Lambda has them.
  expectStatus("redemption", await redeem(), 201);
  await claimAndDecide();
  await lead("POST", `/funds/${fundId}/claims`, claimBody, { "idempotency-key": randomUUID() });
  const redeemed = await metered(redeem);
  expectStatus("redemption", redeemed.result, 201);
  const claimed = await metered(claimAndDecide);
  const mine = await metered(() => manager("GET", "/people/huang-tao/redemptions"));
  expectStatus("my redemptions", mine.result, 200);
  const waiting = await metered(() => approver("GET", "/people/jiang-wen/claims-waiting"));
  expectStatus("claims waiting", waiting.result, 200);
  return [
    reported("redemption (with its listing): write units", redeemed.writeUnits, "WRU"),
    reported("fund claim submitted and decided (with the approvers' queue): write units", claimed.writeUnits, "WRU"),
    ...familyFigures(operations.redemption, redeemed),
    ...familyFigures(operations.fundClaim, claimed),
    ...familyFigures(operations.redemptionsRead, mine),
    ...familyFigures(operations.claimsWaitingRead, waiting),
  ];
}

export const webhookNames = {
  single: "webhook, accepted single event: DynamoDB round trips",
  duplicate: "webhook, duplicate event: DynamoDB round trips",
  writes: "webhook, accepted event (coins + points): write units",
  cost: "webhook, accepted event: DynamoDB cost per million events",
  batch: "webhook, 100-event batch ÷ single-event request (wall time)",
  batchPeople: "webhook, 100-event batch over 100 people: DynamoDB round trips",
  batchOnePerson: "webhook, 100-event batch for one person: DynamoDB round trips",
  batchCorrections:
    "webhook, 100-event batch over 90 people, 10 of them a retraction without a subject of an earlier event and the corrected event: DynamoDB round trips",
  busy: "webhook, 50 concurrent single events for one person: busy answers",
  cpuShare: "webhook, 100-event batch: handler CPU time",
  singleTime: "webhook, single-event request: time (median, warm)",
  batchTime: "webhook, 100-event batch: time (median)",
  budgetWrites: "webhook, accepted event drawing on a coin budget: write units",
  budgetAdded: "webhook, coin budget: write units added per award",
  budgetTrips: "webhook, accepted event drawing on a coin budget: DynamoDB round trips",
};

const eventType = "com.tianma.learning.course.completed";

export interface Webhooks {
  /** A course-completed CloudEvent for `subject`, or for the next demo person round robin. */
  event(subject?: string): Record<string, unknown>;
  deliver(body: unknown, batch?: boolean): Promise<Response>;
  /** Throws unless the answer accepted exactly `count` events. */
  accepted(response: Response, count: number): void;
  statusesOf(response: Response): string[];
}

/** The bench's source and rule (coins 10 + points 5 per completed course), and a signed sender. */
export async function prepareWebhooks(system: System): Promise<Webhooks> {
  const source = expectStatus(
    "source",
    await system.admin("PUT", "/admin/sources/bench-lms", { name: "Bench LMS", eventTypes: [{ type: eventType }] }),
    200,
    201,
  );
  const webhook = new Webhook(source.body.secret as string);
  expectStatus(
    "rule",
    await system.admin("PUT", "/admin/rules/course-completed", {
      name: { zh: "完成课程", en: "Course completed" },
      eventType,
      trigger: { kind: "each" },
      award: { coins: 10, points: { capability: "tool-operation", amount: 5 } },
    }),
    200,
    201,
  );

  // Round robin over the org but the admin who defined the source and rule (separation of duties
  // refuses to pay them under it): events in flight together in a batch rarely share a person.
  const people = demoPeople.map((p) => p.personId).filter((personId) => personId !== demoAdmin);
  let sent = 0;
  const event = (subject?: string) => ({
    specversion: "1.0",
    id: randomUUID(),
    source: "bench-lms",
    type: eventType,
    subject: subject ?? people[sent++ % people.length],
    time: new Date().toISOString(),
    data: { course: "ai-tools-101" },
  });
  const deliver = (body: unknown, batch = false) => {
    const payload = JSON.stringify(body);
    const id = `msg_${randomUUID()}`;
    return system.raw("POST", "/webhooks/bench-lms", payload, {
      "content-type": batch ? "application/cloudevents-batch+json" : "application/cloudevents+json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": webhook.sign(id, new Date(), payload),
    });
  };
  const statusesOf = (response: Response): string[] => ((response.body?.results ?? []) as { status: string }[]).map((r) => r.status);
  const accepted = (response: Response, count: number) => {
    const statuses = statusesOf(expectStatus("webhook", response, 200, 201, 202, 207));
    if (statuses.length !== count || statuses.some((s) => s !== "accepted")) {
      throw new Error(`webhook answered ${JSON.stringify(response.body).slice(0, 500)}`);
    }
  };

  return { event, deliver, accepted, statusesOf };
}

/**
 * Written against the webhook API as specified (PUT /admin/sources/{id} returns the signing
 * secret once; PUT /admin/rules/{id}; POST /webhooks/{id} with Standard Webhooks signatures and
 * CloudEvents bodies), so the rows light up once those routes exist.
 */
export async function webhookFigures(system: System, options: Options): Promise<{ results: Result[]; webhooks?: Webhooks }> {
  const missing = [
    ["POST", "/webhooks/{sourceId}"],
    ["PUT", "/admin/sources/{sourceId}"],
    ["PUT", "/admin/rules/{ruleId}"],
  ].filter(([method, path]) => !system.route(method as string, path as string));
  if (missing.length > 0) {
    const results = [
      notYet(webhookNames.single, "requests", "≤ 2"),
      notYet(webhookNames.duplicate, "requests", "≤ 1"),
      notYet(webhookNames.writes, "WRU", "≤ 8"),
      notYet(webhookNames.cost, "USD", null),
      notYet(webhookNames.batch, "ratio", "≤ 25"),
      notYet(webhookNames.cpuShare, "% of wall time", null),
      notYet(webhookNames.singleTime, "ms", null),
      notYet(webhookNames.batchTime, "ms", null),
      notYet(webhookNames.budgetWrites, "WRU", null),
      notYet(webhookNames.budgetAdded, "WRU", "≤ 4"),
      notYet(webhookNames.budgetTrips, "requests", null),
    ];
    return { results };
  }

  const webhooks = await prepareWebhooks(system);
  const { event, deliver, accepted, statusesOf } = webhooks;

  // Warm: caches (rules, sources, org tree, the secret key) filled as in a warm Lambda.
  accepted(await deliver(event()), 1);
  const first = event();
  const single = await metered(() => deliver(first));
  accepted(single.result, 1);
  const duplicate = await metered(() => deliver(first));
  if (statusesOf(duplicate.result)[0] !== "duplicate") throw new Error(`a redelivery answered ${JSON.stringify(duplicate.result.body)}`);

  const runs = options.quick ? 3 : 7;
  const singleTimes: number[] = [];
  const batchTimes: number[] = [];
  // How much of a batch's time this process (the handler) computes rather than waits on DynamoDB Local.
  const batchCpuShares: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < 5; i++) {
      const body = event();
      const started = performance.now();
      const response = await deliver(body);
      singleTimes.push(performance.now() - started);
      accepted(response, 1);
    }
    const batch = Array.from({ length: 100 }, event);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const response = await deliver(batch, true);
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    batchTimes.push(wall);
    batchCpuShares.push((used.user + used.system) / 1000 / wall);
    accepted(response, 100);
  }
  const ratio = Math.round((median(batchTimes) / median(singleTimes)) * 10) / 10;
  const { handler: projectorHandler } = await import("../functions/background/projector.ts");
  const { lambdaContext } = await import("../scripts/local/lambda.ts");
  const handler = (event: DynamoDBStreamEvent) => projectorHandler(event, lambdaContext("projector"));
  const projector = await projectorFigures(
    { handler, entryImage },
    await Promise.all(demoPeople.slice(0, 2).map((p) => lastPointsEntry(p.personId))),
  );

  // Round trips of a batch: 100 people one event each (people made for it), and one person 100 times.
  const hundred = Array.from({ length: 100 }, (_, i) => `bench-w${String(i).padStart(3, "0")}`);
  await mapLimit(hundred, 16, async (personId) => {
    const person = { name: `基准${personId.slice(-3)}`, tier: "base", tierSince: "2024-01-01", orgUnitId: "store-east" };
    expectStatus("person", await system.admin("PUT", `/admin/people/${personId}`, person), 200, 201);
  });
  const overPeople = await metered(() =>
    deliver(
      hundred.map((personId) => event(personId)),
      true,
    ),
  );
  accepted(overPeople.result, 100);
  const onePerson = await metered(() =>
    deliver(
      Array.from({ length: 100 }, () => event(hundred[0])),
      true,
    ),
  );
  accepted(onePerson.result, 100);
  // Ten results corrected in a batch of others': each retracted (no subject) and sent again after its retraction.
  const wrong = hundred.slice(2, 12).map((personId) => event(personId));
  accepted(await deliver(wrong, true), 10);
  const retraction = (eventId: unknown) => ({
    specversion: "1.0",
    id: randomUUID(),
    source: "bench-lms",
    type: "laurel.event.retracted",
    time: new Date().toISOString(),
    data: { eventId },
  });
  const corrections = await metered(() =>
    deliver(
      [
        ...wrong.flatMap((e) => [retraction(e.id), { ...e, id: randomUUID() }]),
        ...hundred.slice(12, 92).map((personId) => event(personId)),
      ],
      true,
    ),
  );
  accepted(corrections.result, 100);
  // Each answer a 200 whose event is accepted, or busy: a 503 problem (with Retry-After) the sender retries.
  const concurrent = await Promise.all(Array.from({ length: 50 }, () => deliver(event(hundred[1]))));
  const busy = concurrent.filter((response) => response.status === 503 || statusesOf(response).some((s) => s !== "accepted")).length;
  const budgeted = await budgetFigures(system, webhooks, single);

  const results = [
    atMost(webhookNames.single, single.roundTrips, "requests", 2),
    atMost(webhookNames.duplicate, duplicate.roundTrips, "requests", 1),
    atMost(webhookNames.writes, single.writeUnits, "WRU", 8),
    reported(webhookNames.cost, costPerMillion(single.writeUnits, single.readUnits), "USD"),
    atMost(webhookNames.batch, ratio, "ratio", 25),
    atMost(webhookNames.batchPeople, overPeople.roundTrips, "requests", 12),
    atMost(webhookNames.batchOnePerson, onePerson.roundTrips, "requests", 8),
    reported(webhookNames.batchCorrections, corrections.roundTrips, "requests"),
    atMost(webhookNames.busy, (busy / 50) * 100, "%", 2),
    reported(webhookNames.cpuShare, Math.round(median(batchCpuShares) * 100), "% of wall time"),
    reported(webhookNames.singleTime, Math.round(median(singleTimes) * 10) / 10, "ms"),
    reported(webhookNames.batchTime, Math.round(median(batchTimes)), "ms"),
    ...budgeted,
    ...familyFigures(operations.webhookEvent, single),
    ...projector,
  ];
  return { results, webhooks };
}

/**
 * The same event for a person whose unit has a coin budget: what the draw adds (a counter update
 * in the transaction, two if the draw spans shards; the budget's counters read before the plan).
 */
async function budgetFigures(system: System, { event, deliver, accepted }: Webhooks, without: Metered<unknown>): Promise<Result[]> {
  const unit = { name: "基准预算组", kind: "team", parentId: "retail-ops" };
  expectStatus("org unit", await system.admin("PUT", "/admin/org-units/bench-budget", unit), 200, 201);
  const person = { name: "基准预算", tier: "base", tierSince: "2024-01-01", orgUnitId: "bench-budget" };
  expectStatus("person", await system.admin("PUT", "/admin/people/bench-b001", person), 200, 201);
  const month = periodKey(new Date(), "month");
  expectStatus("budget", await system.admin("PUT", `/budgets/bench-budget/${month}`, { coins: 1_000_000 }), 200);
  // Warm: the budgets' definitions and the org tree read as in a warm Lambda.
  accepted(await deliver(event("bench-b001")), 1);
  const drawn = await metered(() => deliver(event("bench-b001")));
  accepted(drawn.result, 1);
  return [
    reported(webhookNames.budgetWrites, drawn.writeUnits, "WRU"),
    atMost(webhookNames.budgetAdded, drawn.writeUnits - without.writeUnits, "WRU", 4),
    reported(webhookNames.budgetTrips, drawn.roundTrips, "requests"),
  ];
}

const ledgerClient = () => createDynamoClient();

/** The newest points entry in a person's chain, by key. */
async function lastPointsEntry(personId: string | undefined): Promise<{ pk: string; sk: string }> {
  const { Items = [] } = await ledgerClient().send(
    new QueryCommand({
      TableName: tableName("ledger"),
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :entry)",
      ExpressionAttributeValues: { ":pk": { S: keys.chain(`person:${personId}`) }, ":entry": { S: keys.entryPrefix } },
      ScanIndexForward: false,
      Limit: 10,
    }),
  );
  const item = Items.find((i) => i.asset?.S?.startsWith("point:"));
  if (!item?.pk?.S || !item.sk?.S) throw new Error(`${personId} has no points entry`);
  return { pk: item.pk.S, sk: item.sk.S };
}

async function entryImage(pk: string, sk: string) {
  const { Item } = await ledgerClient().send(new GetItemCommand({ TableName: tableName("ledger"), Key: { pk: { S: pk }, sk: { S: sk } } }));
  if (!Item) throw new Error(`no ledger item ${pk} ${sk}`);
  return Item as Record<string, AttributeValue>;
}

/** The page's JS + CSS gzipped, as built in web/dist (npm run build:web; npm start and npm test build it). */
export function pageSizeFigure(): Result {
  const dist = new URL("../web/dist/", import.meta.url);
  // The JS and CSS are inline in index.html: the file as a whole, a little more than the two.
  const name = "page: index.html with its JS + CSS, gzipped";
  const index = new URL("index.html", dist);
  if (!existsSync(index)) return notYet(name, "KB", "≤ 60");
  const bytes = gzipSync(readFileSync(index), { level: 9 }).byteLength;
  return atMost(name, Math.round((bytes / 1024) * 10) / 10, "KB", 60);
}

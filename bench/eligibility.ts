/**
 * HR eligibility checks (GET /people/{id}/eligibility) through `dispatch`, counted by
 * ./dynamo-meter.ts: round trips of a check now, its time for a long history against a short one,
 * and the reads and time of a check as of a past day.
 *
 * Creating 10,000 entries through the API takes too long on DynamoDB Local, so the history is
 * written directly, but as the API writes it: movements recorded by the domain's
 * `appendMovements` (as POST /awards records an award of coins + points) and written by
 * `DynamoLedgerStore.append`, at most 90 entries per append, so that the entries, the hash chain,
 * the chain head and the checkpoints (every 50 entries, written by the store itself) are exactly
 * the API's. Only the idempotency records of the awards are missing; no check reads them.
 */

import { mapLimit } from "../domain/kernel/concurrency.ts";
import { type OrgUnitId, type PersonId, personAccount, systemAccount } from "../domain/kernel/model.ts";
import { projectEntry } from "../domain/leaderboards/index.ts";
import { appendMovements, type ChainState, type LedgerEntry, type Movement } from "../domain/ledger/index.ts";
import { createDocumentClient } from "../functions/dynamo/client.ts";
import { DynamoLeaderboardStore } from "../functions/dynamo/leaderboard-store.ts";
import { DynamoLedgerStore } from "../functions/dynamo/ledger-store.ts";
import { tableName } from "../functions/dynamo/tables.ts";
import { loadDemoDefinitions } from "../scripts/demo-data.ts";
import { familyFigures, operations as measured } from "./support/capacity.ts";
import { metered } from "./support/dynamo-meter.ts";
import { atMost, median, type Options, type Result, reported } from "./support/result.ts";
import type { Response, System } from "./support/system.ts";

const gate = "base-to-middle";
const hr = { personId: "deng-hua", roles: ["hr"] };
/** Entries per append, cycled: a mix like real traffic, none over the 90 the brief allows. */
const appendSizes = [90, 2, 36, 64, 10, 88, 20, 50, 4, 72];
const historyDays = 200;
const thousandUnit = "bench-thousand";
/** A member of that unit whose points this week rank them far below the top 10. */
const outsider = "bench-m0003";

/**
 * Points this week for every member of the 1,000-person unit (1 to 500 each, with ties), written
 * as the projector writes them from their entries: a board of a thousand people with points.
 */
async function scoreThisWeek(members: string[], timeZone: string): Promise<void> {
  const boards = new DynamoLeaderboardStore(createDocumentClient(), tableName("state"));
  const units = [thousandUnit, "retail-ops", "tianma-retail"] as OrgUnitId[];
  const now = new Date().toISOString();
  const projections = members.flatMap((personId, i) => {
    const holder = personAccount(personId as PersonId);
    const amount = 1 + ((i * 37) % 500);
    const entry = {
      entryId: `person.${personId}.1`,
      holder,
      seq: 1,
      asset: "point:tool-operation",
      amount,
      from: systemAccount("issuer"),
      to: holder,
    };
    return projectEntry({ ...entry, occurredAt: now, recordedAt: now } as LedgerEntry, units, timeZone) ?? [];
  });
  for (let i = 0; i < projections.length; i += 100) await boards.applyBatch(projections.slice(i, i + 100));
}

const dayIn = (iso: string, timeZone: string) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(iso));

function ok(what: string, response: Response): Response {
  if (response.status !== 200) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
  return response;
}

/**
 * Writes `count` entries (coins and points awarded in pairs by the admin) to the person's chain,
 * the appends spread evenly over the last `historyDays` days. Returns the chain after each append.
 */
async function writeHistory(store: DynamoLedgerStore, personId: PersonId, count: number) {
  const holder = personAccount(personId);
  const snapshot = await store.readPerson(personId);
  let chain: ChainState = snapshot.chain;
  let version = snapshot.headVersion;
  const sizes: number[] = [];
  for (let left = count, i = 0; left > 0; i++) {
    const size = Math.min(appendSizes[i % appendSizes.length] as number, left);
    sizes.push(size);
    left -= size;
  }
  const start = Date.now() - historyDays * 86_400_000;
  const step = (historyDays * 86_400_000) / sizes.length;
  const after: { recordedAt: string; seq: number; headHash: string }[] = [];
  for (const [i, size] of sizes.entries()) {
    const recordedAt = new Date(start + i * step).toISOString();
    const base = {
      kind: "award" as const,
      from: systemAccount("issuer"),
      to: holder,
      actor: { kind: "person" as const, personId: "cao-yi" as PersonId },
      occurredAt: recordedAt,
    };
    const movements: Movement[] = [];
    for (let n = 0; n < size; n += 2) {
      const reason = `完成《AI 工具实操》第 ${chain.seq + n / 2 + 1} 课`;
      movements.push({ ...base, asset: "coin", amount: 2, reason });
      if (n + 1 < size) movements.push({ ...base, asset: "point:tool-operation", amount: 1, reason });
    }
    const { entries, state } = appendMovements(chain, movements, recordedAt);
    await store.append({
      chains: [{ before: chain, after: state, entries, ruleState: snapshot.ruleState, headVersion: version }],
      records: [],
    });
    chain = state;
    version += 1;
    after.push({ recordedAt, seq: state.seq, headHash: state.headHash });
  }
  return after;
}

export async function eligibilityFigures(system: System, options: Options): Promise<Result[]> {
  const long = options.quick ? 2_000 : 10_000;
  const short = 10;
  const label = long.toLocaleString("en-US");
  const suffix = options.quick ? " (quick)" : "";
  const timeZone = process.env.TIME_ZONE ?? "Asia/Shanghai";

  await loadDemoDefinitions((method, url, body, key) => system.admin(method, url, body, key ? { "idempotency-key": key } : {}));
  const people = { long: "bench-long" as PersonId, short: "bench-short" as PersonId };
  for (const [name, personId] of Object.entries(people)) {
    const person = { name: `基准${name}`, tier: "base", tierSince: "2024-01-01", orgUnitId: "store-east", managerId: "liu-yang" };
    const answer = await system.admin("PUT", `/admin/people/${personId}`, person);
    if (answer.status >= 300) throw new Error(`person ${personId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  // An org unit of 1,000 people, before the eligibility area's first request caches the org tree.
  const unitAnswer = await system.admin("PUT", `/admin/org-units/${thousandUnit}`, {
    name: "基准千人组",
    kind: "team",
    parentId: "retail-ops",
  });
  if (unitAnswer.status >= 300) throw new Error(`org unit answered ${unitAnswer.status}: ${JSON.stringify(unitAnswer.body)}`);
  const members = Array.from({ length: 1000 }, (_, i) => `bench-m${String(i).padStart(4, "0")}`);
  await mapLimit(members, 16, async (personId) => {
    const person = { name: `基准成员${personId.slice(-4)}`, tier: "base", tierSince: "2024-01-01", orgUnitId: thousandUnit };
    const answer = await system.admin("PUT", `/admin/people/${personId}`, person);
    if (answer.status >= 300) throw new Error(`person ${personId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  });
  await scoreThisWeek(members, timeZone);
  const store = new DynamoLedgerStore(createDocumentClient(), { ledger: tableName("ledger"), state: tableName("state") });
  const writing = performance.now();
  const longHistory = await writeHistory(store, people.long, long);
  await writeHistory(store, people.short, short);
  console.error(`eligibility: wrote ${long} + ${short} entries in ${((performance.now() - writing) / 1000).toFixed(1)} s`);

  const asHr = system.as(hr.personId, hr.roles);
  const check = (personId: string, asOf?: string) =>
    asHr("GET", `/people/${personId}/eligibility?gate=${gate}${asOf ? `&asOf=${asOf}` : ""}`);

  // As of the end of a day about 60 % into the history; the expected chain position is known.
  const pick = longHistory[Math.floor(longHistory.length * 0.6)] as (typeof longHistory)[number];
  const asOf = dayIn(pick.recordedAt, timeZone);
  const expected = longHistory.filter((a) => dayIn(a.recordedAt, timeZone) <= asOf).at(-1) as (typeof longHistory)[number];
  const evidence = `person.${people.long}.1…${expected.seq} (head ${expected.headHash.slice(0, 16)})`;

  // Warm: the eligibility area's module, its definitions cache and the org tree cache.
  for (let i = 0; i < 3; i++) {
    ok("check", await check(people.short));
    ok("check", await check(people.long));
    ok("asOf check", await check(people.long, asOf));
  }
  const unitCheck = () => asHr("POST", "/eligibility-checks", { gateId: gate, orgUnitId: thousandUnit });
  ok("unit check", await unitCheck());
  const unit = await metered(unitCheck);
  if (ok("unit check", unit.result).body.results.length !== 1000) throw new Error("the unit check did not answer for 1,000 people");
  // The leaderboard of that unit (its 1,000 people ranked), as HR reads it, warm.
  const boardOf = () => asHr("GET", `/leaderboards?orgUnit=${thousandUnit}&period=week`);
  ok("board", await boardOf());
  const board = await metered(boardOf);
  ok("board", board.result);
  if (board.result.body.entrants !== 1000) throw new Error(`the board ranked ${board.result.body.entrants} people, not 1,000`);
  // The same board as one of its people, ranked far outside the top 10: their own row comes too.
  const asMember = system.as(outsider, ["manager"]);
  const memberBoardOf = () => asMember("GET", `/leaderboards?orgUnit=${thousandUnit}&period=week`);
  ok("board", await memberBoardOf());
  const memberBoard = await metered(memberBoardOf);
  const me = ok("board", memberBoard.result).body.me as { rank: number; score: number } | null;
  if (!me || me.rank <= 10) throw new Error(`the member's own row is missing or inside the top 10: ${JSON.stringify(me)}`);
  const now = await metered(() => check(people.short));
  ok("check", now.result);
  const past = await metered(() => check(people.long, asOf));
  ok("asOf check", past.result);
  if (!JSON.stringify(past.result.body).includes(evidence)) {
    throw new Error(`the asOf answer does not stand at ${evidence}: ${JSON.stringify(past.result.body).slice(0, 800)}`);
  }
  const operations = (calls: { operation: string }[]) => calls.map((c) => c.operation).join(" + ");
  console.error(`eligibility: now = ${operations(now.calls)}; asOf ${asOf} (seq ${expected.seq}) = ${operations(past.calls)}`);
  const reads = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);
  const asOfReads = past.calls.filter((c) => reads.has(c.operation)).length;

  // Interleaved, so that drift in the machine's load affects both alike.
  const runs = options.quick ? 30 : 100;
  const times = { long: [] as number[], short: [] as number[], past: [] as number[] };
  const timed = async (into: number[], personId: string, at?: string) => {
    const started = performance.now();
    const response = await check(personId, at);
    into.push(performance.now() - started);
    ok("check", response);
  };
  for (let run = 0; run < runs; run++) {
    await timed(times.short, people.short);
    await timed(times.long, people.long);
    await timed(times.past, people.long, asOf);
  }
  const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

  return [
    atMost("org-unit eligibility check, 1,000 people (not asOf): DynamoDB round trips", unit.roundTrips, "requests", 40),
    reported("org-unit eligibility check, 1,000 people: read units", unit.readUnits, "RRU"),
    atMost("leaderboard view, 1,000-person unit (week, by person): read units", board.readUnits, "RRU", 20),
    reported("leaderboard view, 1,000-person unit: DynamoDB round trips", board.roundTrips, "requests"),
    atMost(`leaderboard view, 1,000-person unit, as a member ranked ${me.rank}: read units`, memberBoard.readUnits, "RRU", 20),
    atMost("eligibility check (not asOf): DynamoDB round trips (warm; one is the audit PutItem)", now.roundTrips, "requests", 2),
    reported("eligibility check (not asOf): read units", now.readUnits, "RRU"),
    reported("eligibility check (not asOf): write units (the audit record)", now.writeUnits, "WRU"),
    reported("eligibility check (not asOf): time, 10 entries (median)", round(median(times.short), 1), "ms"),
    ...familyFigures(measured.eligibilityCheck, now),
    atMost(
      `eligibility check: ${label} ÷ 10 ledger entries (time)${suffix}`,
      round(median(times.long) / median(times.short), 2),
      "ratio",
      1.2,
    ),
    atMost(`eligibility check asOf, ${label} entries: DynamoDB reads${suffix}`, asOfReads, "requests", 10),
    reported(`eligibility check asOf, ${label} entries: read units${suffix}`, past.readUnits, "RRU"),
    reported(`eligibility check asOf, ${label} entries: time (median)${suffix}`, round(median(times.past), 1), "ms"),
    reported(
      `eligibility check asOf ÷ not asOf, ${label} entries (time)${suffix}`,
      round(median(times.past) / median(times.long), 2),
      "ratio",
    ),
  ];
}

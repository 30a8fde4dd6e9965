/**
 * Leaderboards end to end: entries written through the API, projected by the projector's
 * handler (fed synthetic stream records built from the real entries, or DynamoDB Local's stream
 * through the local poller), boards read through the API.
 */
import type { AttributeValue, DynamoDBRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { OrgTree, type OrgUnit } from "../../domain/directory/index.ts";
import { type OrgUnitId, type PersonId, personAccount } from "../../domain/kernel/model.ts";
import { aggregateUnits, boardPeriodKey, foldProjections, projectEntry, rankBoard } from "../../domain/leaderboards/index.ts";
import type { LedgerEntry } from "../../domain/ledger/index.ts";
import type { handler as projectorHandler } from "../../functions/background/projector.ts";
import { createDocumentClient, createDynamoClient } from "../../functions/dynamo/client.ts";
import { keys } from "../../functions/dynamo/keys.ts";
import { DynamoLeaderboardStore } from "../../functions/dynamo/leaderboard-store.ts";
import { demoOrgUnits } from "../../scripts/demo-data.ts";
import { lambdaContext, loadHandler } from "../../scripts/local/lambda.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import { as, type Client } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { store } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";

const admin = await withDemoOrg();
// The projector's source, or its bundle in the bundled test project.
const handler = await loadHandler<typeof projectorHandler>("projector");
const hr = await as("deng-hua", "hr");
const boards = new DynamoLeaderboardStore(createDocumentClient(), tableNames.state);
const poller = new StreamPoller({
  endpoint: process.env.DYNAMODB_ENDPOINT as string,
  client: createDynamoClient(),
  table: tableNames.ledger,
  handler,
});
const tree = new OrgTree(demoOrgUnits.map(({ orgUnitId, ...unit }) => ({ orgUnitId, ...unit }) as OrgUnit));
const unitOf: Record<string, string> = { "xu-jing": "store-south", "ma-chao": "store-south", "hu-yan": "store-south" };

const ok = async (response: Promise<{ status: number; body: any }>) => {
  const { status, body } = await response;
  expect(status, JSON.stringify(body)).toBeLessThan(300);
  return body;
};
const award = (personId: string, capability: string, amount: number, occurredAt: string) =>
  ok(admin.post("/awards", { personId, points: { capability, amount }, reason: "arena round", occurredAt }));
const deduct = (personId: string, capability: string, amount: number, occurredAt: string) =>
  ok(admin.post("/deductions", { personId, points: { capability, amount }, category: "arena", reason: "arena penalty", occurredAt }));
const board = async (client: Client, query: string) => (await client.get(`/leaderboards?${query}`)).body;

// --- synthetic stream records, as the ledger table's stream (NEW_IMAGE) would carry them ---

function attributeValue(value: unknown): AttributeValue {
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(attributeValue) };
  return { M: image(value as Record<string, unknown>) };
}
const image = (item: Record<string, unknown>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(item).flatMap(([k, v]) => (v === undefined ? [] : [[k, attributeValue(v)]])));

let sequence = 0;
function recordOf(item: Record<string, unknown> & { pk: string; sk: string }, eventName: "INSERT" | "MODIFY" = "INSERT"): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `synthetic-${sequence}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "local",
    dynamodb: {
      Keys: { pk: { S: item.pk }, sk: { S: item.sk } },
      NewImage: image(item),
      SequenceNumber: String(sequence).padStart(21, "0"),
      StreamViewType: "NEW_IMAGE",
    },
  };
}
const entryRecord = (entry: LedgerEntry) => recordOf({ ...keys.entry(entry.holder, entry.seq), ...entry });

async function chainOf(personId: string): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  for await (const entry of store.readChain(personAccount(personId as PersonId))) entries.push(entry);
  return entries;
}

/** The lists merged at random, each list's own order kept. */
function interleave<T>(lists: T[][]): T[] {
  const queues = lists.map((list) => [...list]);
  const merged: T[] = [];
  for (let open = queues.filter((q) => q.length > 0); open.length > 0; open = queues.filter((q) => q.length > 0)) {
    merged.push((open[Math.floor(Math.random() * open.length)] as T[]).shift() as T);
  }
  return merged;
}

/** Each item once in order, and again zero to two times at random places after its first delivery. */
function redelivered<T>(items: T[]): T[] {
  const out = [...items];
  for (const item of items) {
    for (let copies = Math.floor(Math.random() * 3); copies > 0; copies--) {
      const first = out.indexOf(item);
      const at = first + 1 + Math.floor(Math.random() * (out.length - first));
      out.splice(at, 0, item);
    }
  }
  return out;
}

function batches<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = 1 + Math.floor(Math.random() * 6);
    result.push(items.slice(i, i + size));
    i += size;
  }
  return result;
}

const ranksOf = (view: { entries: { name: string; rank: number; score: number }[] }) =>
  view.entries.map((row) => `${row.rank}:${row.name}:${row.score}`);

describe("the projector", () => {
  const week = "2026-11-11T04:00:00Z"; // Shanghai's week 2026-W46
  const people = ["xu-jing", "ma-chao", "hu-yan"];

  it("gives the same aggregates and ranks for duplicated, reordered and replayed stream records", async () => {
    await award("xu-jing", "tool-operation", 30, week);
    await award("ma-chao", "data-assurance", 30, week);
    await award("hu-yan", "tool-operation", 50, week);
    await deduct("hu-yan", "tool-operation", 20, week);
    const reversed = await award("xu-jing", "growth-driving", 15, week);
    await ok(admin.post(`/ledger/${reversed.entries[0].entryId}/reversal`, { reason: "recorded twice" }));
    await award("ma-chao", "growth-driving", 5, "2026-11-12T15:59:00Z"); // Thursday 23:59 in Shanghai: still W46

    const entries = (await Promise.all(people.map(chainOf))).flat();
    expect(entries.length).toBe(7);
    const records = entries.map(entryRecord);
    // What else the ledger table streams, which the projector must ignore.
    const noise = [
      recordOf({ pk: "IDEM#awards#k1", sk: "IDEM", result: {} }),
      recordOf({ pk: "REVERSED#person.xu-jing.2", sk: "REVERSED" }),
      recordOf({ ...keys.entry(entries[0]?.holder as never, 99), ...(entries[0] as LedgerEntry) }, "MODIFY"),
      recordOf({ pk: "CHAIN#fund:innovation", sk: "ENTRY#000000000001", entryId: "fund.innovation.1" }),
    ];

    // Each chain's entries first arrive in seq order, as DynamoDB Streams delivers a partition
    // key's records; chains interleaved at random, every record redelivered zero to two more times
    // anywhere after its first delivery (replays, retried batches), in batches of 1 to 6, split
    // by chain over two "shards" processed at once (a chain stays in its partition's shard).
    const deliveries = interleave(people.map((id) => records.filter((r) => r.dynamodb?.Keys?.pk?.S === `CHAIN#person:${id}`)));
    const shards = [
      deliveries.filter((r) => !r.dynamodb?.Keys?.pk?.S?.endsWith("hu-yan")),
      deliveries.filter((r) => r.dynamodb?.Keys?.pk?.S?.endsWith("hu-yan")),
    ];
    shards[0]?.push(...noise);
    const responses = await Promise.all(
      shards.map(async (shard) => {
        const answers = [];
        for (const batch of batches(redelivered(shard))) answers.push(await handler({ Records: batch }, lambdaContext("projector")));
        return answers;
      }),
    );
    expect(responses.flat().flatMap((r) => r.batchItemFailures)).toEqual([]);

    // Every aggregate equals the fold of the entries, each counted once.
    const projections = entries.flatMap((entry) => {
      const projection = projectEntry(entry, aggregateUnits(tree, unitOf[entry.holder.slice(7)] as OrgUnitId), "Asia/Shanghai");
      return projection ? [projection] : [];
    });
    const expected = foldProjections(projections);
    for (const [key, aggregate] of expected) {
      const [kind, id, periodKey] = key.split(":") as ["person" | "unit", string, string];
      expect((await boards.aggregates(kind, [id], periodKey)).get(id), key).toEqual(aggregate);
    }
    expect(expected.get("person:xu-jing:2026-W46")?.points).toBe(45);
    expect(expected.get("person:hu-yan:2026-W46")?.points).toBe(30);
    expect(expected.get("unit:store-south:2026-W46")?.points).toBe(110);

    const query = "orgUnit=store-south&period=week&at=2026-11-11";
    const first = await board(hr, query);
    expect(ranksOf(first)).toEqual(["1:徐静:45", "2:马超:35", "3:胡燕:30"]);
    const expectedRanks = rankBoard(people.map((id) => ({ id, score: expected.get(`person:${id}:2026-W46`)?.points ?? 0 }))).map((r) => [
      r.id,
      r.rank,
    ]);
    expect(first.entries.map((row: { personId: string; rank: number }) => [row.personId, row.rank])).toEqual(expectedRanks);

    // Replayed in reverse, all in one batch, then the real stream drained through the local poller: no change.
    const replay = await handler({ Records: redelivered(deliveries).reverse() }, lambdaContext("projector"));
    expect(replay.batchItemFailures).toEqual([]);
    await poller.drain();
    expect(await board(hr, query)).toEqual(first);
    for (const [key, aggregate] of expected) {
      const [kind, id, periodKey] = key.split(":") as ["person" | "unit", string, string];
      expect((await boards.aggregates(kind, [id], periodKey)).get(id), key).toEqual(aggregate);
    }
  });

  it("answers a failed record and every record after it as batch item failures, and applies them on retry", async () => {
    const entry = (await award("hu-yan", "tool-operation", 1, "2026-10-07T04:00:00Z")).entries[0] as LedgerEntry;
    const broken = recordOf({ ...keys.entry(entry.holder, 999), ...entry, occurredAt: "not a date" });
    const good = entryRecord(entry);
    const response = await handler({ Records: [broken, good] }, lambdaContext("projector"));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([broken, good].map((r) => r.dynamodb?.SequenceNumber));
    expect((await handler({ Records: [good, good] }, lambdaContext("projector"))).batchItemFailures).toEqual([]);
    const week = boardPeriodKey(entry.occurredAt, "week", "Asia/Shanghai");
    expect((await boards.aggregates("person", ["hu-yan"], week)).get("hu-yan")?.points).toBe(1);
  });

  it("counts an entry at 2026-11-29T16:30Z in Shanghai's week 2026-W49, not W48", async () => {
    await award("he-ying", "data-assurance", 7, "2026-11-29T16:30:00Z");
    await poller.drain();
    const score = (view: { entries: { personId: string; score: number }[] }) =>
      view.entries.find((row) => row.personId === "he-ying")?.score;
    const w49 = await board(hr, "orgUnit=data-team&period=week&at=2026-11-30&limit=100");
    expect(w49.periodKey).toBe("2026-W49");
    expect(score(w49)).toBe(7);
    const w48 = await board(hr, "orgUnit=data-team&period=week&at=2026-11-29T15:00:00Z&limit=100");
    expect(w48.periodKey).toBe("2026-W48");
    expect(score(w48)).toBe(0);
    expect(score(await board(hr, "orgUnit=data-team&period=month&at=2026-11-30&limit=100"))).toBe(7);
  });
});

describe("boards", () => {
  const w45 = "2026-11-04T04:00:00Z";
  const query = "orgUnit=wh-north&period=week&at=2026-11-04";

  it("share a rank between ties (1, 1, 3) and list them by person id", async () => {
    await award("zheng-hui", "tool-operation", 20, w45);
    await award("gao-bo", "tool-operation", 12, w45);
    await award("gao-bo", "data-assurance", 8, w45);
    await award("liang-yu", "data-assurance", 10, w45);
    await poller.drain();
    const view = await board(hr, query);
    expect(view.order).toMatch(/equal scores share a rank/);
    expect(view.entrants).toBe(4);
    expect(view.entries.map((r: { personId: string; rank: number; score: number }) => [r.personId, r.rank, r.score])).toEqual([
      ["gao-bo", 1, 20],
      ["zheng-hui", 1, 20],
      ["liang-yu", 3, 10],
      ["song-jia", 4, 0],
    ]);
    expect(view.me).toBeNull();
    expect(await board(hr, query)).toEqual(view);
  });

  it("rank by points in one capability", async () => {
    const view = await board(hr, `${query}&metric=points:data-assurance`);
    expect(view.entries.map((r: { personId: string; rank: number; score: number }) => [r.personId, r.rank, r.score])).toEqual([
      ["liang-yu", 1, 10],
      ["gao-bo", 2, 8],
      ["song-jia", 3, 0],
      ["zheng-hui", 3, 0],
    ]);
  });

  it("always include the caller's own position, even outside the top N", async () => {
    const songJia = await as("song-jia", "manager");
    const view = await board(songJia, `${query}&limit=2`);
    expect(view.entries.map((r: { personId: string; rank: number; self: boolean }) => [r.personId, r.rank, r.self])).toEqual([
      ["gao-bo", 1, false],
      ["zheng-hui", 1, false],
      ["song-jia", 4, true],
    ]);
    expect(view.me).toMatchObject({ personId: "song-jia", rank: 4, score: 0, self: true });
  });

  it("rank org units against each other (by=orgUnit), with the caller's own unit", async () => {
    const gaoBo = await as("gao-bo", "manager");
    const view = await board(gaoBo, "orgUnit=tianma-logistics&by=orgUnit&period=week&at=2026-11-04");
    expect(
      view.entries.map((r: { orgUnitId: string; rank: number; score: number; self: boolean }) => [r.orgUnitId, r.rank, r.score, r.self]),
    ).toEqual([
      ["log-warehouse", 1, 50, true],
      ["log-transport", 2, 0, false],
    ]);
    const group = await board(hr, "orgUnit=tianma&by=orgUnit&period=week&at=2026-11-04");
    expect(group.entries.map((r: { orgUnitId: string; score: number }) => [r.orgUnitId, r.score])).toEqual([
      ["tianma-logistics", 50],
      ["tianma-retail", 0],
    ]);
  });

  it("show people who opted out as anonymous to others, and to themselves by name", async () => {
    const zhengHui = await as("zheng-hui", "manager");
    const liangYu = await as("liang-yu", "manager");
    expect((await liangYu.put("/people/zheng-hui/preferences", { leaderboardOptOut: true })).status).toBe(403);
    expect((await admin.put("/people/zheng-hui/preferences", { leaderboardOptOut: true })).status).toBe(403);
    expect((await zhengHui.put("/people/zheng-hui/preferences", { leaderboardOptOut: true })).body).toMatchObject({
      personId: "zheng-hui",
      leaderboardOptOut: true,
    });
    expect((await zhengHui.get("/people/zheng-hui/preferences")).body.leaderboardOptOut).toBe(true);
    expect((await liangYu.get("/people/zheng-hui/preferences")).status).toBe(403);

    const seenByOthers = await board(liangYu, query);
    expect(seenByOthers.entries[1]).toEqual({ rank: 1, score: 20, self: false, personId: null, name: "匿名 / Anonymous", anonymous: true });
    expect(JSON.stringify(seenByOthers)).not.toContain("zheng-hui");
    expect(JSON.stringify(seenByOthers)).not.toContain("郑辉");
    const seenBySelf = await board(zhengHui, query);
    expect(seenBySelf.entries[1]).toMatchObject({ rank: 1, personId: "zheng-hui", name: "郑辉", self: true });
    expect(seenBySelf.me).toMatchObject({ rank: 1, personId: "zheng-hui" });

    await zhengHui.put("/people/zheng-hui/preferences", { leaderboardOptOut: false });
    expect((await board(liangYu, query)).entries[1]).toMatchObject({ personId: "zheng-hui", name: "郑辉" });
  });

  it("rank by a pioneer index: weighted measures normalised by the board's best, versioned like rules", async () => {
    const index = {
      name: { zh: "先锋指数", en: "Pioneer index" },
      measures: [
        { measure: "points", weight: 0.5 },
        { measure: "capabilityPoints", capability: "data-assurance", weight: 0.2 },
        { measure: "badgeLevels", weight: 0.3 },
      ],
    };
    const manager = await as("gao-bo", "manager");
    expect((await manager.put("/admin/indices/pioneer", index)).status).toBe(403);
    const bad = await admin.put("/admin/indices/pioneer", { ...index, measures: [{ measure: "points", weight: 0.9 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.invalidFields[0].path).toBe("body.measures");
    expect((await admin.put("/admin/indices/pioneer", { ...index, measures: [{ measure: "points", weight: 1 }] })).body.version).toBe(1);
    expect((await admin.put("/admin/indices/pioneer", index)).body.version).toBe(2);
    expect((await admin.get("/admin/indices/pioneer")).body).toMatchObject({ id: "pioneer", version: 2, definition: index });
    expect((await manager.get("/admin/indices/pioneer")).status).toBe(403);

    // A badge level for liang-yu: badges held count with 30%.
    await ok(
      admin.put("/admin/badges/arena", {
        name: { zh: "擂台", en: "Arena" },
        description: { zh: "擂台赛", en: "Arena contest" },
        imageUrl: "https://laurel.example.com/badges/arena.svg",
        capability: "data-assurance",
        levels: [{ level: 1, name: { zh: "铜", en: "Bronze" }, criteria: [{ kind: "points", atLeast: 5 }] }],
      }),
    );
    await ok(admin.post("/awards", { personId: "liang-yu", badge: { badgeId: "arena", level: 1 }, reason: "arena winner" }));

    const view = await board(manager, `${query}&metric=index:pioneer`);
    expect(view.index).toEqual({ indexId: "pioneer", version: 2, name: index.name });
    // points: gao-bo 20, zheng-hui 20, liang-yu 10 (max 20); data-assurance: gao-bo 8, liang-yu 10 (max 10); badges: liang-yu 1.
    expect(view.entries.map((r: { personId: string; rank: number; score: number }) => [r.personId, r.rank, r.score])).toEqual([
      ["liang-yu", 1, 25 + 20 + 30],
      ["gao-bo", 2, 50 + 16],
      ["zheng-hui", 3, 50],
      ["song-jia", 4, 0],
    ]);
    expect((await manager.get("/leaderboards?orgUnit=wh-north&metric=index:nothing")).status).toBe(404);
    const units = await manager.get("/leaderboards?orgUnit=tianma-logistics&by=orgUnit&metric=index:pioneer");
    expect(units.status).toBe(422);
  });
});

describe("who sees which board", () => {
  it("a manager sees the units they belong to and lead, not another department's (403); hr any", async () => {
    const liuYang = await as("liu-yang", "manager");
    expect((await liuYang.get("/leaderboards?orgUnit=log-warehouse")).status).toBe(403);
    expect((await liuYang.get("/leaderboards?orgUnit=retail-digital")).status).toBe(403);
    for (const unit of ["store-east", "retail-ops", "tianma-retail", "tianma"]) {
      expect((await liuYang.get(`/leaderboards?orgUnit=${unit}`)).status, unit).toBe(200);
    }
    const own = await liuYang.get("/leaderboards");
    expect(own.body).toMatchObject({ orgUnit: { orgUnitId: "store-east" }, period: "month", metric: "points" });
    const wangFang = await as("wang-fang", "manager");
    expect((await wangFang.get("/leaderboards?orgUnit=store-south")).status).toBe(200);
    expect((await hr.get("/leaderboards?orgUnit=log-warehouse")).status).toBe(200);
    expect((await hr.get("/leaderboards?orgUnit=nowhere")).status).toBe(404);
    expect((await hr.get("/leaderboards?orgUnit=fleet&metric=points:cooking")).status).toBe(400);
    expect((await hr.get("/leaderboards?orgUnit=fleet&period=decade")).status).toBe(400);
  });
});

import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { demoAdmin, demoPeople } from "../../scripts/demo-data.ts";
import { dispatchJson } from "../../scripts/local/api.ts";
import { as, type Client } from "../support/api.ts";
import { tableNames } from "../support/env.ts";
import { ledgerProblems } from "../support/invariants.ts";
import { withDemoOrg } from "../support/org.ts";

let admin: Client;
let hr: Client;

beforeAll(async () => {
  admin = await withDemoOrg();
  hr = await as("deng-hua", "hr");
});

const header = "personId,externalId,name,asset,amount,capability,badgeId,level,occurredAt,sourceSystem,recordId,reason";

function upload(query: string, body: Uint8Array | string, contentType = "text/csv", token = admin.token) {
  return dispatchJson({
    method: "POST",
    url: `/imports?${query}`,
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body: typeof body === "string" ? body : Buffer.from(body),
  });
}

/** GBK bytes of a text, from the platform decoder's own table (Node can decode GBK, not encode it). */
function gbk(text: string): Uint8Array {
  const table = new Map<string, number[]>();
  const decoder = new TextDecoder("gbk");
  for (let lead = 0x81; lead <= 0xfe; lead++)
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      const char = decoder.decode(new Uint8Array([lead, trail]));
      if (char.length === 1 && !table.has(char)) table.set(char, [lead, trail]);
    }
  return new Uint8Array(
    [...text].flatMap((char) => {
      if (char.charCodeAt(0) < 0x80) return [char.charCodeAt(0)];
      const bytes = table.get(char);
      if (!bytes) throw new Error(`no GBK code for ${char}`);
      return bytes;
    }),
  );
}

const people = demoPeople.map((p) => p.personId).filter((id) => id !== demoAdmin);
const day = (i: number) => new Date(Date.UTC(2024, 0, 1) + (i % 600) * 86_400_000).toISOString().slice(0, 10);

async function pointsOf(personId: string): Promise<number> {
  return (await admin.get(`/people/${personId}/balances`)).body.points.total;
}

describe("a file of 10,000 rows with one bad row", () => {
  const badRow = 4_323;
  const rows = Array.from({ length: 10_000 }, (_, i) => {
    const personId = i + 2 === badRow ? "nobody-here" : (people[i % people.length] as string);
    return `${personId},,,points,${1 + (i % 5)},tool-operation,,,${day(i)},lms-2024,rec-${i},课程学分迁移`;
  });
  const file = `${header}\n${rows.join("\n")}\n`;
  const expected = new Map<string, number>();
  rows.forEach((_, i) => {
    if (i + 2 === badRow) return;
    const id = people[i % people.length] as string;
    expected.set(id, (expected.get(id) ?? 0) + 1 + (i % 5));
  });

  it("the dry run names the bad row and writes nothing; abort writes nothing; skip imports the rest; a second run adds nothing", async () => {
    const before = new Map(await Promise.all(people.map(async (id) => [id, await pointsOf(id)] as const)));

    const dry = await upload("dryRun=true", file);
    expect(dry.status, JSON.stringify(dry.body).slice(0, 500)).toBe(200);
    expect(dry.body.counts).toMatchObject({ "would-import": 9_999, "unknown-person": 1, invalid: 0, duplicate: 0 });
    expect(dry.body.outcomes).toHaveLength(10_000);
    expect(dry.body.outcomes.filter((o: { outcome: string }) => o.outcome !== "would-import")).toEqual([
      {
        row: badRow,
        outcome: "unknown-person",
        sourceSystem: "lms-2024",
        recordId: `rec-${badRow - 2}`,
        problem: 'No person with id "nobody-here".',
      },
    ]);
    expect(dry.body.encoding).toBe("utf-8");

    const aborted = await upload("onError=abort", file);
    expect([aborted.status, aborted.body.code]).toEqual([422, "import-has-bad-rows"]);
    expect(aborted.body.badRows.map((r: { row: number }) => r.row)).toEqual([badRow]);
    expect(await pointsOf(people[0] as string)).toBe(before.get(people[0] as string));

    // A request writes for a bounded time, then pauses; the same file again goes on where it stopped.
    let imported = 0;
    for (let run = 1; ; run++) {
      const answer = await upload("onError=skip", file);
      expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(200);
      expect(answer.body.counts["unknown-person"]).toBe(1);
      imported += answer.body.counts.imported;
      const progress = await admin.get(`/imports/${answer.body.importId}`);
      expect(progress.body).toMatchObject({ status: answer.body.status, rows: 10_000, done: 10_000 - answer.body.counts.pending });
      if (answer.body.status === "done") break;
      expect(answer.body.status).toBe("paused");
      // Each run writes at least one transaction per person in flight before it looks at the clock.
      expect(run).toBeLessThan(60);
    }
    expect(imported).toBe(9_999);
    for (const id of people) expect(await pointsOf(id), id).toBe((before.get(id) ?? 0) + (expected.get(id) ?? 0));

    const again = await upload("onError=skip", file);
    expect(again.body.counts).toMatchObject({ imported: 0, duplicate: 9_999, "unknown-person": 1 });
    for (const id of people) expect(await pointsOf(id), id).toBe((before.get(id) ?? 0) + (expected.get(id) ?? 0));
    expect(await ledgerProblems()).toEqual([]);
  }, 600_000);
});

describe("files as they come from Chinese systems", () => {
  it("reads a GBK file with Chinese names and reasons, and marks each entry imported with its origin", async () => {
    const file = `${header}\r\nhe-ying,,何颖,coin,30,,,,2024-05-01,hr-legacy,gbk-1,数字化管理专员认证奖励\r\nluo-xin,,罗欣,points,12,data-assurance,,,2024-06-02T09:30:00+08:00,hr-legacy,gbk-2,数据分析课程\r\n`;
    const answer = await upload("onError=abort", gbk(file));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ encoding: "gbk", counts: { imported: 2 } });
    const [entry] = (await admin.get("/people/he-ying/ledger?limit=1")).body.entries;
    expect(entry).toMatchObject({
      kind: "award",
      asset: "coin",
      amount: 30,
      reason: "数字化管理专员认证奖励",
      occurredAt: "2024-04-30T16:00:00.000Z",
      ref: { importedFrom: { system: "hr-legacy", recordId: "gbk-1", importId: answer.body.importId } },
    });
  });

  it("reads UTF-8 with a byte-order mark (as Excel saves it), and refuses a name that is not the person's", async () => {
    const file = `\uFEFF${header}\nlin-feng,,林峰,coin,5,,,,2024-07-01,hr-legacy,bom-1,迁移\nguo-peng,,郭朋,coin,5,,,,2024-07-01,hr-legacy,bom-2,迁移\n`;
    const answer = await upload("dryRun=true", file);
    expect(answer.body.encoding).toBe("utf-8-bom");
    expect(answer.body.outcomes).toEqual([
      expect.objectContaining({ row: 2, outcome: "would-import", personId: "lin-feng" }),
      expect.objectContaining({
        row: 3,
        outcome: "invalid",
        problem: 'The name "郭朋" is not guo-peng\'s name in the directory ("郭鹏").',
      }),
    ]);
  });

  it("takes JSON naming people by their HR external id; bad rows say why by record number", async () => {
    const person = (await admin.get("/admin/people/song-jia")).body;
    // What the directory keeps of its own (the version, when it changed) is not part of a PUT.
    const { personId: _id, version: _version, updatedAt: _updated, ...input } = person;
    expect((await admin.put("/admin/people/song-jia", { ...input, externalId: "TM-0042" })).status).toBe(200);
    const records = [
      {
        externalId: "TM-0042",
        asset: "coin",
        amount: 8,
        occurredAt: "2023-11-11",
        sourceSystem: "oa-2023",
        recordId: "j-1",
        reason: "揭榜挂帅历史奖励",
      },
      { externalId: "TM-9999", asset: "coin", amount: 8, occurredAt: "2023-11-11", sourceSystem: "oa-2023", recordId: "j-2", reason: "x" },
      { personId: "song-jia", asset: "points", amount: 3, occurredAt: "2023-11-11", sourceSystem: "oa-2023", recordId: "j-3", reason: "x" },
      {
        personId: "song-jia",
        asset: "badge",
        badgeId: "unicorn",
        level: 1,
        occurredAt: "2023-11-11",
        sourceSystem: "oa-2023",
        recordId: "j-4",
        reason: "x",
      },
      { personId: "song-jia", asset: "coin", amount: 1, occurredAt: "2099-01-01", sourceSystem: "oa-2023", recordId: "j-5", reason: "x" },
    ];
    const answer = await upload("dryRun=true", JSON.stringify({ records }), "application/json");
    expect(answer.body.outcomes.map((o: { row: number; outcome: string }) => [o.row, o.outcome])).toEqual([
      [1, "would-import"],
      [2, "unknown-person"],
      [3, "invalid"],
      [4, "invalid"],
      [5, "invalid"],
    ]);
    expect(answer.body.outcomes[2].problem).toBe("capability: points need a capability");
    expect(answer.body.outcomes[3].problem).toBe('No badge with id "unicorn"; define it first.');
  });

  it("refuses a file in neither encoding, and anyone but an admin", async () => {
    const latin = await upload("encoding=utf-8", new Uint8Array([0x61, 0xff, 0xfe, 0x0a]));
    expect([latin.status, latin.body.code]).toEqual([400, "file-encoding-unknown"]);
    const notAdmin = await upload("dryRun=true", `${header}\n`, "text/csv", hr.token);
    expect([notAdmin.status, notAdmin.body.code]).toEqual([403, "forbidden"]);
  });
});

describe("npm run import", () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ["scripts/ops/import.ts", ...args], {
      env: { ...process.env, LEDGER_TABLE: tableNames.ledger, STATE_TABLE: tableNames.state },
    });

  it("dry-runs, then imports with a progress bar, then finds everything already there", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "laurel-import-")), "history.csv");
    writeFileSync(
      file,
      `${header}\ntang-jun,,唐军,coin,7,,,,2024-09-09,hr-legacy,cli-1,命令行导入\nnobody,,,coin,7,,,,2024-09-09,hr-legacy,cli-2,x\n`,
    );
    const dry = await run(file, "--dry-run").catch((error: { stdout: string; code: number }) => error);
    expect("code" in dry && dry.code).toBe(1);
    expect(dry.stdout).toContain('row 3: unknown-person: No person with id "nobody".');
    const before = (await admin.get("/people/tang-jun/balances")).body.coins;
    const imported = await run(file, "--on-error=skip", "--as=cao-yi");
    expect(imported.stdout).toContain('done: {"would-import":0,"imported":1');
    expect(imported.stderr).toContain("2/2 rows");
    expect((await admin.get("/people/tang-jun/balances")).body.coins).toBe(before + 7);
    const again = await run(file, "--on-error=skip");
    expect(again.stdout).toContain('"imported":0,"pending":0,"duplicate":1');
    expect((await admin.get("/people/tang-jun/balances")).body.coins).toBe(before + 7);
  });
});

describe("two clocks", () => {
  it("as of a day, as known then, ignores history imported later; with everything known now, counts it; each answer says which", async () => {
    const gate = await admin.put("/admin/gates/import-clock", {
      name: { zh: "导入历史", en: "Imported history" },
      tier: "base",
      targetGrade: "B2",
      criteria: [{ kind: "points", atLeast: 1 }],
    });
    expect(gate.status).toBe(200);
    const person = { name: "钟敏", tier: "base", tierSince: "2024-01-01", orgUnitId: "store-east", managerId: "liu-yang" };
    expect((await admin.put("/admin/people/zhong-min", person)).status).toBe(200);
    const file = `${header}\nzhong-min,,钟敏,points,40,growth-driving,,,2025-03-01,lms-2024,clock-1,历史学分\n`;
    expect((await upload("onError=abort", file)).body.counts.imported).toBe(1);
    const then = await hr.get("/people/zhong-min/eligibility?gate=import-clock&asOf=2025-06-30");
    expect(then.body).toMatchObject({ eligible: false, asOf: { day: "2025-06-30", known: "then", knownOn: "2025-06-30" } });
    const now = await hr.get("/people/zhong-min/eligibility?gate=import-clock&asOf=2025-06-30&known=now");
    expect(now.body).toMatchObject({ eligible: true, asOf: { day: "2025-06-30", known: "now", knownOn: "now" } });
    expect(now.body.criteria[0].actual).toBe("40 points");
    const before = await hr.get("/people/zhong-min/eligibility?gate=import-clock&asOf=2025-02-28&known=now");
    expect(before.body.eligible).toBe(false);
    const many = await hr.post("/eligibility-checks", {
      gateId: "import-clock",
      personIds: ["zhong-min"],
      asOf: "2025-06-30",
      known: "now",
    });
    expect(many.body).toMatchObject({ asOf: { day: "2025-06-30", known: "now" }, summary: { eligible: 1, checked: 1 } });
  });
});

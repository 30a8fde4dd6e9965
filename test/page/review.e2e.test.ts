/**
 * The approvers' and admins' views of the page end to end, on an emulated phone in Debian's
 * headless Chromium against the local server: 待办 with the review items the detectors opened
 * (seeded gaming) and the awards a budget held, decided with a reason, the API's refusals in the
 * reader's language; and a backtest job's comparison as a chart. Chinese and English, light and
 * dark; every screen state audited with axe-core and for tap targets and overflow (./phone.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb, pageBudgetBytes } from "../../scripts/build-web.ts";
import { launchChromium } from "../../scripts/chromium.ts";
import { startLocalServer } from "../../scripts/local/server.ts";
import { followed } from "../backtests/jobs.ts";
import { as } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";
import { cloudEvent, deliver, projectorPoller } from "../support/webhooks.ts";
import { inspect, openPhone, type Phone, signInAs } from "./phone.ts";

// This stage's hold policy: a flagged person's further awards wait for the review.
process.env.INTEGRITY = JSON.stringify({ holdFlagged: true });

const { admin, secrets } = await withDemoDefinitions();
const learning = "tianma-learning";
const course = "com.tianma.learning.course.completed";
const today = new Date().toISOString().slice(0, 10);
const month = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit" }).format(new Date());
const velocityItem = `person-velocity:huang-tao:${today}`;

let server: Server;
let base: string;
let browser: Browser;
const phone = (options?: Phone) => openPhone(browser, options);
const signIn = (page: Page, personId: string) => signInAs(page, base, personId);

async function send(events: ReturnType<typeof cloudEvent>[]) {
  const { body } = await deliver(learning, events, { secret: secrets[learning] as string });
  return body.results.map((r: { status: string }) => r.status) as string[];
}
const courses = (personId: string, scores: number[], prefix = "c") =>
  scores.map((score, i) => cloudEvent(course, personId, { courseId: `${prefix}-${personId}-${i}`, score }));

beforeAll(async () => {
  const poller = await projectorPoller();
  // Seeded gaming: 21 passed courses in a day for one person; three tries just under the threshold of 80 for another.
  expect(await send(courses("huang-tao", Array(21).fill(90)))).toEqual(Array(21).fill("accepted"));
  expect(await send(courses("wu-min", [77, 78, 79, 81]))).toEqual(Array(4).fill("accepted"));
  await poller.drain();
  // Held while flagged: huang-tao's next pass waits for the review.
  expect(await send(courses("huang-tao", [95], "held"))).toEqual(["held"]);
  // A budget that holds what it cannot pay: gao-bo's pass draws 30 of 40, zheng-hui's waits for an approver.
  const finance = await as("peng-li", "finance");
  expect((await finance.put(`/budgets/wh-north/${month}`, { coins: 40, whenExhausted: "hold" })).status).toBe(200);
  expect(await send(courses("gao-bo", [90], "budget"))).toEqual(["accepted"]);
  expect(await send(courses("zheng-hui", [90], "budget"))).toEqual(["held"]);
  await poller.drain();
  await buildWeb({ quiet: true });
  server = await startLocalServer(0, "127.0.0.1", { dev: { issuer } });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe("待办: review items and held awards", () => {
  it("keeps the admin views out of the managers' page: they load when an approver opens them", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "laurel-web-"));
    const built = await buildWeb({ quiet: true, outDir });
    rmSync(outDir, { recursive: true, force: true });
    expect(built.gzipBytes).toBeLessThanOrEqual(pageBudgetBytes);
    expect(built.admin.gzipBytes).toBeGreaterThan(0);
    const page = await phone();
    const asked: string[] = [];
    page.on("request", (r) => asked.push(new URL(r.url()).pathname));
    await signIn(page, "liu-yang");
    expect(asked.filter((p) => /\/admin-[A-Z0-9]{8}\.js$/.test(p))).toEqual([]);
    // A manager has no 待办.
    expect(await page.getByTestId("todo-link").count()).toBe(0);
    await page.context().close();
  });

  it("shows an approver the flag with its explanation and evidence, and dismisses it with a reason: the held award is posted", async () => {
    const page = await phone();
    await signIn(page, "jiang-wen");
    await page.getByTestId("todo-link").click();
    const item = page.getByTestId("reviews").locator(".entry", { hasText: "个人发放过快" });
    await item.waitFor();
    await inspect(page, "todo-approver");
    await item.getByRole("link").click();
    await expect.poll(() => page.getByTestId("explained").textContent()).toContain("今日获奖事件 21 次");
    const raised = (await admin.get(`/admin/reviews/${velocityItem}`)).body.entryIds.length;
    await expect.poll(() => page.getByText(`${raised} 条账本记录`).count()).toBe(1);
    await expect.poll(() => page.getByTestId("held-awards").locator(".entry", { hasText: "暂扣中" }).count()).toBe(1);
    await inspect(page, "review-item");
    // Each evidence entry opens as the API answers it by id: whose, how much, where in the chain.
    const first = (await admin.get(`/admin/reviews/${velocityItem}`)).body.entryIds[0] as string;
    const entry = (await admin.get(`/ledger/entries/${first}`)).body;
    await page.getByText(`${raised} 条账本记录`).click();
    await page.getByRole("button", { name: `查看账本记录 ${first}`, exact: true }).click();
    const sheet = page.getByTestId("entry-sheet");
    await sheet.waitFor();
    expect(await page.getByRole("dialog").getByRole("heading").textContent()).toBe("账本记录");
    expect(await sheet.textContent()).toContain("黄涛 (huang-tao)");
    expect(await sheet.textContent()).toContain(`第 ${entry.seq} 条，共 ${entry.chainLength} 条`);
    expect(await sheet.textContent()).toContain(`+${entry.amount}`);
    expect(await sheet.textContent()).toContain(entry.actor.eventId);
    await inspect(page, "review-entry");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    const before = (await admin.get("/people/huang-tao/balances")).body.coins as number;
    await page.getByRole("button", { name: "排除（误报）" }).click();
    await page.getByLabel("理由（必填，记入审计）").fill("培训周集中考试，属正常");
    await inspect(page, "review-dismiss");
    await page.getByRole("dialog").getByRole("button", { name: "排除（误报）" }).click();
    await expect.poll(() => page.getByTestId("held-awards").locator(".entry", { hasText: "已发放" }).count()).toBe(1);
    await expect.poll(() => page.getByText("培训周集中考试，属正常").count()).toBe(1);
    const decided = (await admin.get(`/admin/reviews/${velocityItem}`)).body;
    expect(decided).toMatchObject({ status: "dismissed", decision: { by: "jiang-wen", reason: "培训周集中考试，属正常" } });
    const { coins } = (await admin.get("/admin/rules/course-passed")).body.definition.award;
    expect((await admin.get("/people/huang-tao/balances")).body.coins).toBe(before + coins);
    await page.context().close();
  });

  it("says in English, dark, that another approver decided first, when two decide the same item", async () => {
    const open = (await admin.get("/admin/reviews")).body.items as { flagId: string; detector: string }[];
    const burst = open.find((i) => i.detector === "threshold-burst");
    expect(burst).toBeDefined();
    const page = await phone({ lang: "en", scheme: "dark" });
    await signIn(page, "jiang-wen");
    await page.goto(`${base}/app/#/reviews/${encodeURIComponent(burst?.flagId as string)}`);
    await page.getByRole("heading", { name: "Bursts just under a threshold" }).waitFor();
    await inspect(page, "review-item-en-dark");
    expect((await admin.post(`/admin/reviews/${burst?.flagId}/decision`, { decision: "dismiss", reason: "练习考试" })).status).toBe(200);
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByLabel("Reason (required, kept in the audit trail)").fill("Scores edited to pass");
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.getByRole("dialog").getByRole("alert").textContent()).toContain("Another approver has already decided");
    await inspect(page, "review-refused-en-dark");
    expect((await admin.get(`/admin/reviews/${burst?.flagId}`)).body.status).toBe("dismissed");
    await page.context().close();
  });

  it("lists every budget's held awards without a unit or period; refuses the budget's author releasing one, in Chinese; an approver releases it", async () => {
    const finance = await phone();
    await signIn(finance, "peng-li");
    await finance.getByTestId("todo-link").click();
    const held = finance.getByTestId("held-awards").locator(".entry", { hasText: "郑辉" });
    await held.waitFor();
    expect(await held.textContent()).toContain(`北方仓储组 · ${month} 预算`);
    await inspect(finance, "budget-held");
    await held.getByRole("button", { name: "放行" }).click();
    await finance.getByLabel("理由（必填，记入审计）").fill("季度末补发");
    await finance.getByRole("dialog").getByRole("button", { name: "放行" }).click();
    await expect.poll(() => finance.getByRole("dialog").getByRole("alert").textContent()).toContain("不能是受奖人，也不能是设定该预算的人");
    await finance.context().close();

    const before = (await admin.get("/people/zheng-hui/balances")).body.coins as number;
    const approver = await phone({ lang: "en" });
    await signIn(approver, "jiang-wen");
    await approver.goto(`${base}/app/#/todo`);
    const row = approver.getByTestId("held-awards").locator(".entry", { hasText: "郑辉" });
    await row.getByRole("button", { name: "Release" }).click();
    await approver.getByLabel("Reason (required, kept in the audit trail)").fill("Quarter-end top-up approved");
    await inspect(approver, "budget-release-en");
    await approver.getByRole("dialog").getByRole("button", { name: "Release" }).click();
    await expect.poll(() => approver.getByText("No held awards wait for approval.").count()).toBe(1);
    const listed = (await admin.get(`/budgets/wh-north/${month}/held-awards`)).body.heldAwards;
    expect(listed.map((a: { personId: string; status: string }) => `${a.personId}:${a.status}`)).toEqual(["zheng-hui:posted"]);
    expect((await admin.get("/people/zheng-hui/balances")).body.coins).toBeGreaterThan(before);
    // Decided, it is under 已放行 / Posted with the approver's reason.
    await approver.getByRole("group", { name: "Awards a budget held" }).getByText("Posted").click();
    await expect
      .poll(() => approver.getByTestId("held-awards").locator(".entry", { hasText: "Quarter-end top-up approved" }).count())
      .toBe(1);
    await approver.context().close();
  });
});

describe("a backtest as a chart", () => {
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  /** A draft paying 5 coins more per pass, over 40 days: longer than 31, so a job. */
  async function finishedJob() {
    const current = (await admin.get("/admin/rules/course-passed")).body.definition;
    const draft = { ...current, award: { ...current.award, coins: current.award.coins + 5 } };
    const started = await admin.post("/admin/rules/course-passed/backtests", { draft, from: daysAgo(40), to: daysAgo(-1) });
    expect(started.status).toBe(202);
    const job = await followed(admin, started);
    expect(job.status).toBe("done");
    return job;
  }

  it("shows an admin awarded against would-have-been per unit and capability, gates and the liability, in Chinese and in English", async () => {
    const job = await finishedJob();
    const report = job.report;
    const coinRows = report.rows.filter((r: { asset: string }) => r.asset === "coin");
    expect(coinRows.length).toBeGreaterThan(0);
    for (const [lang, unitName, actual, draft] of [
      ["zh", "北方仓储组", "实际", "草案"],
      ["en", "北方仓储组", "Actual", "Draft"],
    ] as const) {
      const page = await phone({ lang, scheme: lang === "en" ? "dark" : "light" });
      await signIn(page, "cao-yi");
      await page.goto(`${base}/app/#/admin/backtests/course-passed/${job.backtestId}`);
      const chart = page.getByTestId("comparison");
      await chart.waitFor();
      // One pair of bars per unit and asset, with the API's numbers.
      expect(await chart.locator(".compare-row").count()).toBe(report.rows.length);
      const north = report.rows.find((r: { orgUnitId: string; asset: string }) => r.orgUnitId === "wh-north" && r.asset === "coin");
      const row = chart.locator(".compare-row", { hasText: unitName }).first();
      await expect.poll(() => row.textContent()).toContain(`${actual} ${north.actual}`);
      expect(await row.textContent()).toContain(`${draft} ${north.wouldBe}`);
      expect(await row.textContent()).toContain(`+${north.change}`);
      expect(north.change).toBe(north.wouldBe - north.actual);
      expect(await page.getByTestId("liability").textContent()).toBe(`+${report.liabilityChange.toLocaleString("en-US")}`);
      await inspect(page, `backtest-${lang}`);
      await page.context().close();
    }
  });

  it("shows a running job's progress with a named bar, and cancels it with one tap", async () => {
    const job = await finishedJob();
    const page = await phone({ lang: "en" });
    await signIn(page, "cao-yi");
    // Jobs over the test's few events finish in milliseconds: until the cancel, reads are answered
    // as the job stood part way (the API's own answer, its report not yet there); then the API answers.
    let cancelled = false;
    const url = `**/admin/rules/course-passed/backtests/${job.backtestId}`;
    const asked: string[] = [];
    await page.route(url, async (route) => {
      asked.push(route.request().method());
      if (route.request().method() === "DELETE") cancelled = true;
      if (route.request().method() !== "GET" || cancelled) return route.fallback();
      const { report: _, ...running } = job;
      await route.fulfill({ json: { ...running, status: "running", percent: 40, eventsReplayed: 1200, estimateSeconds: 75 } });
    });
    await page.goto(`${base}/app/#/admin/backtests/course-passed/${job.backtestId}`);
    const bar = page.getByRole("progressbar", { name: "Progress" });
    await bar.waitFor();
    expect(await bar.getAttribute("aria-valuenow")).toBe("40");
    expect(await page.getByText("1,200 events replayed").count()).toBe(1);
    expect(await page.getByText("about 2 min left").count()).toBe(1);
    await inspect(page, "backtest-running-en");
    await page.getByRole("button", { name: "Cancel the backtest" }).click();
    // The API's answer: a finished job stays as it was, so its report shows.
    await page.getByTestId("comparison").waitFor();
    expect(asked).toContain("DELETE");
    await page.context().close();
  });

  it("is the admins' only: an approver reading it is refused in their language", async () => {
    const job = await finishedJob();
    const page = await phone();
    await signIn(page, "jiang-wen");
    await page.goto(`${base}/app/#/admin/backtests/course-passed/${job.backtestId}`);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("你没有权限");
    await inspect(page, "backtest-refused");
    await page.context().close();
  });

  it("lists a rule's backtests newest first and opens one's chart from the list, then back, in Chinese and in English", async () => {
    const job = await finishedJob();
    const listed = (await admin.get("/admin/rules/course-passed/backtests")).body.backtests;
    expect(listed[0].backtestId).toBe(job.backtestId);
    for (const [lang, done, back] of [
      ["zh", "已完成", "返回"],
      ["en", "Done", "Back"],
    ] as const) {
      const page = await phone({ lang, scheme: lang === "en" ? "dark" : "light" });
      await signIn(page, "cao-yi");
      await page.goto(`${base}/app/#/admin/backtests/course-passed`);
      const list = page.getByTestId("backtests");
      await list.waitFor();
      expect(await list.locator("li").count()).toBe(listed.length);
      const newest = list.locator("li a").first();
      expect(await newest.getAttribute("href")).toBe(`#/admin/backtests/course-passed/${job.backtestId}`);
      expect(await newest.textContent()).toContain(done);
      await inspect(page, `backtests-${lang}`);
      await newest.click();
      await page.getByTestId("comparison").waitFor();
      await page.getByRole("link", { name: back }).click();
      await list.waitFor();
      await page.context().close();
    }
  });
});

/**
 * The managers' page end to end, in a real headless Chromium (Debian's, driven by playwright-core)
 * against the local server: demo sign-in, balances that match the API, a badge, English and
 * back, the team lead's team, a refusal, an expired sign-in. Writes a screenshot of each screen
 * at 390×844 to docs/screenshots/.
 */
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb } from "../../scripts/build-web.ts";
import { chromiumPath, hasChromium, launchChromium } from "../../scripts/chromium.ts";
import { loadDemoAwards, loadDemoFund, type Send } from "../../scripts/demo-data.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { startLocalServer } from "../../scripts/local/server.ts";
import { as } from "../support/api.ts";
import { issuer } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";

const shots = join(import.meta.dirname, "..", "..", "docs", "screenshots");

let server: Server;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

/** The number shown on the page, as the API gives it (the page groups thousands with commas). */
const shownNumber = async (testId: string) => Number(((await page.getByTestId(testId).textContent()) ?? "").replace(/[^0-9]/g, ""));

beforeAll(async () => {
  if (!hasChromium()) {
    throw new Error(`Debian's chromium is missing at ${chromiumPath}: install it (sudo apt-get install -y chromium); .ci/run does.`);
  }
  mkdirSync(shots, { recursive: true });
  const [{ admin }] = await Promise.all([withDemoDefinitions(), buildWeb({ quiet: true })]);
  const send: Send = (method, url, body, key) =>
    method === "PUT" ? admin.put(url, body) : admin.post(url, body, key ? { "idempotency-key": key } : undefined);
  await loadDemoAwards(send);
  await loadDemoFund(dispatch, (personId, roles) => issuer.sign(personId, roles));
  server = await startLocalServer(0, "127.0.0.1", { dev: { issuer } });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: "zh-CN" });
  page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on("pageerror", (error) => console.error("page error:", error));
  page.on("console", (message) => {
    // Refusals (401, 403) are expected here; anything else the page logs is worth seeing.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) console.error("page console:", message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe("the managers' page", () => {
  it("is served under /app/ with its config, content types and caching", async () => {
    const index = await fetch(`${base}/app/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await index.text();
    const script = /src="(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const js = await fetch(`${base}/app/${script}`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await (await fetch(`${base}/app/config.json`)).json()).toMatchObject({ apiUrl: base, devSignIn: true });
    expect((await fetch(`${base}/app/team/deep-link`)).headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await fetch(`${base}/app/../package.json`)).status).not.toBe(200);
    expect((await fetch(`${base}/app/nothing.js`)).status).toBe(404);
  });

  it("signs in a demo manager and shows balances that match the API", async () => {
    await page.goto(`${base}/app/`);
    await page.locator('[data-person="liu-yang"]').waitFor();
    await expect.poll(() => page.locator(".chip-accent").count()).toBeGreaterThan(5);
    await shot("sign-in");

    await page.locator('[data-person="liu-yang"]').click();
    await page.getByTestId("coins").waitFor();
    const api = (await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body;
    expect(await shownNumber("coins")).toBe(api.coins);
    expect(await shownNumber("points")).toBe(api.points.total);
    expect(api.coins).toBeGreaterThan(0);
    await expect.poll(() => page.locator(".badge-tile").count()).toBe(2);
    await expect.poll(() => page.locator(".radar").getAttribute("aria-label")).toContain("战略规划 0");
    await shot("me");
  });

  it("opens a badge: held levels with the day earned, locked ones with how to earn them", async () => {
    await page.getByRole("link", { name: /数字化认证/ }).click();
    await expect.poll(() => page.locator(".level").count()).toBe(3);
    await expect.poll(() => page.locator(".level.is-held .status").textContent()).toMatch(/^获得于 \d{4}年/);
    expect(await page.locator(".level.is-locked").first().textContent()).toContain("规则「certification-passed」达成 2 次");
    await shot("badge");
    await page.getByRole("link", { name: "返回" }).click();
    await page.getByTestId("coins").waitFor();
  });

  it("switches to English and back, and remembers the choice", async () => {
    await page.getByRole("button", { name: "Switch to English" }).click();
    await page.getByText("Digital coins").waitFor();
    await expect.poll(() => page.locator(".radar").getAttribute("aria-label")).toContain("Strategic planning 0");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await shot("me-en");
    await page.reload();
    await page.getByText("Digital coins").waitFor();
    await page.getByRole("button", { name: "切换到中文" }).click();
    await page.getByText("数字金币").waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
  });

  it("shows the history grouped by day, each entry saying why and who", async () => {
    await page.getByRole("link", { name: "记录" }).click();
    await expect.poll(() => page.locator(".entry").count()).toBeGreaterThanOrEqual(4);
    const text = await page.locator(".screen").textContent();
    expect(text).toContain("今天");
    expect(text).toContain("完成《数字化工具实操》课程，成绩 92 分");
    expect(text).toContain("操作人 曹毅 (cao-yi)");
    expect(text).toContain("+120 金币");
    expect(text).toContain("勋章「数字化认证 · 数字化管理专员」");
    await shot("history");
  });

  it("shows the person's fund claims and payouts", async () => {
    await page.getByRole("link", { name: "基金" }).click();
    await page.getByTestId("received").waitFor();
    const api = (await (await as("liu-yang", "manager")).get("/people/liu-yang/fund")).body;
    expect(api.received.CNY).toBeGreaterThan(0);
    expect((await page.getByTestId("received").textContent())?.replace(/[^0-9]/g, "")).toBe(String(api.received.CNY));
    expect(await page.locator(".screen").textContent()).toContain("已发放");
    await shot("fund");
  });

  it("redeems coins for a reward", async () => {
    await page.getByRole("link", { name: "兑换" }).click();
    const before = (await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body.coins;
    await page.getByRole("button", { name: "兑换 门店咖啡券" }).click();
    await page.getByText("已兑换「门店咖啡券」。").waitFor();
    const after = (await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body.coins;
    expect(after).toBe(before - 10);
    await expect.poll(() => page.locator(".screen-hint").textContent()).toContain(`可用金币：${after}`);
    await shot("rewards");
  });

  it("shows a team lead their team, and a member read only", async () => {
    await page.getByRole("link", { name: "团队" }).click();
    await expect.poll(() => page.locator(".member-name").allInnerTexts()).toEqual(["黄涛", "吴敏", "杨雪"]);
    await expect.poll(() => page.getByRole("link", { name: "查看 杨雪" }).textContent()).toContain("50");
    await shot("team");
    await page.getByRole("link", { name: "查看 杨雪" }).click();
    await page.getByText("团队成员 · 只读").waitFor();
    expect(await shownNumber("coins")).toBe(50);
  });

  it("shows the next promotion gate, each criterion with what is missing", async () => {
    await page.getByRole("link", { name: "晋升" }).click();
    await expect.poll(() => page.locator(".criterion").count()).toBe(6);
    const text = await page.locator(".screen").textContent();
    expect(text).toContain("基层 → 中层管理者");
    expect(text).toContain("智慧点累计达到 100");
    // The demo awards meet every criterion but the completion rate, which no source reported here.
    expect(text).toContain("还差 1 项（共 6 项）");
    expect(text).toContain("尚无上报数据");
    await shot("progress");
  });

  it("shows the leaderboard with the person's own position", async () => {
    await page.goto(`${base}/app/#/rank`);
    await page.locator(".board, .empty, [role=alert]").first().waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.getByRole("button", { name: "总榜" }).click();
    await page.locator(".row.self").waitFor();
    expect(await page.locator(".row.self").textContent()).toContain("刘洋");
    await shot("rank");
  });

  it("shows the bounty board, and a lead takes a bounty on with their people", async () => {
    const posted = await (await as("cao-yi", "admin")).post("/bounties", {
      title: { zh: "门店客流预测", en: "Store footfall forecast" },
      description: { zh: "用历史客流预测周末排班", en: "Forecast weekend staffing from footfall" },
      capability: "growth-driving",
      reward: { coins: 80, points: 40 },
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    expect(posted.status).toBe(201);
    await page.goto(`${base}/app/#/bounties`);
    const card = page.locator(".card", { hasText: "门店客流预测" });
    await card.waitFor();
    expect(await card.textContent()).toContain("80 金币");
    await card.getByRole("checkbox", { name: "杨雪" }).check();
    await card.getByRole("checkbox", { name: "黄涛" }).check();
    await card.getByRole("button", { name: "揭榜" }).click();
    await expect.poll(() => card.textContent()).toContain("杨雪 50%、黄涛 50%");
    expect(await card.textContent()).toContain("攻关中");
    await page.getByRole("button", { name: "我的" }).click();
    await page.locator(".card", { hasText: "门店客流预测" }).waitFor();

    const bountyId = posted.body.bounty.bountyId;
    const delivered = await (await as("yang-xue", "manager")).post(`/bounties/${bountyId}/teams/team-1/deliveries`, {
      link: "https://bi.tianma.example/footfall",
      note: "排班准确率提升",
    });
    expect(delivered.status).toBe(201);
    const accepted = await (await as("cao-yi", "admin")).post(`/bounties/${bountyId}/teams/team-1/judgements`, {
      decision: "accept",
      reason: "通过",
    });
    expect(accepted.status).toBe(200);
    await page.getByRole("button", { name: "揭榜榜" }).click();
    await expect.poll(() => page.locator(".entry", { hasText: "杨雪" }).first().textContent()).toContain("揭榜 1 次");
  });

  it("is refused another department's person, in the API's words", async () => {
    await page.goto(`${base}/app/#/people/gao-bo`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("无权查看");
    expect(await alert.textContent()).toContain("gao-bo is not among them");
  });

  it("says when the network is gone, and when the sign-in has expired", async () => {
    await page.goto(`${base}/app/#/me`);
    await page.getByTestId("coins").waitFor();
    await context.setOffline(true);
    await page.getByText("网络已断开").waitFor();
    await context.setOffline(false);

    // A token the API refuses (another audience): 401 → back to the sign-in, with a message.
    const refused = await issuer.sign("liu-yang", ["manager"], { audience: "someone-else" });
    await page.evaluate(`sessionStorage.setItem("laurel.token", ${JSON.stringify(refused)})`);
    await page.reload();
    await page.getByText("登录已过期，请重新登录。").waitFor();
    await page.locator('[data-person="liu-yang"]').waitFor();
  });
});

/**
 * The managers' page end to end, on an emulated phone (390×844, DPR 2, touch) in a real headless
 * Chromium (Debian's, driven by playwright-core) against the local server: a team lead, a
 * manager who leads nobody and an approver; Chinese and English; light and dark. Every screen
 * state is audited with axe-core (no serious or critical violation), and checked for tap targets
 * of at least 44 px and no horizontal overflow at 320 and 390 px.
 *
 * Screenshots go to the ignored test/screenshots/; `npm run screenshots` then copies those the
 * docs show to docs/screenshots/, on purpose (a test run never changes a tracked file).
 */
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../functions/background/projector.ts";
import { createDynamoClient } from "../../functions/dynamo/client.ts";
import { tokenAudience } from "../../functions/http/auth.ts";
import { buildWeb } from "../../scripts/build-web.ts";
import { chromiumPath, hasChromium, launchChromium } from "../../scripts/chromium.ts";
import { loadDemoAwards, loadDemoFund, type Send } from "../../scripts/demo-data.ts";
import { dispatch } from "../../scripts/local/api.ts";
import { startLocalServer } from "../../scripts/local/server.ts";
import { StreamPoller } from "../../scripts/local/stream-poller.ts";
import { inspect, openPhone, type Phone, shownNumber, signInAs } from "../page/phone.ts";
import { startFakeDingTalk } from "../sign-in/dingtalk-fake.ts";
import { startFakeOidc } from "../sign-in/oidc-fake.ts";
import { startFakeWeCom } from "../sign-in/wecom-fake.ts";
import { as } from "../support/api.ts";
import { issuer, tableNames } from "../support/env.ts";
import { withDemoDefinitions } from "../support/org.ts";

let server: Server;
let base: string;
let browser: Browser;

// A second issuer trusted beside the dev issuer, as a stage trusts Laurel's token service: a fake
// OIDC provider holds its keys, so that the same trust serves the company-issuer sign-in, and the
// token service signs DingTalk's and WeCom's sign-ins with them. Set before any handler reads its
// configuration.
const dingtalk = await startFakeDingTalk();
const wecom = await startFakeWeCom();
const oidc = await startFakeOidc(tokenAudience);
Object.assign(process.env, {
  WECOM_APP: JSON.stringify(wecom.app),
  WECOM_API_BASE: wecom.url,
  TOKEN_ISSUER: oidc.issuer,
  TOKEN_SIGNING_KEYS: JSON.stringify(oidc.keys),
  DINGTALK_APP: JSON.stringify(dingtalk.app),
  DINGTALK_API_BASE: dingtalk.url,
});

const phone = (options?: Phone) => openPhone(browser, options);
const signIn = (page: Page, personId: string) => signInAs(page, base, personId);

beforeAll(async () => {
  if (!hasChromium()) {
    throw new Error(`Debian's chromium is missing at ${chromiumPath}: install it (sudo apt-get install -y chromium); .ci/run does.`);
  }
  const [{ admin }] = await Promise.all([withDemoDefinitions(), buildWeb({ quiet: true })]);
  const send: Send = (method, url, body, key) =>
    method === "PUT" ? admin.put(url, body) : admin.post(url, body, key ? { "idempotency-key": key } : undefined);
  await loadDemoAwards(send);
  await loadDemoFund(dispatch, (personId, roles) => issuer.sign(personId, roles));
  // The leaderboards' projector, fed from DynamoDB Local's stream as `npm start` does.
  const poller = new StreamPoller({
    endpoint: process.env.DYNAMODB_ENDPOINT as string,
    client: createDynamoClient(),
    table: tableNames.ledger,
    handler,
  });
  await poller.drain();
  server = await startLocalServer(0, "127.0.0.1", { dev: { issuer } });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all([dingtalk.close(), wecom.close(), oidc.close()]);
});

describe("the managers' page", () => {
  it("is served under /app/ with its config and code inline, allowed by hash and nothing else inline", async () => {
    const index = await fetch(`${base}/app/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const config = /<script type="application\/json" id="laurel-config">(.*?)<\/script>/.exec(html)?.[1] ?? "";
    expect(JSON.parse(config)).toMatchObject({ apiUrl: base, devSignIn: true });
    const csp = index.headers.get("content-security-policy") ?? "";
    const inline = [...html.matchAll(/<(script|style)(?: type="module")?>([\s\S]*?)<\/\1>/g)];
    expect(inline.map((m) => m[1])).toEqual(["script", "style", "script"]);
    for (const [, element, code] of inline) {
      const hash = `'sha256-${createHash("sha256")
        .update(code ?? "")
        .digest("base64")}'`;
      expect(csp).toMatch(new RegExp(`${element}-src 'self'[^;]*${hash.replace(/[+/]/g, "\\$&")}`));
    }
    expect(csp).not.toContain("unsafe-inline");
    // What the service worker opens later visits from: the same page, its code in a file of its own.
    const shell = await (await fetch(`${base}/app/shell.html`)).text();
    expect(shell).toContain(config);
    const script = /<script type="module" src="(app-[A-Z0-9]{8}\.js)"><\/script>/.exec(shell)?.[1];
    const js = await fetch(`${base}/app/${script}`);
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${base}/app/config.json`)).status).toBe(404);
    expect((await fetch(`${base}/app/team/deep-link`)).headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await fetch(`${base}/app/../package.json`)).status).not.toBe(200);
    expect((await fetch(`${base}/app/nothing.js`)).status).toBe(404);
  });

  it("asks for a signed-in manager's screen from the HTML's head, once, and paints the last view at once on the next visit", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    const asked: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/people/")) asked.push(new URL(r.url()).pathname);
    });
    await page.goto(`${base}/app/#/history`);
    await page.locator(".entry").first().waitFor();
    await page.waitForLoadState("networkidle");
    expect(asked.filter((p) => p === "/people/liu-yang/ledger")).toHaveLength(1);
    // Offline, the next visit opens from the app shell with what 记录 and 我的 showed last.
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)");
    await page.context().setOffline(true);
    await page.reload();
    await page.locator(".entry").first().waitFor();
    await page.getByRole("link", { name: "我的" }).click();
    const api = (await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body;
    await expect.poll(() => shownNumber(page, "coins")).toBe(api.coins);
    await page.context().setOffline(false);
    // Signing out leaves nothing of the person on the device.
    await page.getByRole("button", { name: "退出登录" }).click();
    expect(await page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('laurel.view.'))")).toEqual([]);
    await page.context().close();
  });

  it("shows a lead their balances as the API has them, five tabs and their team inside 我的", async () => {
    const page = await phone();
    await page.goto(`${base}/app/`);
    await page.locator('[data-person="liu-yang"]').waitFor();
    await inspect(page, "sign-in");
    await page.locator('[data-person="liu-yang"]').click();
    await page.getByTestId("coins").waitFor();
    const api = (await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body;
    expect(await shownNumber(page, "coins")).toBe(api.coins);
    expect(await shownNumber(page, "points")).toBe(api.points.total);
    expect(await page.locator(".tabbar .tab").allInnerTexts()).toEqual(["我的", "记录", "晋升", "排行", "福利"]);
    await expect.poll(() => page.locator(".radar").getAttribute("aria-label")).toContain("战略规划 0");
    await page.locator(".progress-card").waitFor();
    await inspect(page, "me");

    const teamCalls: string[] = [];
    page.on("request", (r) => {
      if (/\/people\/[^/]+\/balances|\/team$/.test(new URL(r.url()).pathname)) teamCalls.push(new URL(r.url()).pathname);
    });
    await page.getByRole("link", { name: "查看我的团队" }).click();
    await expect.poll(() => page.locator(".member-name").allInnerTexts()).toEqual(["黄涛", "吴敏", "杨雪"]);
    expect(teamCalls).toEqual(["/org-units/store-east/team"]);
    await inspect(page, "team");
    await page.getByRole("link", { name: /杨雪/ }).click();
    await page.getByText("团队成员 · 只读").waitFor();
    expect(await shownNumber(page, "coins")).toBe(50);
    await page.context().close();
  });

  it("opens a badge: held levels with the day earned, locked ones with the rule's name and a named bar", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.getByRole("link", { name: /数字化认证/ }).click();
    await expect.poll(() => page.locator(".level").count()).toBe(3);
    await expect.poll(() => page.locator(".level.is-held .status").textContent()).toMatch(/^获得于 \d{4}年/);
    expect(await page.locator(".level.is-locked").first().textContent()).toContain("规则「通过数字化认证考试」达成 2 次");
    await inspect(page, "badge");
    await page.context().close();
  });

  it("shows history like a bank app: a row per cause, in the reader's language, ids only when tapped", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.getByRole("link", { name: "记录", exact: true }).click();
    await expect.poll(() => page.locator(".entry").count()).toBeGreaterThanOrEqual(4);
    const screen = page.locator(".screen");
    expect(await screen.innerText()).toContain("今天");
    // The demo's first course: 20 coins and 10 points by one rule, one row.
    const course = page.locator(".entry", { hasText: "完成《数字化工具实操》课程，成绩 92 分" });
    expect(await course.locator(".amount").allInnerTexts()).toEqual(["+120 金币", "+80 智慧点"]);
    expect(await screen.innerText()).not.toContain("person.liu-yang.");
    await inspect(page, "history");
    await course.locator("summary").click();
    expect(await course.innerText()).toContain("操作人 曹毅 (cao-yi)");
    expect(await course.innerText()).toMatch(/person\.liu-yang\.\d+/);
    await inspect(page, "history-open");

    await page.getByRole("button", { name: "English" }).click();
    await page.getByText("Today").waitFor();
    expect(await screen.innerText()).toContain("Redeemed “Learning card” × 1");
    await page.context().close();
  });

  it("redeems only after a confirmation sheet, lists the redemption with how to collect it, then 已领取 once handed over", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.getByRole("link", { name: "福利", exact: true }).click();
    const before = (await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body.coins;
    await page.locator(".short", { hasText: "还差" }).first().waitFor();
    expect(await page.locator(".reward", { hasText: "培训名额" }).innerText()).toContain(`还差 ${300 - before} 金币`);
    await inspect(page, "rewards");
    await page.getByRole("button", { name: "兑换 门店咖啡券" }).click();
    await page.getByRole("dialog").waitFor();
    expect(await page.getByTestId("balance-after").innerText()).toBe(`${before} → ${before - 10} 金币`);
    await inspect(page, "rewards-confirm");
    expect((await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body.coins).toBe(before);
    await page.getByRole("button", { name: "确认兑换 门店咖啡券" }).click();
    await page.getByText("已兑换「门店咖啡券」。").waitFor();
    expect((await (await as("liu-yang", "manager")).get("/people/liu-yang/balances")).body.coins).toBe(before - 10);
    await page.getByRole("button", { name: "我的兑换" }).click();
    const mine = page.locator(".entry.redemption").first();
    await expect.poll(() => mine.innerText()).toContain("门店咖啡券");
    expect(await mine.innerText()).toContain("在任一门店收银台出示本页兑换记录即可。");
    expect(await mine.innerText()).toContain("待领取");
    await inspect(page, "redemptions");
    // Finance hands the coupon over: the manager sees 已领取 with the day, and no longer how to collect it.
    const history = (await (await as("liu-yang", "manager")).get("/people/liu-yang/ledger?limit=5")).body.entries;
    const redeemed = history.find((e: { kind: string }) => e.kind === "redemption").entryId;
    expect((await (await as("peng-li", "finance")).post(`/redemptions/${redeemed}/collection`, undefined)).status).toBe(201);
    await page.reload();
    await expect.poll(() => mine.innerText()).toContain("已领取");
    expect(await mine.innerText()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日已领取。/);
    expect(await mine.innerText()).not.toContain("收银台");
    await inspect(page, "redemptions-collected");
    // The balance on 我的 is fresh after my own write.
    await page.getByRole("link", { name: "我的", exact: true }).click();
    await expect.poll(() => shownNumber(page, "coins")).toBe(before - 10);
    await page.context().close();
  });

  it("lets a lead claim from the fund for their team, and an approver decide it with a reason", async () => {
    const lead = await phone();
    await signIn(lead, "liu-yang");
    await lead.goto(`${base}/app/#/fund`);
    await lead.getByTestId("received").waitFor();
    await inspect(lead, "fund");
    await lead.getByRole("button", { name: "为团队申请创新基金" }).click();
    await lead.getByLabel("应用场景").fill("门店库存看板上线");
    await lead.getByLabel("实测成效（如：缺货率下降 30%）").fill("缺货率下降 12%");
    await lead.getByLabel(/申请金额/).fill("300");
    await lead.getByRole("checkbox", { name: "杨雪" }).check();
    await inspect(lead, "fund-claim");
    await lead.getByRole("button", { name: "提交申请" }).click();
    await lead.getByText("已从基金预留 ¥300.00，等待 1 位审批人审批。").waitFor();
    await lead.getByRole("button", { name: "完成" }).click();
    await lead.locator(".claim", { hasText: "门店库存看板上线" }).getByText("已预留 ¥300.00，等待审批").waitFor();

    const approver = await phone({ lang: "en", scheme: "dark" });
    await signIn(approver, "jiang-wen");
    await approver.goto(`${base}/app/#/fund`);
    const waiting = approver.getByTestId("waiting").locator(".claim", { hasText: "门店库存看板上线" });
    await waiting.waitFor();
    await inspect(approver, "fund-approver");
    await waiting.getByRole("button", { name: "Approve" }).click();
    await approver.getByLabel("Reason (required)").fill("Measured value checked against the BI report");
    await inspect(approver, "fund-decide");
    await approver.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => approver.getByTestId("waiting").locator(".claim", { hasText: "门店库存看板上线" }).count()).toBe(0);

    await lead.reload();
    const paid = lead.locator(".claim", { hasText: "门店库存看板上线" });
    await expect.poll(() => paid.innerText()).toContain("已发放");
    expect(await paid.innerText()).toContain("蒋文同意：Measured value checked against the BI report");
    await lead.context().close();
    await approver.context().close();
  });

  it("lists my redemptions however long my history since, with how to collect each, one status at a tap", async () => {
    const admin = await as("chen-jian", "admin");
    const rewardId = "e2e-umbrella";
    const collect = { zh: "到一楼前台领取", en: "Collect it at the ground-floor front desk" };
    expect(
      (await admin.put(`/admin/rewards/${rewardId}`, { name: { zh: "雨伞", en: "Umbrella" }, price: 5, stock: 100, collect })).status,
    ).toBe(200);
    expect((await admin.post("/awards", { personId: "hu-yan", coins: 10, reason: "e2e" })).status).toBe(201);
    const yan = await as("hu-yan", "manager");
    const handedOver = (await yan.post("/redemptions", { rewardId })).body.redemption.entryId as string;
    expect((await yan.post("/redemptions", { rewardId })).status).toBe(201);
    expect((await (await as("peng-li", "finance")).post(`/redemptions/${handedOver}/collection`, undefined)).status).toBe(201);
    // More than a hundred entries after them: the list does not come from recent history.
    for (let i = 0; i < 110; i++)
      expect((await admin.post("/awards", { personId: "hu-yan", coins: 1, reason: `e2e ${i}` })).status).toBe(201);

    const page = await phone({ lang: "en" });
    await signIn(page, "hu-yan");
    await page.goto(`${base}/app/#/redemptions`);
    const rows = page.getByTestId("my-redemptions").locator(".entry.redemption", { hasText: "Umbrella" });
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).innerText()).toContain("To collect");
    expect(await rows.nth(0).innerText()).toContain("Collect it at the ground-floor front desk");
    expect(await rows.nth(1).innerText()).toMatch(/Collected on /);
    await inspect(page, "redemptions-after-long-history");
    await page.getByRole("button", { name: "Collected", exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.nth(0).innerText()).toMatch(/Collected on /);
    await inspect(page, "redemptions-collected-only");
    await page.context().close();
  });

  it("shows an approver the claims waiting for them from a pool with a long ledger, and rejects one with a reason", async () => {
    const finance = await as("peng-li", "finance");
    const fundId = "e2e-busy-pool";
    const limits = { perClaim: 1_000_000, perPersonInPeriod: 1_000_000 };
    expect(
      (
        await finance.post("/funds", {
          fundId,
          name: "门店创新基金",
          currency: "CNY",
          period: "2026",
          limits,
          twoApprovalsAbove: 1_000_000,
        })
      ).status,
    ).toBe(201);
    expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 100_000, reason: "拨付" })).status).toBe(201);
    const submitted = await (await as("xu-jing", "manager")).post(`/funds/${fundId}/claims`, {
      scenario: "智能排班系统上线",
      measuredValue: "加班时长下降 20%",
      amount: 50_000,
      split: { by: "amount", parts: [{ personId: "ma-chao", amount: 50_000 }] },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    // The claim's reservation comes before more than a hundred deposits in the pool's ledger.
    for (let i = 0; i < 105; i++)
      expect((await finance.post(`/funds/${fundId}/deposits`, { amount: 1, reason: `追加 ${i}` })).status).toBe(201);

    const approver = await phone();
    await signIn(approver, "jiang-wen");
    await approver.goto(`${base}/app/#/fund`);
    const waiting = approver.getByTestId("waiting").locator(".claim", { hasText: "智能排班系统上线" });
    await waiting.waitFor();
    await inspect(approver, "fund-waiting-long-ledger");
    await waiting.getByRole("button", { name: "驳回" }).click();
    await approver.getByLabel("审批意见（必填）").fill("实测成效缺少 BI 报表截图");
    await approver.getByRole("dialog").getByRole("button", { name: "驳回" }).click();
    await expect.poll(() => approver.getByTestId("waiting").locator(".claim", { hasText: "智能排班系统上线" }).count()).toBe(0);
    const decided = (await finance.get(`/claims/${submitted.body.claim.claimId}`)).body.claim;
    expect([decided.status, decided.decisions[0].comment]).toEqual(["rejected", "实测成效缺少 BI 报表截图"]);
    await approver.context().close();
  });

  it("refuses another department's person in the reader's language, the API's words one tap away", async () => {
    const page = await phone();
    await signIn(page, "jiang-wen");
    await page.goto(`${base}/app/#/people/gao-bo`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("无权查看");
    expect(await alert.innerText()).toContain("你没有权限查看或执行此操作。");
    expect(await alert.innerText()).not.toContain("gao-bo is not among them");
    await alert.getByText("详情").click();
    expect(await alert.innerText()).toContain("gao-bo is not among them");
    await inspect(page, "refused");
    await page.context().close();
  });

  it("shows a manager who leads nobody no team and no claim button, and celebrates a new badge level", async () => {
    const page = await phone({ lang: "en" });
    await signIn(page, "yang-xue");
    await page.locator(".progress-card").waitFor();
    expect(await page.getByRole("link", { name: "See my team" }).count()).toBe(0);
    expect(await page.getByRole("img", { name: /^Points over time: week \d+ 0/ }).count()).toBe(1);
    // The first visit celebrates nothing; a level earned after it is celebrated once, with a card to share.
    expect(await page.getByRole("dialog").count()).toBe(0);
    const admin = await as("cao-yi", "admin");
    expect(
      (await admin.post("/awards", { personId: "yang-xue", badge: { badgeId: "certification", level: 1 }, reason: "认证" })).status,
    ).toBe(201);
    await page.reload();
    await page.getByRole("dialog").getByText("You earned the badge “Digital certification · Digital management specialist”").waitFor();
    await page.getByRole("button", { name: "Share the badge card" }).click();
    await page.getByRole("link", { name: "Save the image" }).waitFor();
    await inspect(page, "celebration-en");
    await page.getByRole("button", { name: "Done" }).click();
    await page.reload();
    await page.getByTestId("coins").waitFor();
    await page.locator(".progress-card").waitFor();
    expect(await page.getByRole("dialog").count()).toBe(0);
    await page.goto(`${base}/app/#/fund`);
    await page.getByTestId("received").waitFor();
    expect(await page.getByRole("button", { name: "Claim from the fund for my team" }).count()).toBe(0);
    await inspect(page, "fund-member-en");
    await page.context().close();
  });

  it("shows the next promotion gate: real values, per-capability gaps and how to earn them", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.getByRole("link", { name: "晋升", exact: true }).click();
    await expect.poll(() => page.locator(".criterion").count()).toBe(6);
    const text = await page.locator(".screen").innerText();
    expect(text).toContain("基层 → 中层管理者");
    expect(text).toContain("还差 1 项（共 6 项）");
    expect(text).toContain("尚无上报数据");
    // The unit comes from the gate's definition (unit: "percent").
    expect(text).toContain("课程完成率达到 90%");
    expect(await page.getByRole("progressbar", { name: "智慧点累计达到 100" }).getAttribute("aria-valuetext")).toMatch(/^\d+ \/ 100$/);
    await inspect(page, "progress");
    await page.context().close();
  });

  it("shows the bounty board under 福利, and a lead takes a bounty on with their people", async () => {
    const posted = await (await as("cao-yi", "admin")).post("/bounties", {
      title: { zh: "门店客流预测", en: "Store footfall forecast" },
      description: { zh: "用历史客流预测周末排班", en: "Forecast weekend staffing from footfall" },
      capability: "growth-driving",
      reward: { coins: 80, points: 40 },
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    expect(posted.status).toBe(201);
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.goto(`${base}/app/#/bounties`);
    const card = page.locator(".card", { hasText: "门店客流预测" });
    await card.waitFor();
    await inspect(page, "bounties");
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
    await page.context().close();
  });

  it("ranks with my row once, and says so when nobody has scored", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.getByRole("link", { name: "排行", exact: true }).click();
    await page.locator(".board, .empty, [role=alert]").first().waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    await page.getByRole("button", { name: "总榜" }).click();
    await page.locator(".row.self").waitFor();
    expect(await page.locator(".row.self").count()).toBe(1);
    expect(await page.locator(".row.self").textContent()).toContain("刘洋");
    await inspect(page, "rank");
    // Nobody in the team has strategic-planning points: no tie of everyone at #1, but an empty state.
    await page.getByLabel("指标").selectOption({ label: "战略规划" });
    await page.getByText("这个周期还没有人上榜。").waitFor();
    expect(await page.locator(".row").count()).toBe(0);
    await page.context().close();
  });

  for (const variant of [
    { lang: "zh", scheme: "dark", width: 320 },
    { lang: "en", scheme: "light", width: 320 },
    { lang: "en", scheme: "dark", width: 390 },
  ] as const) {
    it(`passes axe, tap-target and overflow checks on every tab in ${variant.lang}, ${variant.scheme}, ${variant.width} px`, async () => {
      const page = await phone(variant);
      await signIn(page, "liu-yang");
      const name = `${variant.lang}-${variant.scheme}-${variant.width}`;
      await page.locator(".progress-card").waitFor();
      await inspect(page, `me-${name}`);
      for (const screen of ["history", "progress", "rank", "rewards", "redemptions", "fund", "team"]) {
        await page.goto(`${base}/app/#/${screen}`);
        await page.locator(".screen > *").first().waitFor();
        await page.waitForLoadState("networkidle");
        await inspect(page, `${screen}-${name}`);
      }
      await page.context().close();
    });
  }

  it("pulls to refresh, and refreshes on coming back to the app: coins awarded elsewhere show", async () => {
    const page = await phone();
    await signIn(page, "wu-min");
    const before = await shownNumber(page, "coins");
    const admin = await as("cao-yi", "admin");
    expect((await admin.post("/awards", { personId: "wu-min", coins: 7, reason: "门店巡检" })).status).toBe(201);
    expect(await shownNumber(page, "coins")).toBe(before);
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", y: number) =>
      cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x: 195, y }] });
    await touch("touchStart", 150);
    for (const y of [190, 230, 270]) await touch("touchMove", y);
    await page.getByText("松开刷新").waitFor();
    await touch("touchEnd", 270);
    await expect.poll(() => shownNumber(page, "coins")).toBe(before + 7);

    // Back in the app (the chat app brings the web view to the front): asked again, no pull needed.
    expect((await admin.post("/awards", { personId: "wu-min", coins: 3, reason: "门店巡检" })).status).toBe(201);
    await page.evaluate(`document.dispatchEvent(new Event("visibilitychange"))`);
    await expect.poll(() => shownNumber(page, "coins")).toBe(before + 10);
    await page.context().close();
  });

  it("opens offline from its app shell, and after signing in again goes back to where I was", async () => {
    const page = await phone();
    await signIn(page, "liu-yang");
    await page.goto(`${base}/app/#/progress`);
    await page.locator(".criterion").first().waitFor();
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)");
    await page.context().setOffline(true);
    await page.getByText("网络已断开").waitFor();
    await page.reload();
    await page.getByText("网络已断开").waitFor();
    expect(await page.locator(".tabbar .tab").count()).toBe(5);
    await inspect(page, "offline");
    await page.context().setOffline(false);

    // A token the API refuses (another audience): 401 → back to the sign-in, with a message.
    const refused = await issuer.sign("liu-yang", ["manager"], { audience: "someone-else" });
    await page.evaluate(`sessionStorage.setItem("laurel.token", ${JSON.stringify(refused)})`);
    await page.reload();
    await page.getByText("登录已过期，请重新登录。").waitFor();
    await page.locator('[data-person="liu-yang"]').click();
    await page.locator(".criterion").first().waitFor();
    expect(new URL(page.url()).hash).toBe("#/progress");
    await page.context().close();
  });
});

describe("the page inside DingTalk or WeCom", () => {
  const corpId = "dingcorp0001";
  const weComAgentId = "1000002";
  /**
   * A phone whose web view says DingTalk (as the DingTalk client's does), a stage configured for
   * DingTalk sign-in, and DingTalk's JSAPI stubbed with a `dd` that hands out the fake's codes.
   */
  async function dingTalkPhone(
    dingtalkUserId: string,
    userAgent = "Mozilla/5.0 (iPhone) AliApp(DingTalk/7.6.0) com.laiwang.DingTalk/1",
  ): Promise<{ page: Page; jsapiLoads: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      userAgent,
      serviceWorkers: "block",
    });
    await context.addInitScript(`localStorage.setItem("laurel.lang", "zh")`);
    const jsapiLoads: string[] = [];
    // A stage that signs in with DingTalk: its configuration, written into the page as at deploy time.
    await context.route(/\/app\/(index\.html)?(\?[^#]*)?$/, async (route) => {
      const response = await route.fetch();
      const config = JSON.stringify({
        apiUrl: base,
        signIn: "dingtalk",
        dingtalkCorpId: corpId,
        wecomCorpId: wecom.app.corpId,
        wecomAgentId: weComAgentId,
      });
      const html = (await response.text()).replace(/(id="laurel-config">)[^<]*/, (_, open: string) => open + config);
      return route.fulfill({
        contentType: "text/html",
        headers: { "content-security-policy": response.headers()["content-security-policy"] ?? "" },
        body: html,
      });
    });
    // WeCom's web authorisation: back to the page with a code for the member.
    await context.route("https://open.weixin.qq.com/**", (route) => {
      const asked = new URL(route.request().url()).searchParams;
      const fine = asked.get("appid") === wecom.app.corpId && asked.get("agentid") === weComAgentId && asked.get("scope") === "snsapi_base";
      const back = new URL(asked.get("redirect_uri") ?? "");
      back.searchParams.set("code", fine ? wecom.code(dingtalkUserId === "dt-liuyang" ? "LiuYang" : dingtalkUserId) : "refused");
      back.searchParams.set("state", asked.get("state") ?? "");
      // WeCom's authorisation page sends the browser on (a redirect would not pass this context's routes).
      return route.fulfill({ contentType: "text/html", body: `<script>location.replace(${JSON.stringify(back.toString())})</script>` });
    });
    await context.route("https://g.alicdn.com/**", (route) => {
      jsapiLoads.push(route.request().url());
      const code = dingtalk.authCode(dingtalkUserId);
      return route.fulfill({
        contentType: "application/javascript",
        body: `window.dd = { ready: (f) => f(), runtime: { permission: { requestAuthCode: (o) => o.corpId === ${JSON.stringify(corpId)} ? o.onSuccess({ code: ${JSON.stringify(code)} }) : o.onFail("corpId") } } };`,
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    return { page, jsapiLoads };
  }

  beforeAll(async () => {
    const admin = await as("cao-yi", "admin");
    const person = (await admin.get("/admin/people/liu-yang")).body;
    expect(
      (
        await admin.put("/admin/people/liu-yang", {
          ...person,
          identities: { dingtalk: "dt-liuyang", wecom: "LiuYang" },
          roles: ["manager"],
        })
      ).status,
    ).toBe(200);
  });

  it("signs the person in without a click, through DingTalk's JSAPI and Laurel's token service", async () => {
    const { page, jsapiLoads } = await dingTalkPhone("dt-liuyang");
    await page.goto(`${base}/app/`);
    await page.getByTestId("coins").waitFor();
    const balances = await (await as("liu-yang", "manager")).get("/people/liu-yang/balances");
    expect(await shownNumber(page, "coins")).toBe(balances.body.coins);
    expect(jsapiLoads).toHaveLength(1);
    await page.context().close();
  });

  it("says why when DingTalk's user is not in the directory, in Chinese", async () => {
    const { page } = await dingTalkPhone("dt-stranger");
    await page.goto(`${base}/app/`);
    await page.getByText("您的账号尚未在 Laurel 登记").waitFor();
    await page.context().close();
  });

  it("inside WeCom signs the person in without a click, through WeCom's web authorisation and Laurel's token service", async () => {
    const weCom = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh";
    const { page, jsapiLoads } = await dingTalkPhone("dt-liuyang", weCom);
    await page.goto(`${base}/app/`);
    await page.getByTestId("coins").waitFor();
    const balances = await (await as("liu-yang", "manager")).get("/people/liu-yang/balances");
    expect(await shownNumber(page, "coins")).toBe(balances.body.coins);
    expect([new URL(page.url()).search, new URL(page.url()).hash]).toEqual(["", "#/me"]);
    expect(jsapiLoads).toEqual([]);
    await page.context().close();

    const stranger = await dingTalkPhone("Stranger", weCom);
    await stranger.page.goto(`${base}/app/`);
    await stranger.page.getByText("您的账号尚未在 Laurel 登记").waitFor();
    await stranger.page.context().close();
  });

  it("outside DingTalk and WeCom loads no JSAPI and says where to open the page", async () => {
    const { page, jsapiLoads } = await dingTalkPhone("dt-liuyang", "Mozilla/5.0 (iPhone) Mobile Safari");
    await page.goto(`${base}/app/`);
    await page.getByText("请在钉钉或企业微信工作台中打开荣誉账本。").waitFor();
    expect(jsapiLoads).toEqual([]);
    await page.context().close();
  });
});

describe("the page signed in by a company's OIDC issuer", () => {
  // The page as a stage whose identity is an OIDC issuer serves it (lib/sign-in.ts): its settings, and its policy connecting to the issuer.
  let stage: Server;
  let stageBase: string;
  beforeAll(async () => {
    stage = await startLocalServer(0, "127.0.0.1", {
      signIn: { page: { signIn: "oidc", issuer: oidc.issuer, clientId: oidc.clientId }, connect: [oidc.issuer] },
    });
    stageBase = `http://127.0.0.1:${(stage.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => stage.close(resolve)));

  const oidcPhone = async (): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: "zh-CN",
      serviceWorkers: "block",
    });
    await context.addInitScript(`localStorage.setItem("laurel.lang", "zh")`);
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    return page;
  };

  it("signs in through the issuer (code + PKCE), asks the API who that is, and shows their balances", async () => {
    oidc.signInAs("liu-yang", { roles: ["manager"] });
    const page = await oidcPhone();
    await page.goto(`${stageBase}/app/`);
    await page.getByRole("button", { name: "使用企业账号登录" }).click();
    await page.getByTestId("coins").waitFor();
    const balances = await (await as("liu-yang", "manager")).get("/people/liu-yang/balances");
    expect(await shownNumber(page, "coins")).toBe(balances.body.coins);
    expect(new URL(page.url()).search).toBe("");
    expect(oidc.calls).toEqual(expect.arrayContaining(["GET /authorize", "POST /token"]));

    // Signed in for the tab: a reload asks the issuer nothing again.
    const before = oidc.calls.length;
    await page.reload();
    await page.getByTestId("coins").waitFor();
    expect(oidc.calls.length).toBe(before);
    await page.context().close();
  });

  it("says why when the issuer refuses", async () => {
    const page = await oidcPhone();
    await page.goto(
      `${stageBase}/app/?error=access_denied&error_description=${encodeURIComponent("The fake issuer refused this request.")}`,
    );
    await page.getByText("The fake issuer refused this request.").waitFor();
    await page.context().close();
  });
});

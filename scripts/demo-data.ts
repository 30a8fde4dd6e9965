/**
 * The demo enterprise: Tianma Group (天马集团, seed 000) with two subsidiaries, four departments,
 * five teams and 30 managers across the three tiers. `npm start` loads it through the API, and
 * the tests use it as their org too. Roles live in tokens (Cognito groups), not in the directory,
 * so each demo person lists the roles their demo sign-in gets.
 */

import { sign } from "../domain/awards/index.ts";
import type { OrgUnitInput, PersonInput } from "../domain/directory/index.ts";
import type { Role } from "../domain/kernel/model.ts";

export interface DemoPerson extends PersonInput {
  personId: string;
  roles: Role[];
}

export const demoOrgUnits: (OrgUnitInput & { orgUnitId: string })[] = [
  { orgUnitId: "tianma", name: "天马集团", kind: "group" },
  { orgUnitId: "tianma-retail", name: "天马零售", kind: "subsidiary", parentId: "tianma" },
  { orgUnitId: "tianma-logistics", name: "天马物流", kind: "subsidiary", parentId: "tianma" },
  { orgUnitId: "retail-ops", name: "零售运营部", kind: "department", parentId: "tianma-retail" },
  { orgUnitId: "retail-digital", name: "数字化部", kind: "department", parentId: "tianma-retail" },
  { orgUnitId: "log-warehouse", name: "仓储部", kind: "department", parentId: "tianma-logistics" },
  { orgUnitId: "log-transport", name: "运输部", kind: "department", parentId: "tianma-logistics" },
  { orgUnitId: "store-east", name: "华东门店组", kind: "team", parentId: "retail-ops" },
  { orgUnitId: "store-south", name: "华南门店组", kind: "team", parentId: "retail-ops" },
  { orgUnitId: "data-team", name: "数据分析组", kind: "team", parentId: "retail-digital" },
  { orgUnitId: "wh-north", name: "北方仓储组", kind: "team", parentId: "log-warehouse" },
  { orgUnitId: "fleet", name: "车队管理组", kind: "team", parentId: "log-transport" },
];

const person = (
  personId: string,
  name: string,
  tier: PersonInput["tier"],
  orgUnitId: string,
  tierSince: string,
  roles: Role[] = ["manager"],
  managerId?: string,
): DemoPerson => ({
  personId,
  name,
  tier,
  orgUnitId,
  tierSince,
  roles,
  ...(managerId ? { managerId } : {}),
});

export const demoPeople: DemoPerson[] = [
  person("chen-jian", "陈建", "senior", "tianma", "2019-03-01"),
  person("li-na", "李娜", "senior", "tianma-retail", "2021-07-01", ["manager"], "chen-jian"),
  person("zhou-qiang", "周强", "senior", "tianma-logistics", "2022-01-01", ["manager"], "chen-jian"),
  person("wang-fang", "王芳", "middle", "retail-ops", "2023-04-01", ["manager"], "li-na"),
  person("zhao-lei", "赵磊", "middle", "retail-digital", "2022-09-01", ["manager"], "li-na"),
  person("sun-li", "孙丽", "middle", "log-warehouse", "2024-02-01", ["manager"], "zhou-qiang"),
  person("qian-hao", "钱浩", "middle", "log-transport", "2023-11-01", ["manager"], "zhou-qiang"),
  person("liu-yang", "刘洋", "base", "store-east", "2024-06-01", ["manager"], "wang-fang"),
  person("yang-xue", "杨雪", "base", "store-east", "2025-01-01", ["manager"], "liu-yang"),
  person("huang-tao", "黄涛", "base", "store-east", "2025-03-01", ["manager"], "liu-yang"),
  person("wu-min", "吴敏", "base", "store-east", "2024-09-01", ["manager"], "liu-yang"),
  person("xu-jing", "徐静", "base", "store-south", "2024-05-01", ["manager"], "wang-fang"),
  person("ma-chao", "马超", "base", "store-south", "2025-02-01", ["manager"], "xu-jing"),
  person("hu-yan", "胡燕", "base", "store-south", "2025-06-01", ["manager"], "xu-jing"),
  person("guo-peng", "郭鹏", "base", "data-team", "2023-08-01", ["manager"], "zhao-lei"),
  person("he-ying", "何颖", "base", "data-team", "2024-10-01", ["manager"], "guo-peng"),
  person("lin-feng", "林峰", "base", "data-team", "2025-04-01", ["manager"], "guo-peng"),
  person("luo-xin", "罗欣", "base", "data-team", "2024-12-01", ["manager"], "guo-peng"),
  person("gao-bo", "高博", "base", "wh-north", "2024-03-01", ["manager"], "sun-li"),
  person("zheng-hui", "郑辉", "base", "wh-north", "2025-05-01", ["manager"], "gao-bo"),
  person("liang-yu", "梁宇", "base", "wh-north", "2024-08-01", ["manager"], "gao-bo"),
  person("song-jia", "宋佳", "base", "wh-north", "2025-07-01", ["manager"], "gao-bo"),
  person("xie-kai", "谢凯", "base", "fleet", "2024-01-01", ["manager"], "qian-hao"),
  person("han-mei", "韩梅", "base", "fleet", "2025-01-15", ["manager"], "xie-kai"),
  person("tang-jun", "唐军", "base", "fleet", "2024-11-01", ["manager"], "xie-kai"),
  person("feng-lan", "冯兰", "base", "fleet", "2025-08-01", ["manager"], "xie-kai"),
  person("cao-yi", "曹毅", "middle", "tianma", "2022-05-01", ["admin"], "chen-jian"),
  person("deng-hua", "邓华", "middle", "tianma", "2021-10-01", ["hr"], "chen-jian"),
  person("peng-li", "彭丽", "middle", "tianma", "2023-01-01", ["finance"], "chen-jian"),
  person("jiang-wen", "蒋文", "middle", "tianma", "2022-12-01", ["approver", "manager"], "chen-jian"),
];

/** Who leads which unit: set after the people exist. */
export const demoLeads: Record<string, string> = {
  tianma: "chen-jian",
  "tianma-retail": "li-na",
  "tianma-logistics": "zhou-qiang",
  "retail-ops": "wang-fang",
  "retail-digital": "zhao-lei",
  "log-warehouse": "sun-li",
  "log-transport": "qian-hao",
  "store-east": "liu-yang",
  "store-south": "xu-jing",
  "data-team": "guo-peng",
  "wh-north": "gao-bo",
  fleet: "xie-kai",
};

export const demoAdmin = "cao-yi";

export type Send = (
  method: "PUT" | "POST",
  url: string,
  body: unknown,
  idempotencyKey?: string,
) => Promise<{ status: number; body: unknown }>;

/** Loads the org through the API (admin routes), so demo data obeys every rule real data does. */
export async function loadDemoOrg(send: Send): Promise<void> {
  const ok = async (what: string, response: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await response;
    if (status >= 300) throw new Error(`${what} failed with ${status}: ${JSON.stringify(body)}`);
  };
  for (const { orgUnitId, ...unit } of demoOrgUnits) await ok(`org unit ${orgUnitId}`, send("PUT", `/admin/org-units/${orgUnitId}`, unit));
  const byId = new Map(demoPeople.map((p) => [p.personId, p]));
  const placed = new Set<string>();
  // Managers before the people who report to them.
  const place = async (p: DemoPerson): Promise<void> => {
    if (placed.has(p.personId)) return;
    if (p.managerId) await place(byId.get(p.managerId) as DemoPerson);
    const { personId, roles: _roles, ...input } = p;
    await ok(`person ${personId}`, send("PUT", `/admin/people/${personId}`, input));
    placed.add(personId);
  };
  for (const p of demoPeople) await place(p);
  for (const [orgUnitId, leadId] of Object.entries(demoLeads)) {
    const { orgUnitId: _id, ...unit } = demoOrgUnits.find((u) => u.orgUnitId === orgUnitId) as OrgUnitInput & { orgUnitId: string };
    await ok(`lead of ${orgUnitId}`, send("PUT", `/admin/org-units/${orgUnitId}`, { ...unit, leadId }));
  }
}

/** A few awards so that balances, badges and history show something on first start. */
export const demoAwards = [
  {
    personId: "liu-yang",
    coins: 120,
    points: { capability: "tool-operation", amount: 80 },
    reason: "完成《数字化工具实操》课程，成绩 92 分",
  },
  { personId: "liu-yang", points: { capability: "efficient-execution", amount: 40 }, reason: "连续 4 周召开数字化早会" },
  { personId: "liu-yang", points: { capability: "growth-driving", amount: 30 }, reason: "门店直播带货：周目标达成" },
  { personId: "liu-yang", badge: { badgeId: "certification", level: 1 }, reason: "通过数字化管理专员认证" },
  { personId: "yang-xue", coins: 50, points: { capability: "tool-operation", amount: 30 }, reason: "AI 工具任务完成" },
  { personId: "wang-fang", coins: 200, points: { capability: "data-assurance", amount: 120 }, reason: "数据决策沙盘演练通过" },
  { personId: "wang-fang", points: { capability: "system-integration", amount: 60 }, reason: "门店系统与 OA 打通上线" },
  {
    personId: "guo-peng",
    coins: 150,
    points: { capability: "growth-driving", amount: 90 },
    reason: "揭榜挂帅：库存预警模型上线，缺货率下降 30%",
  },
  { personId: "gao-bo", coins: 80, points: { capability: "efficient-execution", amount: 50 }, reason: "线上审批率 100%" },
  { personId: "li-na", points: { capability: "strategic-planning", amount: 150 }, reason: "战略沙盘推演第一名" },
  { personId: "wang-fang", points: { capability: "technology-fusion", amount: 60 }, reason: "AR 试衣镜门店试点上线" },
  { personId: "chen-jian", points: { capability: "strategic-planning", amount: 400 }, reason: "集团数字化转型三年规划发布" },
  { personId: "xie-kai", coins: 60, points: { capability: "tool-operation", amount: 45 }, reason: "AI 客服质检演练" },
];

export async function loadDemoAwards(send: Send): Promise<void> {
  for (const [index, award] of demoAwards.entries()) {
    const { status, body } = await send("POST", "/awards", award, `demo-award-${index}`);
    if (status >= 300) throw new Error(`demo award ${index} failed with ${status}: ${JSON.stringify(body)}`);
  }
}

const learning = "com.tianma.learning";
const oa = "com.tianma.oa";

/** Two sources: the learning platform and the OA system (seed 004, seed 000). */
export const demoSources = {
  "tianma-learning": {
    name: "天马学习平台",
    eventTypes: [
      {
        type: `${learning}.course.completed`,
        dataSchema: {
          type: "object",
          properties: { courseId: { type: "string" }, score: { type: "number", minimum: 0, maximum: 100 } },
          required: ["courseId", "score"],
        },
      },
      {
        type: `${learning}.certification.passed`,
        dataSchema: { type: "object", properties: { level: { type: "integer" } }, required: ["level"] },
      },
      {
        // The 12-week training plan's measures (seed 004): completion and on-time rates, in percent.
        type: `${learning}.plan.progress`,
        dataSchema: {
          type: "object",
          properties: {
            completionRate: { type: "number", minimum: 0, maximum: 100 },
            onTimeRate: { type: "number", minimum: 0, maximum: 100 },
          },
          required: ["completionRate", "onTimeRate"],
        },
      },
    ],
    maxEventAgeDays: 30,
  },
  "tianma-oa": {
    name: "天马 OA 审批系统",
    eventTypes: [
      {
        type: `${oa}.approval.completed`,
        dataSchema: { type: "object", properties: { online: { type: "boolean" } }, required: ["online"] },
      },
      { type: `${oa}.meeting.held`, dataSchema: { type: "object", properties: { digital: { type: "boolean" } }, required: ["digital"] } },
      {
        type: `${oa}.bounty.closed`,
        dataSchema: { type: "object", properties: { team: { type: "string" }, bountyId: { type: "string" } }, required: ["team"] },
      },
    ],
    maxEventAgeDays: 30,
  },
};

/** Rules drawn from the articles: a threshold with a daily cap, a first time, a count, a streak, a team bounty. */
export const demoRules = {
  "course-passed": {
    name: { zh: "课程考核 80 分以上", en: "Course passed with 80 or more" },
    eventType: `${learning}.course.completed`,
    when: { field: "score", op: "gte", value: 80 },
    trigger: { kind: "each" },
    award: { coins: 20, points: { capability: "tool-operation", amount: 10 } },
    cap: { period: "day", points: 30 },
  },
  "first-course": {
    name: { zh: "数字化学习启航", en: "First digital course completed" },
    eventType: `${learning}.course.completed`,
    trigger: { kind: "first" },
    award: { coins: 10 },
  },
  "certification-passed": {
    name: { zh: "通过数字化认证考试", en: "Digital certification exam passed" },
    eventType: `${learning}.certification.passed`,
    trigger: { kind: "each" },
    award: { points: { capability: "data-assurance", amount: 50 } },
  },
  "online-approvals": {
    name: { zh: "每完成 10 次线上审批", en: "Every 10 approvals done online" },
    eventType: `${oa}.approval.completed`,
    when: { field: "online", op: "eq", value: true },
    trigger: { kind: "count", every: 10 },
    award: { coins: 50, points: { capability: "efficient-execution", amount: 20 } },
  },
  "digital-morning-meeting": {
    name: { zh: "连续 4 周召开数字化早会", en: "Digital morning meeting 4 weeks in a row" },
    eventType: `${oa}.meeting.held`,
    when: { field: "digital", op: "eq", value: true },
    trigger: { kind: "streak", period: "week", length: 4 },
    award: { coins: 30, points: { capability: "efficient-execution", amount: 40 } },
  },
  "bounty-closed": {
    name: { zh: "揭榜挂帅：悬赏任务完成", en: "Open bounty closed" },
    eventType: `${oa}.bounty.closed`,
    trigger: { kind: "each" },
    team: { split: "equal" },
    award: { coins: 300, points: { capability: "growth-driving", amount: 150 } },
  },
};

/** The certification ladder (seed 001) and a learner badge with levels by points. */
export const demoBadges = {
  certification: {
    name: { zh: "数字化认证", en: "Digital certification" },
    description: { zh: "通过数字化管理认证考试", en: "Passed the digital management certification exams" },
    imageUrl: "https://laurel.example.com/badges/certification.svg",
    capability: "data-assurance",
    levels: [
      {
        level: 1,
        name: { zh: "数字化管理专员", en: "Digital management specialist" },
        criteria: [{ kind: "ruleCount", ruleId: "certification-passed", atLeast: 1 }],
      },
      {
        level: 2,
        name: { zh: "数字化管理师", en: "Digital manager" },
        criteria: [{ kind: "ruleCount", ruleId: "certification-passed", atLeast: 2 }],
        grants: { coins: 100 },
      },
      {
        level: 3,
        name: { zh: "数字化高级管理师", en: "Senior digital manager" },
        criteria: [{ kind: "ruleCount", ruleId: "certification-passed", atLeast: 3 }],
        grants: { coins: 200 },
      },
    ],
  },
  "digital-learner": {
    name: { zh: "数字化学习者", en: "Digital learner" },
    description: { zh: "工具实操智慧点累计", en: "Tool-operation points earned" },
    imageUrl: "https://laurel.example.com/badges/learner.svg",
    capability: "tool-operation",
    levels: [
      { level: 1, name: { zh: "铜", en: "Bronze" }, criteria: [{ kind: "points", capability: "tool-operation", atLeast: 30 }] },
      {
        level: 2,
        name: { zh: "银", en: "Silver" },
        criteria: [{ kind: "points", capability: "tool-operation", atLeast: 100 }],
        grants: { coins: 20 },
      },
      {
        level: 3,
        name: { zh: "金", en: "Gold" },
        criteria: [{ kind: "points", capability: "tool-operation", atLeast: 300 }],
        grants: { coins: 50 },
      },
    ],
  },
};

/** A gate for each tier (seed 000: digital literacy as a hard threshold for promotion). */
export const demoGates = {
  "base-to-middle": {
    name: { zh: "基层 → 中层管理者", en: "Base → middle manager" },
    tier: "base",
    targetGrade: "中层管理者",
    criteria: [
      { kind: "points", atLeast: 100 },
      { kind: "capabilityPoints", capabilities: "tier", atLeastEach: 20 },
      { kind: "badge", badgeId: "digital-learner", minLevel: 1 },
      {
        kind: "measure",
        eventType: `${learning}.plan.progress`,
        field: "completionRate",
        atLeast: 90,
        label: { zh: "课程完成率", en: "Course completion rate" },
        unit: "percent",
      },
      { kind: "noPenalty", withinDays: 90, categories: ["red-warning"] },
      { kind: "tierTenure", months: 12 },
    ],
  },
  "middle-to-senior": {
    name: { zh: "中层 → 高层管理者", en: "Middle → senior manager" },
    tier: "middle",
    targetGrade: "高层管理者",
    criteria: [
      { kind: "points", atLeast: 300 },
      { kind: "capabilityPoints", capabilities: "tier", atLeastEach: 50 },
      { kind: "badge", badgeId: "certification", minLevel: 2 },
      { kind: "noPenalty", withinDays: 180 },
      { kind: "tierTenure", months: 24 },
    ],
  },
  "senior-review": {
    name: { zh: "高层数字化领导力评审", en: "Senior digital leadership review" },
    tier: "senior",
    targetGrade: "集团高管",
    criteria: [
      { kind: "points", atLeast: 500 },
      { kind: "badge", badgeId: "certification", minLevel: 3 },
      { kind: "tierTenure", months: 36 },
    ],
  },
};

/** Sources, rules, badges and gates through the admin API; returns each new source's signing secret. */
export async function loadDemoDefinitions(send: Send): Promise<Record<string, string>> {
  const secrets: Record<string, string> = {};
  const ok = async (what: string, response: Promise<{ status: number; body: unknown }>) => {
    const { status, body } = await response;
    if (status >= 300) throw new Error(`${what} failed with ${status}: ${JSON.stringify(body)}`);
    return body as { secret?: string };
  };
  for (const [id, source] of Object.entries(demoSources)) {
    const body = await ok(`source ${id}`, send("PUT", `/admin/sources/${id}`, source));
    if (body.secret) secrets[id] = body.secret;
  }
  for (const [id, rule] of Object.entries(demoRules)) await ok(`rule ${id}`, send("PUT", `/admin/rules/${id}`, rule));
  for (const [id, badge] of Object.entries(demoBadges)) await ok(`badge ${id}`, send("PUT", `/admin/badges/${id}`, badge));
  for (const [id, gate] of Object.entries(demoGates)) await ok(`gate ${id}`, send("PUT", `/admin/gates/${id}`, gate));
  return secrets;
}

// ---------------------------------------------------------------------------------------------
// The innovation fund and the rewards catalog (docs/FUND.md)

export const demoFund = {
  fundId: "innovation-2026",
  name: "2026 数字化创新基金",
  description: "奖励把数字化技术用于业务场景并产生可衡量价值的管理者及其团队",
  currency: "CNY",
  period: "2026",
  // Amounts in fen: 单笔上限 5 万元, 每人每年 2 万元, 1 万元以上需两人审批.
  limits: { perClaim: 5_000_000, perPersonInPeriod: 2_000_000 },
  twoApprovalsAbove: 1_000_000,
};

/** 500,000.00 CNY into the pool. */
export const demoFundDeposit = { amount: 50_000_000, reason: "2026 年度数字化创新基金预算拨付" };

type DemoClaim = {
  claimant: string;
  body: Record<string, unknown>;
  /** What happens after submission: who decides, or a withdrawal, or a clawback after payment. */
  steps: ("approve:jiang-wen" | "approve:deng-hua" | "reject:deng-hua" | "withdraw" | "clawback")[];
};

const shares = (personIds: string[], weights?: number[]) => ({
  by: "share",
  parts: personIds.map((personId, i) => ({ personId, share: weights?.[i] ?? 1 })),
});

/** One claim in each state: pending, pending with one of two approvals, paid, rejected, withdrawn, clawed back. */
export const demoClaims: DemoClaim[] = [
  {
    claimant: "gao-bo",
    body: {
      scenario: "北方仓智能排班：按订单波峰自动排班",
      measuredValue: "加班工时下降 18%，月省人工成本 3.2 万元",
      evidence: ["https://bi.tianma.example/wh-north/shift-2026q1"],
      amount: 300_000,
      split: {
        by: "amount",
        parts: [
          { personId: "gao-bo", amount: 100_000 },
          { personId: "zheng-hui", amount: 200_000 },
        ],
      },
    },
    steps: [],
  },
  {
    claimant: "guo-peng",
    body: {
      scenario: "揭榜挂帅：门店库存预警模型上线",
      measuredValue: "缺货率下降 30%，全年节约 210 万元",
      evidence: ["https://bi.tianma.example/retail/stockout-model", "https://oa.tianma.example/bounty/2026-007"],
      amount: 1_500_000,
      split: shares(["guo-peng", "he-ying", "lin-feng", "luo-xin"], [2, 1, 1, 1]),
    },
    steps: ["approve:jiang-wen"],
  },
  {
    claimant: "liu-yang",
    body: {
      scenario: "华东门店 AR 试妆试点",
      measuredValue: "试点门店美妆品类销售额提升 12%",
      evidence: ["https://bi.tianma.example/store-east/ar-tryon"],
      amount: 800_000,
      split: shares(["liu-yang", "yang-xue", "huang-tao", "wu-min"]),
    },
    steps: ["approve:jiang-wen"],
  },
  {
    claimant: "xie-kai",
    body: {
      scenario: "车队油耗看板",
      measuredValue: "油耗下降 5%（尚无对照组）",
      evidence: [],
      amount: 500_000,
      split: shares(["xie-kai", "han-mei"]),
    },
    steps: ["reject:deng-hua"],
  },
  {
    claimant: "xu-jing",
    body: {
      scenario: "华南门店直播带货技能赛",
      measuredValue: "直播间 GMV 达成率 108%",
      evidence: ["https://bi.tianma.example/store-south/live-commerce"],
      amount: 200_000,
      split: shares(["xu-jing", "ma-chao", "hu-yan"]),
    },
    steps: ["withdraw"],
  },
  {
    claimant: "sun-li",
    body: {
      scenario: "仓储机器人巡检",
      measuredValue: "盘点差错率下降 40%",
      evidence: ["https://bi.tianma.example/log-warehouse/robot"],
      amount: 600_000,
      split: {
        by: "amount",
        parts: [
          { personId: "sun-li", amount: 300_000 },
          { personId: "gao-bo", amount: 300_000 },
        ],
      },
    },
    steps: ["approve:jiang-wen", "clawback"],
  },
];

/** The coin catalog (prices in coins). */
export const demoRewards = {
  "learning-card": {
    name: { zh: "学习卡", en: "Learning card" },
    description: "天马学习平台 100 元学习卡",
    collect: { zh: "兑换后 1 个工作日内发到天马学习平台账户。", en: "Credited to your Tianma learning account within a working day." },
    price: 100,
    stock: 50,
    perPersonLimit: { count: 2, period: "month" },
  },
  book: {
    name: { zh: "书籍《数字化转型实战》", en: "Book: Digital transformation in practice" },
    price: 80,
    stock: 20,
    perPersonLimit: { count: 1, period: "quarter" },
    collect: { zh: "凭兑换记录到本部门行政处领取。", en: "Collect it from your department's office; show the redemption." },
  },
  "training-seat": {
    name: { zh: "培训名额：数字化高级管理师研修班", en: "Training seat: senior digital manager course" },
    price: 300,
    stock: 3,
    perPersonLimit: { count: 1, period: "year" },
    collect: { zh: "培训中心将在开班前 2 周通知你报到。", en: "The training centre contacts you 2 weeks before the course." },
  },
  "coffee-voucher": {
    name: { zh: "门店咖啡券", en: "Coffee voucher" },
    price: 10,
    stock: "unlimited",
    collect: { zh: "在任一门店收银台出示本页兑换记录即可。", en: "Show this redemption at any store's till." },
  },
};

type Dispatch = (request: {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}) => Promise<{ statusCode?: number | undefined; body?: string | undefined }>;

/**
 * The fund and the catalog through the API, each step as the person who would take it: finance
 * creates and funds the pool, managers claim for their teams, approvers decide (in the demo 邓华
 * also signs in as an approver), finance claws back; then rewards and one redemption.
 */
export async function loadDemoFund(dispatch: Dispatch, sign: (personId: string, roles: string[]) => Promise<string>): Promise<void> {
  const as = async (personId: string, roles: string[]) => {
    const token = await sign(personId, roles);
    return async (method: "PUT" | "POST", url: string, body: unknown, key?: string) => {
      const result = await dispatch({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
        body: JSON.stringify(body),
      });
      const answer = JSON.parse(result.body ?? "null") as Record<string, any>;
      if ((result.statusCode ?? 200) >= 300) throw new Error(`${method} ${url} failed with ${result.statusCode}: ${result.body}`);
      return answer;
    };
  };
  const finance = await as("peng-li", ["finance"]);
  const approvers = { "jiang-wen": await as("jiang-wen", ["approver", "manager"]), "deng-hua": await as("deng-hua", ["hr", "approver"]) };
  await finance("POST", "/funds", demoFund);
  await finance("POST", `/funds/${demoFund.fundId}/deposits`, demoFundDeposit, "demo-fund-deposit-1");
  for (const [index, claim] of demoClaims.entries()) {
    const manager = await as(claim.claimant, ["manager"]);
    const { claim: submitted } = await manager("POST", `/funds/${demoFund.fundId}/claims`, claim.body, `demo-fund-claim-${index}`);
    for (const [n, step] of claim.steps.entries()) {
      const key = `demo-fund-claim-${index}-${n}`;
      const url = `/claims/${submitted.claimId}`;
      if (step === "withdraw") await manager("POST", `${url}/withdrawal`, { reason: "数据口径需复核，撤回重报" }, key);
      else if (step === "clawback")
        await finance("POST", `${url}/clawbacks`, { reason: "审计发现数据口径有误，追回部分奖金", personIds: ["gao-bo"] }, key);
      else {
        const [decision, approver] = step.split(":") as ["approve" | "reject", keyof typeof approvers];
        const comment = decision === "approve" ? "价值可衡量，证据充分，同意" : "缺少对照组，价值无法衡量";
        await approvers[approver]("POST", `${url}/decisions`, { decision, comment }, key);
      }
    }
  }
  const admin = await as(demoAdmin, ["admin"]);
  for (const [id, reward] of Object.entries(demoRewards)) await admin("PUT", `/admin/rewards/${id}`, reward);
  await (await as("liu-yang", ["manager"]))("POST", "/redemptions", { rewardId: "learning-card" }, "demo-redemption-1");
}

/** The pioneer index of the arena (先锋指数, seed 003): points, data skills and badges, weighted. */
export const demoIndices = {
  pioneer: {
    name: { zh: "先锋指数", en: "Pioneer index" },
    description: "Points in the period (50%), data-assurance points (20%), badge levels held (30%); each divided by the board's best.",
    normalisation: "max",
    measures: [
      { measure: "points", weight: 0.5 },
      { measure: "capabilityPoints", capability: "data-assurance", weight: 0.2 },
      { measure: "badgeLevels", weight: 0.3 },
    ],
  },
};

export async function loadDemoIndices(send: Send): Promise<void> {
  for (const [id, index] of Object.entries(demoIndices)) {
    const { status, body } = await send("PUT", `/admin/indices/${id}`, index);
    if (status >= 300) throw new Error(`index ${id} failed with ${status}: ${JSON.stringify(body)}`);
  }
}

/**
 * The learning platform's reports: plan progress (seed 004), one manager over the gate's 90% and
 * one under; certification exams (seed 001), taking 王芳 and 陈建 up the ladder. With the demo
 * awards, one person is over each tier's gate and others are not.
 */
export const demoEvents = [
  { subject: "liu-yang", type: `${learning}.plan.progress`, data: { completionRate: 92, onTimeRate: 88 } },
  ...[1, 2].map((level) => ({ subject: "wang-fang", type: `${learning}.certification.passed`, data: { level } })),
  ...[1, 2, 3].map((level) => ({ subject: "chen-jian", type: `${learning}.certification.passed`, data: { level } })),
  { subject: "yang-xue", type: `${learning}.plan.progress`, data: { completionRate: 76, onTimeRate: 81 } },
  { subject: "yang-xue", type: `${learning}.course.completed`, data: { courseId: "ai-101", score: 88 } },
];

/** Posts the demo events to the learning platform's webhook, signed as the platform would. */
export async function loadDemoEvents(dispatch: Dispatch, secret: string): Promise<void> {
  for (const [index, event] of demoEvents.entries()) {
    const body = JSON.stringify({
      specversion: "1.0",
      id: `demo-${index}`,
      source: "https://learning.tianma.example",
      time: new Date().toISOString(),
      ...event,
    });
    const id = `msg_demo_${index}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const result = await dispatch({
      method: "POST",
      url: "/webhooks/tianma-learning",
      headers: {
        "content-type": "application/cloudevents+json",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": sign(secret, id, timestamp, body),
      },
      body,
    });
    const answer = JSON.parse(result.body ?? "null") as { results?: { status: string }[] };
    if (answer?.results?.[0]?.status !== "accepted") throw new Error(`demo event ${index} was not accepted: ${result.body}`);
  }
}

/**
 * The demo enterprise: Tianma Group (天马集团, seed 000) with two subsidiaries, four departments,
 * five teams and 30 managers across the three tiers. `npm start` loads it through the API, and
 * the tests use it as their org too. Roles live in tokens (Cognito groups), not in the directory,
 * so each demo person lists the roles their demo sign-in gets.
 */
import type { OrgUnitInput, PersonInput } from "../domain/schemas.ts";

export interface DemoPerson extends PersonInput {
  personId: string;
  roles: string[];
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
  roles: string[] = ["manager"],
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

type Send = (method: "PUT" | "POST", url: string, body: unknown, idempotencyKey?: string) => Promise<{ status: number; body: unknown }>;

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
  { personId: "xie-kai", coins: 60, points: { capability: "tool-operation", amount: 45 }, reason: "AI 客服质检演练" },
];

export async function loadDemoAwards(send: Send): Promise<void> {
  for (const [index, award] of demoAwards.entries()) {
    const { status, body } = await send("POST", "/awards", award, `demo-award-${index}`);
    if (status >= 300) throw new Error(`demo award ${index} failed with ${status}: ${JSON.stringify(body)}`);
  }
}

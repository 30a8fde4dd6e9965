import { describe, expect, it } from "vitest";
import type { PersonId } from "../../domain/kernel/model.ts";
import {
  appendMovements,
  type Cause,
  emptyChain,
  explainCause,
  type LedgerEntry,
  type Movement,
  verifyChain,
  withExplanation,
} from "../../domain/ledger/index.ts";

const rule = { zh: "课程考核 80 分以上", en: "Course passed with 80 or more" };

const cases: [Cause, string, string][] = [
  [
    { code: "rule", params: { ruleId: "course-passed", rule, trigger: { kind: "each" } } },
    "课程考核 80 分以上",
    "Course passed with 80 or more",
  ],
  [
    { code: "rule", params: { ruleId: "morning", rule, trigger: { kind: "streak", length: 4, period: "week" }, teamSize: 3 } },
    "课程考核 80 分以上（连续 4 周，团队 3 人均分）",
    "Course passed with 80 or more (4-week streak, shared by a team of 3)",
  ],
  [
    { code: "rule", params: { ruleId: "c", rule, trigger: { kind: "count", times: 10 } } },
    "课程考核 80 分以上（累计 10 次）",
    "Course passed with 80 or more (10 times)",
  ],
  [
    {
      code: "badge",
      params: {
        badgeId: "certification",
        level: 1,
        badge: { zh: "数字化认证", en: "Digital certification" },
        levelName: { zh: "数字化管理专员", en: "Digital management specialist" },
      },
    },
    "获得勋章「数字化认证 · 数字化管理专员」",
    "Badge earned: Digital certification · Digital management specialist",
  ],
  // A reward named in Chinese only is named in Chinese in English too, rather than not at all.
  [
    { code: "redemption", params: { rewardId: "tea", reward: { zh: "茶歇券" }, quantity: 2 } },
    "兑换「茶歇券」× 2",
    "Redeemed “茶歇券” × 2",
  ],
  [
    { code: "fund-payout", params: { claimId: "clm-1", scenario: "AR 试衣镜" } },
    "创新基金发放：AR 试衣镜",
    "Innovation fund payout: AR 试衣镜",
  ],
  [
    { code: "retraction", params: { sourceId: "tianma-learning", eventId: "e-1" } },
    "来源系统撤回了该事件",
    "The source system retracted the event",
  ],
];

describe("causes", () => {
  it.each(cases)("say why in Chinese and in English from the definitions' names (%#)", (cause, zh, en) => {
    expect(explainCause(cause)).toEqual({ zh, en });
  });

  const award = (cause?: Cause): Movement => ({
    kind: "award",
    asset: "coin",
    amount: 20,
    from: "system:issuer",
    to: "person:xu-jing",
    reason: "课程考核 80 分以上",
    ...(cause ? { cause } : {}),
    actor: { kind: "person", personId: "cao-yi" as PersonId },
    occurredAt: "2026-11-30T08:00:00.000Z",
  });
  const cause = cases[0]?.[0] as Cause;
  const chain = () => appendMovements(emptyChain("person:xu-jing"), [award(), award(cause)], "2026-11-30T08:00:01.000Z").entries;

  it("an old entry keeps its text and a new one is explained, side by side in one chain that verifies", () => {
    const [old, fresh] = chain().map(withExplanation);
    expect(old).not.toHaveProperty("explained");
    expect(old?.reason).toBe("课程考核 80 分以上");
    expect(fresh?.explained?.en).toBe("Course passed with 80 or more");
    expect(verifyChain(chain())).toBeUndefined();
  });

  it("the hash covers the cause: a changed name breaks the chain at that entry", () => {
    const [old, fresh] = chain() as [LedgerEntry, LedgerEntry];
    const forged = {
      ...fresh,
      cause: { ...cause, params: { ...cause.params, rule: { zh: "别的规则", en: "Another rule" } } },
    } as LedgerEntry;
    expect(verifyChain([old, forged])).toMatchObject({ entryId: fresh.entryId, problem: "content does not match its hash" });
  });
});

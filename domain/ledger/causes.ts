/**
 * Why an entry exists, as a code and its parameters beside the entry's `reason` text: the page
 * and the API say it in Chinese or English from the names the definitions held when the entry
 * was written. The cause is part of the entry, so the hash chain covers it; entries written
 * before causes existed keep their text only (the ledger is append-only).
 */

/** A name as definitions hold it: Chinese always, English where the admin gave it. */
export interface Names {
  zh: string;
  en?: string | undefined;
}

/** What made a rule fire: the first time, the n-th time, or an unbroken streak of periods. */
export type RuleTrigger =
  | { kind: "each" }
  | { kind: "first" }
  | { kind: "count"; times: number }
  | { kind: "streak"; length: number; period: "day" | "week" | "month" };

export type Cause =
  | { code: "rule"; params: { ruleId: string; rule: Names; trigger: RuleTrigger; teamSize?: number } }
  | { code: "badge"; params: { badgeId: string; level: number; badge: Names; levelName: Names } }
  | { code: "redemption" | "redemption-cancelled"; params: { rewardId: string; reward: Names; quantity: number } }
  | { code: "fund-claim" | "fund-payout" | "fund-void" | "fund-clawback"; params: { claimId: string; scenario: string } }
  | { code: "retraction"; params: { sourceId: string; eventId: string } };

export type CauseCode = Cause["code"];

export interface Explained {
  zh: string;
  en: string;
}

const en = (names: Names) => names.en ?? names.zh;

const periodWords = { day: ["天", "day"], week: ["周", "week"], month: ["个月", "month"] } as const;

function triggerWords(trigger: RuleTrigger): Explained | undefined {
  switch (trigger.kind) {
    case "each":
      return undefined;
    case "first":
      return { zh: "首次", en: "first time" };
    case "count":
      return { zh: `累计 ${trigger.times} 次`, en: `${trigger.times} times` };
    case "streak": {
      const [unitZh, unitEn] = periodWords[trigger.period];
      return { zh: `连续 ${trigger.length} ${unitZh}`, en: `${trigger.length}-${unitEn} streak` };
    }
  }
}

function ruleWords(trigger: RuleTrigger, teamSize: number | undefined): Explained {
  const team = teamSize === undefined ? undefined : { zh: `团队 ${teamSize} 人均分`, en: `shared by a team of ${teamSize}` };
  const parts = [triggerWords(trigger), team].filter((p) => p !== undefined);
  if (parts.length === 0) return { zh: "", en: "" };
  return { zh: `（${parts.map((p) => p.zh).join("，")}）`, en: ` (${parts.map((p) => p.en).join(", ")})` };
}

/** The cause in both languages: what the history shows as the entry's title. */
export function explainCause(cause: Cause): Explained {
  switch (cause.code) {
    case "rule": {
      const { rule, trigger, teamSize } = cause.params;
      const words = ruleWords(trigger, teamSize);
      return { zh: `${rule.zh}${words.zh}`, en: `${en(rule)}${words.en}` };
    }
    case "badge": {
      const { badge, levelName } = cause.params;
      return { zh: `获得勋章「${badge.zh} · ${levelName.zh}」`, en: `Badge earned: ${en(badge)} · ${en(levelName)}` };
    }
    case "redemption":
      return {
        zh: `兑换「${cause.params.reward.zh}」× ${cause.params.quantity}`,
        en: `Redeemed “${en(cause.params.reward)}” × ${cause.params.quantity}`,
      };
    case "redemption-cancelled":
      return {
        zh: `取消兑换「${cause.params.reward.zh}」，金币退回`,
        en: `Redemption of “${en(cause.params.reward)}” cancelled, coins returned`,
      };
    case "fund-claim":
      return { zh: `创新基金申领（预留）：${cause.params.scenario}`, en: `Innovation fund claim (reserved): ${cause.params.scenario}` };
    case "fund-payout":
      return { zh: `创新基金发放：${cause.params.scenario}`, en: `Innovation fund payout: ${cause.params.scenario}` };
    case "fund-void":
      return {
        zh: `创新基金申领未发放，预留退回：${cause.params.scenario}`,
        en: `Claim not paid, reservation released: ${cause.params.scenario}`,
      };
    case "fund-clawback":
      return { zh: `创新基金追回：${cause.params.scenario}`, en: `Innovation fund clawback: ${cause.params.scenario}` };
    case "retraction":
      return { zh: "来源系统撤回了该事件", en: "The source system retracted the event" };
  }
}

/** An entry as the API answers it: with its cause explained in both languages, when it has one. */
export const withExplanation = <E extends { cause?: Cause }>(entry: E): E & { explained?: Explained } =>
  entry.cause ? { ...entry, explained: explainCause(entry.cause) } : entry;

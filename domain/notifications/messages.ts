/**
 * What a notice says, in Chinese or English: to the person (their own figures), and to a group
 * (a robot in a chat group: the person's name and the news, nothing else about them).
 */
import type { Names } from "../ledger/index.ts";
import type { Notice, NoticeData, NoticeKind, WarningColour } from "./notices.ts";

export type Language = "zh" | "en";

export interface Message {
  title: string;
  text: string;
}

const name = (names: Names, language: Language) => (language === "zh" ? names.zh : (names.en ?? names.zh));
const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`;

const colourWords: Record<WarningColour, [string, string]> = {
  red: ["红色预警", "red warning"],
  orange: ["橙色预警", "orange warning"],
  yellow: ["黄色预警", "yellow warning"],
  blue: ["蓝色预警", "blue warning"],
  green: ["绿色预警", "green warning"],
};

function figures(coins: number, points: number, language: Language): string {
  const parts = [
    ...(coins ? [language === "zh" ? `${coins} 金币` : `${coins} coins`] : []),
    ...(points ? [language === "zh" ? `${points} 智慧点` : `${points} points`] : []),
  ];
  return parts.join(language === "zh" ? "、" : " and ");
}

/** The message to the person the notice is about. */
export function personalMessage(data: NoticeData, language: Language): Message {
  const zh = language === "zh";
  switch (data.kind) {
    case "badge": {
      const badge = `${name(data.badge, language)} · ${name(data.levelName, language)}`;
      return zh
        ? { title: "新勋章", text: `恭喜！你获得了勋章「${badge}」。` }
        : { title: "New badge", text: `Congratulations! You earned the badge “${badge}”.` };
    }
    case "award":
      return zh
        ? { title: "获得奖励", text: `你获得了 ${figures(data.coins, data.points, language)}。` }
        : { title: "Award", text: `You were awarded ${figures(data.coins, data.points, language)}.` };
    case "gate-met":
      return zh
        ? {
            title: "晋升条件已达成",
            text: `你已满足「${name(data.gate, language)}」的全部条件（目标职级：${data.targetGrade}），可向 HR 申请晋升评审。`,
          }
        : {
            title: "Promotion gate met",
            text: `You now meet every criterion of “${name(data.gate, language)}” (towards ${data.targetGrade}); HR can start your promotion review.`,
          };
    case "penalty": {
      const colour = data.colour ? colourWords[data.colour][zh ? 0 : 1] : undefined;
      const lost = figures(data.coins, data.points, language);
      return zh
        ? { title: colour ?? "扣减", text: `${colour ? `${colour}：` : ""}扣减 ${lost}。原因：${data.reason}` }
        : { title: colour ? `A ${colour}` : "Deduction", text: `${colour ? `A ${colour}: ` : ""}${lost} deducted. Reason: ${data.reason}` };
    }
    case "claim-submitted":
      return zh
        ? { title: "基金申领已提交", text: `创新基金申领 ${data.claimId}（${money(data.amount, data.currency)}）已提交，等待审批。` }
        : {
            title: "Claim submitted",
            text: `Innovation fund claim ${data.claimId} (${money(data.amount, data.currency)}) was submitted for approval.`,
          };
    case "claim-decided": {
      const approved = data.decision === "approved";
      const pending = data.status === "pending";
      if (zh) {
        const what = approved ? (pending ? "已获一位审批人批准，等待第二位审批" : "已批准") : "未获批准";
        return { title: approved ? "基金申领已批准" : "基金申领未获批准", text: `创新基金申领 ${data.claimId} ${what}。` };
      }
      const what = approved ? (pending ? "was approved by one approver and awaits a second" : "was approved") : "was rejected";
      return { title: approved ? "Claim approved" : "Claim rejected", text: `Innovation fund claim ${data.claimId} ${what}.` };
    }
    case "claim-paid":
      return zh
        ? { title: "基金已发放", text: `创新基金向你发放 ${money(data.amount, data.currency)}：${data.scenario}` }
        : { title: "Fund payout", text: `The innovation fund paid you ${money(data.amount, data.currency)}: ${data.scenario}` };
    case "claim-clawed-back":
      return zh
        ? { title: "基金已追回", text: `创新基金追回 ${money(data.amount, data.currency)}：${data.scenario}` }
        : { title: "Fund clawback", text: `The innovation fund clawed back ${money(data.amount, data.currency)}: ${data.scenario}` };
    case "redemption-placed":
      return zh
        ? { title: "兑换成功", text: `你用 ${data.coins} 金币兑换了「${name(data.reward, language)}」× ${data.quantity}。` }
        : { title: "Redeemed", text: `You redeemed “${name(data.reward, language)}” × ${data.quantity} for ${data.coins} coins.` };
    case "review-opened":
      return zh
        ? {
            title: "防刷分审查待处理",
            text: `检测器 ${data.detector} 标记了 ${data.people.join("、")}：${data.explained.zh} 请审查（确认或驳回）：${data.link}`,
          }
        : {
            title: "Review item opened",
            text: `The ${data.detector} detector flagged ${data.people.join(", ")}: ${data.explained.en} Review it (confirm or dismiss): ${data.link}`,
          };
    case "award-held":
      return zh
        ? {
            title: "预算暂缓的奖励待审批",
            text: `${data.personId} 的一项奖励（来源 ${data.sourceId}，事件 ${data.eventId}）因预算 ${data.budgetId} 不足被暂缓，请放行或驳回：${data.link}`,
          }
        : {
            title: "Award held for approval",
            text: `An award to ${data.personId} (source ${data.sourceId}, event ${data.eventId}) was held: budget ${data.budgetId} cannot hold it. Release or reject it: ${data.link}`,
          };
    case "redemption-cancelled":
      return zh
        ? { title: "兑换已取消", text: `兑换「${name(data.reward, language)}」已取消，${data.coins} 金币已退回。` }
        : {
            title: "Redemption cancelled",
            text: `Your redemption of “${name(data.reward, language)}” was cancelled; ${data.coins} coins returned.`,
          };
  }
}

/** Kinds a chat group hears of: recognition only. Penalties, claims and redemptions stay private. */
export const groupKinds: readonly NoticeKind[] = ["badge", "award"];

/** One line for a group robot: the person's name and the news, no figures about them. */
export function groupLine(notice: Notice, personName: string, language: Language): string | undefined {
  const data = notice.data;
  if (data.kind === "badge") {
    const badge = `${name(data.badge, language)} · ${name(data.levelName, language)}`;
    return language === "zh" ? `🎉 ${personName} 获得勋章「${badge}」` : `🎉 ${personName} earned the badge “${badge}”`;
  }
  if (data.kind === "award") return language === "zh" ? `👏 ${personName} 获得一项奖励` : `👏 ${personName} received an award`;
  return undefined;
}

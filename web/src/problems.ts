/**
 * The API's problems in the reader's language, with their numbers: the API answers a machine
 * `code` and parameters (shortfall, limit, …) beside an English sentence; the page says the code.
 * Codes not listed here fall back to a sentence by HTTP status; the API's own words stay one tap
 * away (ErrorView's details).
 */
import type { ApiError } from "./api.ts";
import { money, number } from "./format.ts";
import { capabilityName, type Lang } from "./i18n.ts";

type Params = Record<string, unknown>;
type Words = (p: Params, lang: Lang) => string;

const n = (lang: Lang, value: unknown) => number(lang, Number(value) || 0);
const cny = (lang: Lang, value: unknown) => money(lang, Number(value) || 0, "CNY");

/** An asset key (coin, point:<capability>) as a unit after a number. */
function unit(lang: Lang, asset: unknown): string {
  const [kind, capability] = String(asset).split(":");
  if (kind === "coin") return lang === "zh" ? "金币" : "coins";
  if (kind === "point")
    return lang === "zh" ? `${capabilityName(lang, capability ?? "")}智慧点` : `${capabilityName(lang, capability ?? "")} points`;
  return String(asset);
}

const makerChecker: Record<string, [string, string]> = {
  claimant: ["这是你提交的申请，需由其他审批人审批。", "You submitted this claim; another approver must decide."],
  member: ["你在这笔申请的发放名单中，需由其他审批人审批。", "You would be paid by this claim; another approver must decide."],
  "same-team": [
    "你与申请人同属一个团队，需由团队外的审批人审批。",
    "You are in the claimant's team; an approver from outside must decide.",
  ],
  "already-decided": ["你已经审批过这笔申请。", "You have already decided on this claim."],
};

const words: Record<string, [Words, Words]> = {
  "insufficient-balance": [
    (p, l) => `余额不足：现有 ${n(l, p.balance)}，还差 ${n(l, p.shortfall)} ${unit(l, p.asset)}。`,
    (p, l) => `Not enough: you have ${n(l, p.balance)}, ${n(l, p.shortfall)} ${unit(l, p.asset)} short.`,
  ],
  "out-of-stock": [(p, l) => `库存不足：只剩 ${n(l, p.remaining)} 件。`, (p, l) => `Only ${n(l, p.remaining)} left.`],
  "redemption-limit-reached": [
    (p, l) => `已达兑换上限：每人每周期限 ${n(l, p.limit)} 次，你已兑换 ${n(l, p.redeemed)} 次。`,
    (p, l) => `Limit reached: ${n(l, p.limit)} per person per period; you have ${n(l, p.redeemed)}.`,
  ],
  "reward-inactive": [() => "这个奖励已下架。", () => "This reward is no longer offered."],
  "fund-insufficient": [
    (p, l) => `基金余额不足：可用 ${cny(l, p.available)}，还差 ${cny(l, p.shortfall)}。`,
    (p, l) => `The pool has ${cny(l, p.available)} available, ${cny(l, p.shortfall)} short.`,
  ],
  "claim-over-limit": [
    (p, l) => `单笔申请最多 ${cny(l, p.limit)}，本次申请 ${cny(l, p.requested)}。`,
    (p, l) => `A claim may ask for at most ${cny(l, p.limit)}; this one asks ${cny(l, p.requested)}.`,
  ],
  "person-limit-exceeded": [
    (p, l) => `超出个人额度：每人每期最多 ${cny(l, p.limit)}，已占用 ${cny(l, p.committed)}。`,
    (p, l) => `Over the per-person limit of ${cny(l, p.limit)}; ${cny(l, p.committed)} is already committed.`,
  ],
  "split-does-not-add-up": [
    (p, l) => `分配合计 ${cny(l, p.sum)}，与申请金额 ${cny(l, p.amount)} 不一致。`,
    (p, l) => `The parts add up to ${cny(l, p.sum)}, not the ${cny(l, p.amount)} claimed.`,
  ],
  "split-member-not-in-team": [
    (p) => `${String(p.personId)} 不在你负责的团队中。`,
    (p) => `${String(p.personId)} is not in a team you lead.`,
  ],
  "maker-checker": [
    (p) => makerChecker[String(p.reason)]?.[0] ?? "你不能审批这笔申请。",
    (p) => makerChecker[String(p.reason)]?.[1] ?? "You may not decide on this claim.",
  ],
  "claim-not-pending": [
    () => "这笔申请已不在审批中（可能已被其他审批人处理）。",
    () => "This claim is no longer pending (another approver may have decided).",
  ],
  "not-your-claim": [() => "只有申请人可以撤回申请。", () => "Only the claimant may withdraw a claim."],
  "validation-failed": [() => "填写的内容有误，请检查后重试。", () => "Some fields are not valid; check and retry."],
  "review-closed": [
    () => "这条异常已由其他审批人处理，请刷新查看结果。",
    () => "Another approver has already decided this item; refresh to see how.",
  ],
  "self-release": [
    () => "预算暂扣的发放须由他人放行或驳回：不能是受奖人，也不能是设定该预算的人。",
    () => "Someone else must release or reject this award: not the person it pays, nor who set the budget.",
  ],
  "self-review": [() => "这条异常涉及你本人，须由其他审批人处理。", () => "This item is about you: another approver must decide it."],
  "person-under-review": [
    () => "收款人中有人正在接受异常审核，审核结束后可再次提交。",
    () => "Someone this pays is under review; send it again once the review is decided.",
  ],
  busy: [() => "系统繁忙，请稍后重试。", () => "The ledger is busy; retry in a moment."],
};

const byStatus: Record<number, [string, string]> = {
  0: ["无法连接服务器，请检查网络后重试。", "Cannot reach the server. Check the network and retry."],
  403: ["你没有权限查看或执行此操作。", "You are not allowed to see or do this."],
  404: ["找不到要查看的内容。", "What you asked for does not exist."],
  409: ["操作与当前状态冲突，请刷新后重试。", "This conflicts with the current state; refresh and retry."],
  422: ["无法完成：请检查填写的内容。", "This cannot be done as asked; check what you entered."],
  500: ["服务器出错了，请稍后重试。", "Something went wrong on our side; retry later."],
};

/** The problem in the reader's language, with its numbers. */
export function problemWords(lang: Lang, error: ApiError): string {
  const i = lang === "zh" ? 0 : 1;
  const known = words[error.code]?.[i];
  if (known) return known(error.params, lang);
  const status = byStatus[error.status] ?? byStatus[error.status >= 500 ? 500 : 422];
  return (status as [string, string])[i];
}

/**
 * What each problem code means, in Chinese and English: the page a problem's `type` leads to
 * (GET /problems/{code}, served by the public function only) and docs/PROBLEMS.md.
 */
import { type ProblemCode, problemStatuses } from "./problems.ts";

interface Words {
  zh: string;
  en: string;
}

const w = (zh: string, en: string): Words => ({ zh, en });

const problemWords = {
  // The request itself
  "validation-failed": w(
    "请求的某些字段无效；invalidFields 逐项说明。",
    "Some fields of the request are not valid; invalidFields names each.",
  ),
  "body-missing": w("此接口需要 JSON 请求体。", "This route needs a JSON body."),
  "malformed-json": w("请求体不是有效的 JSON。", "The body is not valid JSON."),
  "unsupported-media-type": w("请求体的 Content-Type 不被此接口接受。", "The body's Content-Type is not one this route takes."),
  "malformed-path": w("路径编码无效。", "The path is not validly encoded."),
  "bad-path": w("路径无效。", "The path is not valid."),
  invalid: w("请求无效。", "The request is not valid."),
  "idempotency-key-missing": w(
    "写入需要 Idempotency-Key 请求头，重试才安全。",
    "Writes need an Idempotency-Key header so that retries are safe.",
  ),
  "invalid-cursor": w("分页游标无效；请从第一页重新开始。", "The page cursor is not valid; start again from the first page."),
  "invalid-instant": w("时间无效。", "The instant is not valid."),
  "invalid-period-key": w("周期无效，如 2026、2026-Q3、2026-11。", "The period key is not valid (2026, 2026-Q3, 2026-11)."),
  "unknown-time-zone": w("未知的时区。", "The time zone is unknown."),
  "as-of-in-future": w("asOf 不能晚于今天（公司时区）。", "asOf cannot be later than today in the company's time zone."),
  "invalid-period": w("时段无效：须 replayFrom ≤ from < to。", "The period is not valid: give replayFrom ≤ from < to."),
  "lone-surrogate": w(
    "文本含孤立代理项（UTF-16 对的一半），不是有效 Unicode，无法存储。",
    "The text has a lone surrogate (half of a UTF-16 pair), which is not Unicode and cannot be stored.",
  ),
  "dingtalk-malformed": w('钉钉回调的请求体应为 {"encrypt": "…"}。', 'A DingTalk callback body is {"encrypt": "…"}.'),
  "too-deep": w("数据嵌套过深，无法存储。", "The value nests too deep to be stored."),
  "too-many-keys": w("数据的键过多，无法存储。", "The value has too many keys to be stored."),
  "number-out-of-range": w("数字超出可存储的安全整数范围。", "A number is beyond the range that can be stored exactly."),
  "key-empty": w("数据含空键，无法存储。", "The value has an empty key and cannot be stored."),
  "metric-invalid": w("排行指标无效。", "The leaderboard metric is not valid."),
  "org-unit-missing": w("请指定组织单元。", "Name an org unit."),
  "event-invalid": w("事件不是有效的 CloudEvent。", "The event is not a valid CloudEvent."),
  "not-an-event": w("请求体不是一个 CloudEvent。", "The body is not a CloudEvent."),
  "not-a-batch": w("请求体不是 CloudEvent 数组。", "The body is not an array of CloudEvents."),
  "empty-batch": w("批量请求中没有事件。", "The batch holds no events."),
  "file-shape": w("导入文件的格式无法读取。", "The import file's shape cannot be read."),
  "file-encoding-unknown": w("无法识别导入文件的编码（UTF-8 或 GBK）。", "The import file's encoding is neither UTF-8 nor GBK."),
  // Who is asking
  unauthenticated: w("需要有效的凭证（令牌或签名）；请重新登录。", "Valid credentials (a token or a signature) are needed; sign in again."),
  "code-refused": w("登录码无效或已过期，请重新打开页面。", "The sign-in code is not valid or has expired; open the page again."),
  "code-reused": w("这个登录码已经用过，请重新打开页面。", "This sign-in code was already used; open the page again."),
  forbidden: w("你的角色或组织范围不允许此操作。", "Your roles or your part of the org do not allow this."),
  "person-not-registered": w(
    "账号尚未在 Laurel 登记，请联系管理员添加。",
    "The account is not registered in Laurel; ask an administrator to add it.",
  ),
  "person-departed": w("此人已离职，不能再登录。", "The person has left the company and can no longer sign in."),
  "maker-checker": w("提交人不能审批自己的申请。", "The maker of a request cannot also check it."),
  "not-the-poster": w("只有发榜人可以这样做。", "Only the bounty's poster may do this."),
  "not-in-team": w("你不在这个团队中。", "You are not in this team."),
  "not-your-claim": w("只有申请人可以撤回申请。", "Only the claimant may withdraw a claim."),
  "self-award": w("不能给自己发放奖励；请另一位管理员操作。", "Nobody awards to themselves; ask another admin."),
  "self-deduction": w("不能扣减自己的账户。", "Nobody deducts from their own account."),
  "self-reversal": w("不能冲正自己账户的记录。", "Nobody reverses an entry of their own account."),
  "self-cancellation": w("不能取消自己的兑换。", "Nobody cancels their own redemption."),
  "self-clawback": w("不能追回付给自己的款项。", "Nobody claws back a payout made to themselves."),
  "self-collection": w(
    "不能登记自己兑换的交付；须另一位财务或管理员。",
    "Nobody records the hand-over of their own redemption; another member of finance or an admin must.",
  ),
  "self-decision": w("提交或受益于申请的人不能审批它。", "Whoever submitted or is paid by a claim cannot decide on it."),
  "self-judgement": w("揭榜团队的成员不能评审本团队的交付。", "Nobody in a bounty's team may judge its delivery."),
  "self-approval": w("变更的作者不能批准它；需另一位管理员。", "The author of a change cannot approve it; another admin must."),
  "self-release": w(
    "预算暂缓的奖励须由他人放行或驳回：不能是受奖人，也不能是设定该预算的人。",
    "An award held by a budget is released or rejected by someone else: not the person it pays, nor who set the budget.",
  ),
  "self-review": w("审核事项涉及你本人：须由另一位审批人决定。", "This review item is about you: another approver must decide on it."),
  "self-authored-rule": w(
    "事件会按此人编写或批准的规则版本给他奖励。",
    "The event would pay a person under a rule version they wrote or approved.",
  ),
  "self-authored-source": w(
    "事件会奖励定义此来源或持有其密钥的人。",
    "The event would pay a person who defined this source or holds its secret.",
  ),
  "self-authored-badge": w(
    "事件会授予此人自己定义或批准的勋章等级。",
    "The event would give a person a badge level they defined or approved.",
  ),
  // What is asked for
  "route-not-found": w("没有这个接口；见 /openapi.json。", "There is no such route; see /openapi.json."),
  "not-found": w("没有这个地址。", "There is nothing at this address."),
  "person-not-found": w("没有这个人。", "No person with this id."),
  "org-unit-not-found": w("没有这个组织单元。", "No org unit with this id."),
  "ledger-entry-not-found": w("没有这条账本记录。", "No ledger entry with this id."),
  "source-not-found": w("没有这个来源。", "No source with this id."),
  "rule-not-found": w("没有这条规则。", "No rule with this id."),
  "badge-not-found": w("没有这个勋章。", "No badge with this id."),
  "gate-not-found": w("没有这个晋升门槛。", "No promotion gate with this id."),
  "index-not-found": w("没有这个先锋指数。", "No pioneer index with this id."),
  "fund-not-found": w("没有这个基金池。", "No fund pool with this id."),
  "claim-not-found": w("没有这笔申请。", "No claim with this id."),
  "reward-not-found": w("没有这个奖品。", "No reward with this id."),
  "redemption-not-found": w("没有这笔兑换。", "No redemption with this entry id."),
  "bounty-not-found": w("没有这个榜单任务。", "No bounty with this id."),
  "team-not-found": w("没有这个团队。", "No team with this id."),
  "import-not-found": w("没有这次导入。", "No import with this id."),
  "event-unknown": w("这个来源没有此事件。", "This source sent no event with this id."),
  "problem-not-found": w("没有这个问题代码。", "No problem has this code."),
  "review-item-not-found": w("没有这项审查。", "No review item with this id."),
  "backtest-not-found": w("没有这项回测任务。", "No backtest job with this id for this rule."),
  "held-award-not-found": w("没有这项因预算暂缓、待审批的奖励。", "No award of this event is held for approval by a budget."),
  "no-pending-change": w("没有等待批准的变更。", "No change waits for approval."),
  "dead-letter-not-found": w("没有这封死信，或它已重放过。", "No dead letter with this id, or it was replayed already."),
  "sign-in-not-offered": w(
    "本部署通过其身份提供方登录，不提供钉钉免登。",
    "This deployment signs people in with its identity provider, not with DingTalk.",
  ),
  "dingtalk-not-configured": w("本环境未配置钉钉通讯录同步。", "The DingTalk org sync is not configured on this stage."),
  "method-not-allowed": w(
    "此地址不接受这个方法；Allow 头列出可用方法。",
    "This address does not take this method; the Allow header lists those it does.",
  ),
  // The state of things
  "idempotency-key-reused": w(
    "这个 Idempotency-Key 已用于不同的请求；新请求请用新键。",
    "The Idempotency-Key was used for a different request; use a new key.",
  ),
  "insufficient-balance": w("余额不足；shortfall 说明差多少。", "The balance is too low; shortfall says by how much."),
  "insufficient-reserved": w("预留金额不足。", "Too little is reserved."),
  "already-reversed": w("这条记录已经冲正过。", "The entry was already reversed."),
  "reversal-not-reversible": w("冲正记录本身不能再冲正。", "A reversal cannot itself be reversed."),
  "entry-corrected-elsewhere": w("这条记录已由其他途径更正。", "The entry was corrected another way."),
  "badge-level-already-held": w("此人已拥有这个勋章等级。", "The person already holds this badge level."),
  "already-retracted": w("这个事件已经撤回。", "The event was already retracted."),
  "event-id-reused": w("事件 id 已用于内容不同的事件。", "The event id was used for an event with other content."),
  "definition-changed": w("定义已被他人修改；请读取后重试。", "The definition changed meanwhile; read it again and retry."),
  "proposal-changed": w("待批准的变更已被替换；请审阅新的提议。", "The proposal changed; review the new one."),
  "fund-exists": w("基金池已存在。", "The fund pool already exists."),
  "fund-insufficient": w("基金池余额不足。", "The pool holds too little."),
  "person-limit-exceeded": w("超出每人在本周期的上限。", "Over the per-person limit of the period."),
  "claim-not-pending": w("这笔申请已不在审批中。", "The claim is no longer pending."),
  "claim-not-paid": w("这笔申请尚未付款，不能追回。", "The claim is not paid, so nothing can be clawed back."),
  "already-approved": w("你已经批准过这笔申请。", "You already approved this claim."),
  "already-clawed-back": w("这笔款项已经追回。", "This payout was already clawed back."),
  "out-of-stock": w("奖品库存不足。", "The reward is out of stock."),
  "redemption-limit-reached": w("已达兑换上限。", "The redemption limit is reached."),
  "already-cancelled": w("这笔兑换已经取消。", "The redemption was already cancelled."),
  "bounty-not-open": w("榜单任务已不开放。", "The bounty is no longer open."),
  "bounty-expired": w("榜单任务已过截止时间。", "The bounty's deadline has passed."),
  "bounty-full": w("揭榜团队已满。", "As many teams as the bounty takes have taken it."),
  "bounty-not-due": w("榜单任务尚未到期。", "The bounty is not due yet."),
  "already-in-a-team": w("此人已在这个榜单任务的团队中。", "The person is already in a team on this bounty."),
  "already-taken": w("你已带领一个团队揭了此榜。", "You already lead a team on this bounty."),
  "no-delivery-pending": w("没有待评判的交付。", "No delivery waits for a decision."),
  "delivery-not-expected": w("此团队现在不能交付。", "This team cannot deliver now."),
  "already-collected": w(
    "奖品已交付；已交付的兑换不能再交付或退款。",
    "The reward was handed over already; it is not handed over again or refunded.",
  ),
  "person-inactive": w(
    "此人已离职，账户冻结（历史保留），重新启用前不能变动。",
    "The person left: their wallet is frozen (history kept) until they are reactivated.",
  ),
  "identity-taken": w(
    "此账号（钉钉、企业微信或 OIDC）已属于另一人。",
    "Another person already holds this DingTalk, WeCom or OIDC user id.",
  ),
  "org-unit-not-empty": w("组织单元下仍有单元或人员；请先移走。", "The org unit still has units or people below it; move them first."),
  "backtest-cancelled": w("回测已取消。", "The backtest was cancelled."),
  "review-closed": w("这项审查已经处理过。", "The review item was already decided."),
  "award-rejected": w(
    "此事件的奖励曾被暂缓，审查确认为刷分后已驳回；重新发送不会发放。",
    "This event's award was held and rejected on review (gaming confirmed); sending it again does not award it.",
  ),
  "person-under-review": w(
    "此人正被一项未结的防刷分审查暂缓，手动奖励、悬赏奖励和基金付款都要等审查结束；details 列出审查项。",
    "An open anti-gaming review holds this person: awards by hand, bounty rewards and fund payouts wait until it is decided; details name the reviews.",
  ),
  "version-mismatch": w(
    "在你读取后已被修改（If-Match 或版本不符）；请重新读取。",
    "It changed since you read it (If-Match or version failed); read it again.",
  ),
  // Sizes
  "body-too-large": w("请求体过大。", "The body is too large."),
  "batch-too-large": w("批量事件过多。", "The batch holds too many events."),
  "too-many-candidates": w("候选人过多。", "Too many candidates at once."),
  "too-many-entries": w("记录过多。", "Too many entries at once."),
  "too-many-rows": w("导入文件行数过多。", "The import file has too many rows."),
  // What the content means
  "badge-unknown": w("没有这个勋章。", "No such badge."),
  "badge-level-unknown": w("勋章没有这个等级。", "The badge has no such level."),
  "badge-criterion-unknown-rule": w("勋章条件引用了不存在的规则。", "A badge criterion names a rule that does not exist."),
  "badge-levels-out-of-order": w("勋章等级须按顺序排列。", "Badge levels must be in order."),
  "duplicate-rule-id": w("规则 id 重复。", "The rule id appears twice."),
  "data-schema-invalid": w("事件数据的 JSON Schema 无效。", "The event data's JSON Schema is not valid."),
  "data-invalid": w("事件数据不符合来源声明的格式。", "The event data does not match the source's schema."),
  "event-type-not-allowed": w("来源未声明此事件类型。", "The source does not declare this event type."),
  "event-too-old": w("事件太旧。", "The event is too old."),
  "event-in-future": w("事件时间在未来。", "The event's time is in the future."),
  "no-subject": w("事件没有 subject（人员）。", "The event names no subject (person)."),
  "person-unknown": w("事件中的人员不存在。", "The event's person does not exist."),
  "team-unknown": w("事件中的团队不存在。", "The event's team does not exist."),
  "gate-tier-mismatch": w("门槛的职级与人员不符。", "The gate is for another tier."),
  "gate-badge-unknown": w("门槛引用了不存在的勋章。", "The gate names a badge that does not exist."),
  "gate-badge-level-unknown": w("门槛引用了不存在的勋章等级。", "The gate names a badge level that does not exist."),
  "index-needs-people": w("先锋指数需要按人排行。", "A pioneer index ranks people."),
  "claim-over-limit": w("超出单笔申请上限。", "Over the per-claim limit."),
  "claimant-unknown": w("申请人不在目录中。", "The claimant is not in the directory."),
  "clawback-member-unknown": w("追回对象不在这笔申请中。", "The person is not paid by this claim."),
  "split-does-not-add-up": w("分配之和不等于总额。", "The split does not add up to the amount."),
  "split-member-duplicate": w("分配中有重复成员。", "A member appears twice in the split."),
  "split-member-not-in-team": w("分配成员不在你的团队中。", "A member of the split is not in your team."),
  "split-member-unknown": w("分配成员不存在。", "A member of the split does not exist."),
  "split-part-zero": w("分配份额不能为零。", "A part of the split is zero."),
  "reward-inactive": w("奖品已下架。", "The reward is not active."),
  "deadline-past": w("截止时间已过。", "The deadline has passed."),
  "poster-unknown": w("发榜人不在目录中。", "The poster is not in the directory."),
  "poster-in-team": w("发榜人不能加入揭榜团队。", "The poster cannot be in a team."),
  "shares-do-not-add-up": w("作者份额之和须为 100。", "Authorship shares must add up to 100."),
  "team-member-duplicate": w("团队成员重复。", "A team member appears twice."),
  "team-member-not-yours": w("团队成员不在你带领的单元。", "A team member is not in a unit you lead."),
  "team-member-unknown": w("团队成员不存在。", "A team member does not exist."),
  "lead-unknown": w("负责人不在目录中。", "The lead is not in the directory."),
  "manager-unknown": w("上级不在目录中。", "The manager is not in the directory."),
  "org-unit-unknown": w("组织单元不存在。", "The org unit does not exist."),
  "org-unit-parent-unknown": w("上级组织单元不存在。", "The parent org unit does not exist."),
  "org-unit-without-parent": w("只有根组织单元可以没有上级。", "Only the root org unit has no parent."),
  "org-unit-cycle": w("组织树不能成环。", "The org tree cannot have a cycle."),
  "import-has-bad-rows": w(
    "导入文件有无效行；onError=abort 时不写入任何内容。",
    "The file has bad rows; with onError=abort nothing is written.",
  ),
  "budget-exhausted": w("组织单元本期的金币预算不足以发放这笔奖励。", "The org unit's coin budget for the period cannot hold this award."),
  "backtest-too-long": w("时段内需重放的事件过多；请缩短时段。", "The period holds too many events to replay; backtest a shorter one."),
  "webhook-secret-required": w(
    "Webhook 订阅需要 Standard Webhooks 密钥（whsec_…）来签名。",
    "A webhook subscription needs a Standard Webhooks secret (whsec_…) to sign its deliveries.",
  ),
  "dingtalk-too-deep": w("钉钉部门层级过深。", "The DingTalk department is nested too deep."),
  // The service
  "host-not-allowed": w("本地服务只接受回环地址。", "The local server answers loopback host names only."),
  internal: w("服务内部出错；报告时请附上 correlationId。", "Something went wrong on our side; quote the correlationId."),
  busy: w(
    "账本繁忙；请按 Retry-After 稍后重试（同一 Idempotency-Key）。",
    "The ledger is busy; retry after Retry-After with the same Idempotency-Key.",
  ),
  "provider-unavailable": w(
    "暂时无法连接登录服务，请稍后再试。",
    "The sign-in service cannot be reached right now; try again in a moment.",
  ),
  "page-not-built": w("页面尚未构建。", "The page is not built yet."),
  "sign-in-not-set-up": w(
    "令牌服务尚无签名密钥；运维请运行 npm run token-keys -- rotate。",
    "The token service has no signing key yet; operators run npm run token-keys -- rotate.",
  ),
  "dingtalk-unavailable": w("钉钉暂时无法应答；稍后重试。", "DingTalk did not answer as expected; retry later."),
} satisfies Record<ProblemCode, Words>;

/** Each code with its status and its words. */
export const problemCatalogue = Object.fromEntries(
  (Object.keys(problemStatuses) as ProblemCode[]).map((code) => [code, { status: problemStatuses[code], ...problemWords[code] }]),
) as Record<ProblemCode, Words & { status: number }>;

const html = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a problem's `type` leads to: what the code means, in Chinese and English. */
export function problemPage(code: ProblemCode): string {
  const { status, zh, en } = problemCatalogue[code];
  return [
    "<!doctype html>",
    `<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${html(code)}</title></head>`,
    `<body><h1><code>${html(code)}</code> · HTTP ${status}</h1>`,
    `<p lang="zh-CN">${html(zh)}</p><p lang="en">${html(en)}</p>`,
    `<p><a href="/openapi.json">OpenAPI</a></p></body></html>`,
  ].join("\n");
}

/** 基金 fund: the person's innovation fund claims and the payouts they received. 兑换 rewards: the coin catalog. */
import { useState } from "preact/hooks";
import { ApiError, type Balances, type LedgerEntry, type Localized, request, useResource } from "../api.ts";
import { dateLabel, number } from "../format.ts";
import type { Lang } from "../i18n.ts";
import { Card, ErrorView, Skeleton, useApp } from "../ui.tsx";

interface Claim {
  claimId: string;
  fundId: string;
  claimant: string;
  scenario: string;
  measuredValue: string;
  currency: string;
  amount: number;
  parts: { personId: string; amount?: number; share?: number }[];
  requiredApprovals: number;
  decisions: unknown[];
  status: string;
  clawedBack: number;
  createdAt: string;
}

interface PersonFund {
  received: Record<string, number>;
  claims: Claim[];
  payouts: LedgerEntry[];
}

/** Money is kept in minor units (fen for CNY). */
export const money = (lang: Lang, minor: number, currency: string) =>
  (minor / 100).toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { style: "currency", currency });

export function FundScreen() {
  const { t, lang, session } = useApp();
  const fund = useResource<PersonFund>(`/people/${encodeURIComponent(session.personId)}/fund`);
  if (fund.error) return <ErrorView error={fund.error} retry={fund.reload} />;
  if (!fund.data) return <Skeleton lines={5} />;
  const { received, claims, payouts } = fund.data;
  const currencies = Object.entries(received);
  return (
    <>
      <section class="hero hero-fund">
        <span class="figure-label">{t.fund.received}</span>
        <span class="figure-value" data-testid="received">
          {currencies.length ? currencies.map(([c, n]) => money(lang, n, c)).join(" · ") : money(lang, 0, "CNY")}
        </span>
        <span class="figure-hint">{t.fund.receivedHint}</span>
      </section>
      <Card title={t.fund.claims}>
        {claims.length === 0 ? (
          <p class="empty">{t.fund.noClaims}</p>
        ) : (
          <ul class="entries plain">
            {claims.map((c) => (
              <li key={c.claimId} class="entry">
                <div class="entry-main">
                  <p class="entry-reason">
                    <span class={`tag tag-status-${c.status}`}>{t.fund.status[c.status] ?? c.status}</span>
                    {c.scenario}
                  </p>
                  <p class="entry-why">{c.measuredValue}</p>
                  <p class="entry-why">
                    {c.claimant === session.personId ? t.fund.mine : t.fund.byOther(c.claimant)} · {t.fund.team(c.parts.length)} ·{" "}
                    {t.fund.approvals(c.decisions.length, c.requiredApprovals)}
                  </p>
                  {c.clawedBack > 0 && <p class="entry-why">{t.fund.clawedBack(money(lang, c.clawedBack, c.currency))}</p>}
                </div>
                <div class="entry-side">
                  <span class="amount">{money(lang, c.amount, c.currency)}</span>
                  <time dateTime={c.createdAt}>{dateLabel(lang, c.createdAt)}</time>
                </div>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title={t.fund.payouts}>
        {payouts.length === 0 ? (
          <p class="empty">{t.fund.noPayouts}</p>
        ) : (
          <ul class="entries plain">
            {payouts.map((p) => {
              const sign = p.to === p.holder ? 1 : -1;
              return (
                <li key={p.entryId} class="entry">
                  <div class="entry-main">
                    <p class="entry-reason">{p.reason}</p>
                    <p class="entry-why">{t.kinds[p.kind] ?? p.kind}</p>
                  </div>
                  <div class="entry-side">
                    <span class={sign < 0 ? "amount minus" : "amount"}>
                      {sign < 0 ? "−" : "+"}
                      {money(lang, p.amount, p.asset.slice("money:".length))}
                    </span>
                    <time dateTime={p.recordedAt}>{dateLabel(lang, p.recordedAt)}</time>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </Card>
    </>
  );
}

interface RewardView {
  rewardId: string;
  version: number;
  reward: {
    name: { zh: string; en?: string };
    description?: string;
    price: number;
    stock: number | "unlimited";
    perPersonLimit?: { count: number; period: string };
    active: boolean;
  };
  remaining: number | "unlimited";
}

export function RewardsScreen() {
  const { t, lang, session } = useApp();
  const rewards = useResource<{ rewards: RewardView[] }>("/rewards");
  const balances = useResource<Balances>(`/people/${encodeURIComponent(session.personId)}/balances`);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const canRedeem = session.roles.includes("manager");
  if (rewards.error) return <ErrorView error={rewards.error} retry={rewards.reload} />;
  if (!rewards.data || !balances.data) return <Skeleton lines={5} />;
  const coins = balances.data.coins;
  const redeem = async (reward: RewardView) => {
    setBusy(reward.rewardId);
    setOutcome(undefined);
    try {
      await request("/redemptions", {
        method: "POST",
        body: { rewardId: reward.rewardId, quantity: 1 },
        headers: { "idempotency-key": crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}` },
      });
      setOutcome({ ok: true, text: t.rewards.done(nameOf(lang, reward.reward.name)) });
      balances.reload();
      rewards.reload();
    } catch (e) {
      setOutcome({ ok: false, text: e instanceof ApiError && e.message ? e.message : t.unreachable });
    } finally {
      setBusy(undefined);
    }
  };
  const active = rewards.data.rewards.filter((r) => r.reward.active);
  return (
    <>
      <p class="screen-hint">{t.rewards.balance(number(lang, coins))}</p>
      {outcome && (
        <p class={outcome.ok ? "notice" : "card error error-detail"} role={outcome.ok ? "status" : "alert"}>
          {outcome.text}
        </p>
      )}
      {active.length === 0 ? (
        <p class="card empty">{t.rewards.none}</p>
      ) : (
        <ul class="reward-list">
          {active.map((r) => {
            const soldOut = r.remaining !== "unlimited" && r.remaining <= 0;
            const short = coins < r.reward.price;
            return (
              <li key={r.rewardId} class="card reward">
                <div class="reward-body">
                  <h2>{nameOf(lang, r.reward.name)}</h2>
                  {r.reward.description && <p class="hint">{r.reward.description}</p>}
                  <p class="hint">
                    {r.remaining === "unlimited" ? t.rewards.unlimited : t.rewards.left(r.remaining)}
                    {r.reward.perPersonLimit
                      ? ` · ${t.rewards.limit(r.reward.perPersonLimit.count, t.periods[r.reward.perPersonLimit.period] ?? "")}`
                      : ""}
                  </p>
                </div>
                <div class="reward-side">
                  <span class="price">
                    {number(lang, r.reward.price)} <small>{t.coinsShort}</small>
                  </span>
                  {canRedeem && (
                    <button
                      type="button"
                      class="button small"
                      disabled={busy !== undefined || soldOut || short}
                      onClick={() => void redeem(r)}
                      aria-label={t.rewards.redeemLabel(nameOf(lang, r.reward.name))}
                    >
                      {busy === r.rewardId ? t.loading : soldOut ? t.rewards.soldOut : short ? t.rewards.short : t.rewards.redeem}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}

const nameOf = (lang: Lang, name: { zh: string; en?: string } | Localized) => (lang === "en" && name.en ? name.en : name.zh);

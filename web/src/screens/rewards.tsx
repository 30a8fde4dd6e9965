/**
 * 兑换 rewards: the coin catalog, each redemption confirmed in a sheet (item, price, balance
 * after) and "还差 N" on what I cannot afford; 我的兑换 my redemptions, with status and how to
 * collect.
 */
import { useState } from "preact/hooks";
import { type Answer, ApiError, type Balances, newIdempotencyKey, type RewardView, request, usePaged, useResource } from "../api.ts";
import { dateLabel, number } from "../format.ts";
import type { Lang } from "../i18n.ts";
import { ErrorView, LoadMore, ProblemAlert, Segmented, Sheet, Skeleton, useApp } from "../ui.tsx";

export const nameIn = (lang: Lang, name: { zh: string; en?: string | undefined }) => (lang === "en" && name.en ? name.en : name.zh);

export function RewardsScreen() {
  const { t, lang, session } = useApp();
  const rewards = useResource<{ rewards: RewardView[] }>("/rewards");
  const balances = useResource<Balances>(`/people/${encodeURIComponent(session.personId)}/balances`);
  const [chosen, setChosen] = useState<RewardView | undefined>(undefined);
  const canRedeem = session.roles.includes("manager");
  const error = rewards.error ?? balances.error;
  if (error) return <ErrorView error={error} retry={rewards.reload} />;
  if (!rewards.data || !balances.data) return <Skeleton lines={5} />;
  const coins = balances.data.coins;
  const active = rewards.data.rewards.filter((r) => r.definition.active);
  return (
    <>
      <p class="screen-hint">{t.rewards.balance(number(lang, coins))}</p>
      {active.length === 0 ? (
        <p class="card empty">{t.rewards.none}</p>
      ) : (
        <ul class="reward-list">
          {active.map((r) => {
            const soldOut = r.remaining !== "unlimited" && r.remaining <= 0;
            const short = r.definition.price - coins;
            return (
              <li key={r.id} class="card reward">
                <div class="reward-body">
                  <h2>{nameIn(lang, r.definition.name)}</h2>
                  {r.definition.description && <p class="hint">{r.definition.description}</p>}
                  <p class="hint">
                    {r.remaining === "unlimited" ? t.rewards.unlimited : t.rewards.left(r.remaining)}
                    {r.definition.perPersonLimit
                      ? ` · ${t.rewards.limit(r.definition.perPersonLimit.count, t.periods[r.definition.perPersonLimit.period] ?? "")}`
                      : ""}
                  </p>
                </div>
                <div class="reward-side">
                  <span class="price">
                    {number(lang, r.definition.price)} <small>{t.coinsShort}</small>
                  </span>
                  {!canRedeem ? null : soldOut ? (
                    <span class="short">{t.rewards.soldOut}</span>
                  ) : short > 0 ? (
                    <span class="short">{t.rewards.shortBy(number(lang, short))}</span>
                  ) : (
                    <button
                      type="button"
                      class="button small"
                      onClick={() => setChosen(r)}
                      aria-label={t.rewards.redeemLabel(nameIn(lang, r.definition.name))}
                    >
                      {t.rewards.redeem}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {chosen && <ConfirmRedemption reward={chosen} coins={coins} onClose={() => setChosen(undefined)} />}
    </>
  );
}

/** The sheet: what I get, what it costs, what I keep; one key for the intended redemption. */
function ConfirmRedemption({ reward, coins, onClose }: { reward: RewardView; coins: number; onClose: () => void }) {
  const { t, lang } = useApp();
  const [key] = useState(newIdempotencyKey);
  const [state, setState] = useState<"asking" | "busy" | "done" | ApiError>("asking");
  const name = nameIn(lang, reward.definition.name);
  const redeem = async () => {
    setState("busy");
    try {
      await request("/redemptions", {
        method: "POST",
        body: { rewardId: reward.id, quantity: 1 },
        headers: { "idempotency-key": key },
      });
      setState("done");
    } catch (e) {
      setState(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    }
  };
  if (state === "done")
    return (
      <Sheet title={t.rewards.doneTitle} onClose={onClose}>
        <p class="notice" role="status">
          {t.rewards.done(name)}
        </p>
        {reward.definition.collect && <p class="collect">{nameIn(lang, reward.definition.collect)}</p>}
        <div class="sheet-actions">
          <button
            type="button"
            class="button secondary"
            onClick={() => {
              location.hash = "#/redemptions";
              onClose();
            }}
          >
            {t.rewards.mine}
          </button>
          <button type="button" class="button" onClick={onClose}>
            {t.rewards.ok}
          </button>
        </div>
      </Sheet>
    );
  return (
    <Sheet title={t.rewards.confirmTitle} onClose={onClose}>
      <dl class="facts">
        <dt>{t.rewards.item}</dt>
        <dd>{name}</dd>
        <dt>{t.rewards.price}</dt>
        <dd>
          {number(lang, reward.definition.price)} {t.coinsShort}
        </dd>
        <dt>{t.rewards.after}</dt>
        <dd data-testid="balance-after">
          {number(lang, coins)} → {number(lang, coins - reward.definition.price)} {t.coinsShort}
        </dd>
      </dl>
      {reward.definition.collect && <p class="collect">{nameIn(lang, reward.definition.collect)}</p>}
      {state instanceof ApiError && <ProblemAlert error={state} />}
      <div class="sheet-actions">
        <button type="button" class="button secondary" onClick={onClose}>
          {t.cancel}
        </button>
        <button
          type="button"
          class="button"
          disabled={state === "busy"}
          onClick={() => void redeem()}
          aria-label={t.rewards.confirmLabel(name)}
        >
          {state === "busy" ? t.loading : t.rewards.confirm}
        </button>
      </div>
    </Sheet>
  );
}

/**
 * 我的兑换: my redemptions, newest first, as the API keeps them (not from my recent history): to
 * collect (and how), collected (the day), or cancelled (the coins came back); one status at a tap.
 */
export function RedemptionsScreen() {
  const { t, lang, session } = useApp();
  const [status, setStatus] = useState<RedemptionStatus | undefined>(undefined);
  const path = `/people/${encodeURIComponent(session.personId)}/redemptions?limit=20${status ? `&status=${status}` : ""}`;
  const list = usePaged<RedemptionList, Redemption>(path, (page) => page.redemptions);
  return (
    <>
      <Segmented
        legend={t.rewards.mine}
        options={[undefined, "placed", "collected", "cancelled"] as const}
        value={status}
        label={(s) => (s ? t.rewards[statusWord[s]] : t.rewards.all)}
        onChange={setStatus}
      />
      {list.error ? (
        <ErrorView error={list.error} retry={list.reload} />
      ) : !list.items ? (
        <Skeleton lines={4} />
      ) : list.items.length === 0 ? (
        <p class="card empty">{status ? t.rewards.noneOf : t.rewards.noneMine}</p>
      ) : (
        <ul class="card entries plain" aria-label={t.rewards.mine} data-testid="my-redemptions">
          {list.items.map((r) => (
            <RedemptionRow key={r.entryId} redemption={r} />
          ))}
        </ul>
      )}
      {list.loadMore && <LoadMore busy={list.loadingMore} onMore={list.loadMore} />}
    </>
  );
  function RedemptionRow({ redemption: r }: { redemption: Redemption }) {
    return (
      <li class={r.status === "cancelled" ? "entry redemption is-reversed" : "entry redemption"}>
        <div class="entry-main">
          <p class="entry-reason">
            <span class={`tag ${statusTag[r.status]}`}>{t.rewards[statusWord[r.status]]}</span>
            {nameIn(lang, r.reward)}
            {r.quantity > 1 ? ` × ${r.quantity}` : ""}
          </p>
          <p class="entry-why">
            {r.status === "collected" && r.collectedAt
              ? t.rewards.collectedOn(dateLabel(lang, r.collectedAt))
              : r.status === "cancelled"
                ? t.rewards.refunded
                : r.collect
                  ? nameIn(lang, r.collect)
                  : t.rewards.askAdmin}
          </p>
        </div>
        <div class="entry-side">
          <span class="amount minus">
            −{number(lang, r.coins)} {t.coinsShort}
          </span>
          <time dateTime={r.redeemedAt}>{dateLabel(lang, r.redeemedAt)}</time>
        </div>
      </li>
    );
  }
}

type RedemptionList = Answer<"personRedemptions">;
type Redemption = RedemptionList["redemptions"][number];
type RedemptionStatus = Redemption["status"];
const statusWord = { placed: "toCollect", collected: "collected", cancelled: "cancelled" } as const;
const statusTag = { placed: "tag-status-pending", collected: "tag-status-paid", cancelled: "tag-reversed" } as const;

/**
 * 创新基金 the innovation fund on the phone: what I received and the claims I am part of (with
 * the reservation and each decision); a team lead claims for their own team; an approver decides
 * the claims waiting for them, with a reason. The API enforces maker-checker and two approvals;
 * the page says its refusals in the reader's language.
 */
import { useState } from "preact/hooks";
import { type Answer, ApiError, newIdempotencyKey, request, usePaged, useResource } from "../api.ts";
import { dateLabel, money } from "../format.ts";
import { Card, ErrorView, LoadMore, ProblemAlert, Sheet, Skeleton, useApp } from "../ui.tsx";
import { ledUnits, type Member, useTeam } from "./team.tsx";

export type Claim = Answer<"claim">["claim"];
type PersonFund = Answer<"personFund">;
type Pool = Answer<"funds">["funds"][number];

export function FundScreen() {
  const { t, lang, session, orgUnits } = useApp();
  const fund = useResource<PersonFund>(`/people/${encodeURIComponent(session.personId)}/fund`);
  const [claiming, setClaiming] = useState(false);
  const isLead = session.roles.includes("manager") && ledUnits(orgUnits ?? [], session.personId).length > 0;
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
      {isLead && (
        <button type="button" class="button wide" onClick={() => setClaiming(true)}>
          {t.fund.newClaim}
        </button>
      )}
      {claiming && <ClaimSheet onClose={() => setClaiming(false)} />}
      {session.roles.includes("approver") && <Waiting />}
      <Card title={t.fund.claims}>
        {claims.length === 0 ? (
          <p class="empty">{t.fund.noClaims}</p>
        ) : (
          <ul class="entries plain">
            {claims.map((c) => (
              <ClaimRow key={c.claimId} claim={c} />
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
                    <p class="entry-reason">{p.explained?.[lang] ?? p.reason}</p>
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

function ClaimRow({ claim: c, children }: { claim: Claim; children?: preact.ComponentChildren }) {
  const { t, lang, session, people } = useApp();
  const nameOf = (id: string) => people?.find((p) => p.personId === id)?.name ?? id;
  return (
    <li class="entry claim">
      <div class="entry-main">
        <p class="entry-reason">
          <span class={`tag tag-status-${c.status}`}>{t.fund.status[c.status] ?? c.status}</span>
          {c.scenario}
        </p>
        <p class="entry-why">{c.measuredValue}</p>
        <p class="entry-why">
          {c.claimant === session.personId ? t.fund.mine : t.fund.byOther(nameOf(c.claimant))} · {t.fund.team(c.parts.length)} ·{" "}
          {t.fund.approvals(c.decisions.filter((d) => d.decision === "approve").length, c.requiredApprovals)}
        </p>
        {c.status === "pending" && <p class="entry-why">{t.fund.reserved(money(lang, c.amount, c.currency))}</p>}
        {c.decisions.map((d) => (
          <p key={d.approverId + d.at} class="entry-why">
            {t.fund.decision(nameOf(d.approverId), d.decision === "approve")}：{d.comment}
          </p>
        ))}
        {c.clawedBack > 0 && <p class="entry-why">{t.fund.clawedBack(money(lang, c.clawedBack, c.currency))}</p>}
        {children}
      </div>
      <div class="entry-side">
        <span class="amount">{money(lang, c.amount, c.currency)}</span>
        <time dateTime={c.createdAt}>{dateLabel(lang, c.createdAt)}</time>
      </div>
    </li>
  );
}

/** A lead's claim for their own team: the pool, the scenario and its measured value, the amount, an equal split. */
function ClaimSheet({ onClose }: { onClose: () => void }) {
  const { t, lang, session } = useApp();
  const pools = useResource<{ funds: Pool[] }>("/funds");
  const team = useTeam();
  const [key] = useState(newIdempotencyKey);
  const [picked, setPicked] = useState<Set<string> | undefined>(undefined);
  const [outcome, setOutcome] = useState<"busy" | Claim | ApiError | undefined>(undefined);
  const members: Member[] = team.people ? [...team.people] : [];
  const chosen = picked ?? new Set([session.personId]);
  const pool = pools.data?.funds[0];
  if (outcome && typeof outcome === "object" && !(outcome instanceof ApiError))
    return (
      <Sheet title={t.fund.submitted} onClose={onClose}>
        <p class="notice" role="status">
          {t.fund.submittedWords(money(lang, outcome.amount, outcome.currency), outcome.requiredApprovals)}
        </p>
        <div class="sheet-actions">
          <button type="button" class="button" onClick={onClose}>
            {t.rewards.ok}
          </button>
        </div>
      </Sheet>
    );
  const submit = async (form: HTMLFormElement) => {
    if (!pool) return;
    const data = new FormData(form);
    const amount = Math.round(Number(data.get("amount")) * 100);
    setOutcome("busy");
    try {
      const answer = await request<{ claim: Claim }>(`/funds/${encodeURIComponent(pool.fund.fundId)}/claims`, {
        method: "POST",
        headers: { "idempotency-key": key },
        body: {
          scenario: String(data.get("scenario") ?? ""),
          measuredValue: String(data.get("measuredValue") ?? ""),
          amount,
          split: { by: "share", parts: [...chosen].map((personId) => ({ personId, share: 1 })) },
        },
      });
      setOutcome(answer.claim);
    } catch (e) {
      setOutcome(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    }
  };
  const toggle = (personId: string) => {
    const next = new Set(chosen);
    if (next.has(personId)) next.delete(personId);
    else next.add(personId);
    setPicked(next);
  };
  return (
    <Sheet title={t.fund.newClaim} onClose={onClose}>
      {pools.error && <ErrorView error={pools.error} />}
      {!pool ? (
        <Skeleton lines={3} />
      ) : (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit(e.currentTarget);
          }}
        >
          <p class="hint">
            {pool.fund.name} · {t.fund.available(money(lang, pool.totals.available, pool.fund.currency))}
          </p>
          <label class="field">
            <span>{t.fund.scenario}</span>
            <textarea name="scenario" required maxLength={500} rows={2} data-autofocus />
          </label>
          <label class="field">
            <span>{t.fund.measured}</span>
            <input name="measuredValue" required maxLength={500} />
          </label>
          <label class="field">
            <span>{t.fund.amount(pool.fund.currency)}</span>
            <input name="amount" required type="number" inputMode="decimal" min="0.01" step="0.01" max={pool.fund.limits.perClaim / 100} />
          </label>
          <fieldset class="field members-pick">
            <legend>{t.fund.split}</legend>
            {[{ personId: session.personId, name: t.you }, ...members.filter((m) => m.personId !== session.personId)].map((m) => (
              <label key={m.personId} class="check">
                <input type="checkbox" checked={chosen.has(m.personId)} onChange={() => toggle(m.personId)} />
                <span>{m.name}</span>
              </label>
            ))}
          </fieldset>
          {outcome instanceof ApiError && <ProblemAlert error={outcome} />}
          <div class="sheet-actions">
            <button type="button" class="button secondary" onClick={onClose}>
              {t.cancel}
            </button>
            <button type="submit" class="button" disabled={outcome === "busy" || chosen.size === 0}>
              {outcome === "busy" ? t.loading : t.fund.submit}
            </button>
          </div>
        </form>
      )}
    </Sheet>
  );
}

/**
 * Claims waiting for me (an approver), oldest first, as the API keeps them: it leaves out my own,
 * my team's and those I approved already (maker-checker), however many claims the pools hold.
 */
function Waiting() {
  const { t, session } = useApp();
  const waiting = usePaged<Answer<"claimsWaiting">, Claim>(
    `/people/${encodeURIComponent(session.personId)}/claims-waiting?limit=20`,
    (page) => page.claims,
  );
  const { items: claims, error } = waiting;
  const [deciding, setDeciding] = useState<{ claim: Claim; approve: boolean } | undefined>(undefined);
  return (
    <Card title={t.fund.waiting}>
      {error ? (
        <ErrorView error={error} retry={waiting.reload} />
      ) : !claims ? (
        <Skeleton lines={2} />
      ) : claims.length === 0 ? (
        <p class="empty">{t.fund.noneWaiting}</p>
      ) : (
        <ul class="entries plain" data-testid="waiting">
          {claims.map((c) => (
            <ClaimRow key={c.claimId} claim={c}>
              <div class="row-actions">
                <button type="button" class="button secondary small" onClick={() => setDeciding({ claim: c, approve: false })}>
                  {t.fund.reject}
                </button>
                <button type="button" class="button small" onClick={() => setDeciding({ claim: c, approve: true })}>
                  {t.fund.approve}
                </button>
              </div>
            </ClaimRow>
          ))}
        </ul>
      )}
      {waiting.loadMore && <LoadMore busy={waiting.loadingMore} onMore={waiting.loadMore} />}
      {deciding && <DecisionSheet {...deciding} onClose={() => setDeciding(undefined)} />}
    </Card>
  );
}

/** Approve or reject with a reason (the API requires a comment); the API decides whether I may. */
function DecisionSheet({ claim, approve, onClose }: { claim: Claim; approve: boolean; onClose: () => void }) {
  const { t, lang } = useApp();
  const [key] = useState(newIdempotencyKey);
  const [state, setState] = useState<"asking" | "busy" | ApiError>("asking");
  const decide = async (comment: string) => {
    setState("busy");
    try {
      await request(`/claims/${encodeURIComponent(claim.claimId)}/decisions`, {
        method: "POST",
        headers: { "idempotency-key": key },
        body: { decision: approve ? "approve" : "reject", comment },
      });
      onClose();
    } catch (e) {
      setState(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    }
  };
  return (
    <Sheet title={approve ? t.fund.approveTitle : t.fund.rejectTitle} onClose={onClose}>
      <p>
        {claim.scenario} · {money(lang, claim.amount, claim.currency)}
      </p>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void decide(String(new FormData(e.currentTarget).get("comment") ?? ""));
        }}
      >
        <label class="field">
          <span>{t.fund.comment}</span>
          <textarea name="comment" required maxLength={1000} rows={3} data-autofocus />
        </label>
        {state instanceof ApiError && <ProblemAlert error={state} />}
        <div class="sheet-actions">
          <button type="button" class="button secondary" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="submit" class={approve ? "button" : "button danger"} disabled={state === "busy"}>
            {state === "busy" ? t.loading : approve ? t.fund.approve : t.fund.reject}
          </button>
        </div>
      </form>
    </Sheet>
  );
}

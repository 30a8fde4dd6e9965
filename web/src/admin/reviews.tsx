/**
 * 待办 for approvers, finance and admins: the review items the anti-gaming detectors opened, each
 * with its explanation and the entries that raised it (each entry opens in a sheet), dismissed or
 * confirmed with a reason; and the awards exhausted budgets held, across every budget, released
 * or rejected. Who may decide is the API's to say (roles, never the person paid); its refusals
 * show in the reader's language.
 */
import { useState } from "preact/hooks";
import { type Answer, ApiError, newIdempotencyKey, request, usePaged, useResource } from "../api.ts";
import { amountWords, dateLabel, number, provenance, timeLabel } from "../format.ts";
import { Card, ErrorView, LoadMore, ProblemAlert, Segmented, Sheet, Skeleton, useApp } from "../ui.tsx";
import { adminWords } from "./words.ts";

type Item = Answer<"reviewItem">;
type HeldAward = Answer<"decideHeldAward">;
type Status = Item["status"];
type HeldStatus = HeldAward["status"];

const statuses: Status[] = ["open", "dismissed", "confirmed"];
const heldStatuses: HeldStatus[] = ["held", "posted", "rejected"];
const may = (roles: readonly string[], allowed: readonly string[]) => roles.some((r) => allowed.includes(r));
export const reviewers = ["approver", "admin"];
export const budgetDeciders = ["approver", "finance", "admin"];

const useWords = () => adminWords(useApp().lang);
const personName = (people: ReturnType<typeof useApp>["people"], id: string) => people?.find((p) => p.personId === id)?.name ?? id;

/** The to-do screen: each part for the roles that may act on it. */
export function TodoScreen() {
  const { session } = useApp();
  return (
    <>
      {may(session.roles, reviewers) && <ReviewList />}
      {may(session.roles, budgetDeciders) && <BudgetHeld />}
    </>
  );
}

function ReviewList() {
  const w = useWords();
  const { lang } = useApp();
  const [status, setStatus] = useState<Status>("open");
  const list = usePaged<Answer<"reviewItems">, Item>(`/admin/reviews?status=${status}&limit=20`, (page) => page.items);
  return (
    <Card title={w.reviewsTitle} hint={w.reviewsHint}>
      <Segmented legend={w.reviewsTitle} options={statuses} value={status} label={(s) => w.statuses[s]} onChange={setStatus} />
      {list.error ? (
        <ErrorView error={list.error} retry={list.reload} />
      ) : !list.items ? (
        <Skeleton lines={2} />
      ) : list.items.length === 0 ? (
        <p class="empty">{w.reviewsEmpty[status]}</p>
      ) : (
        <ul class="entries plain" data-testid="reviews">
          {list.items.map((item) => (
            <li key={item.flagId} class="entry">
              <a class="entry-row review-link" href={`#/reviews/${encodeURIComponent(item.flagId)}`}>
                <span class="entry-main">
                  <span class="entry-reason">{w.detectors[item.detector] ?? item.detector}</span>
                  <span class="entry-why">{item.explained[lang]}</span>
                  <time class="entry-time" dateTime={item.raisedAt}>
                    {dateLabel(lang, item.raisedAt)} {timeLabel(lang, item.raisedAt)}
                  </time>
                </span>
                <span aria-hidden="true">›</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {list.loadMore && <LoadMore busy={list.loadingMore} onMore={list.loadMore} />}
    </Card>
  );
}

/** One review item: why, from which entries, whom it holds and what it held; the decision. */
export function ReviewScreen({ flagId }: { flagId: string }) {
  const w = useWords();
  const { lang, people, session } = useApp();
  const item = useResource<Item>(`/admin/reviews/${encodeURIComponent(flagId)}`);
  const [deciding, setDeciding] = useState<"dismiss" | "confirm" | undefined>(undefined);
  if (item.error) return <ErrorView error={item.error} retry={item.reload} />;
  if (!item.data) return <Skeleton lines={5} />;
  const it = item.data;
  const own = it.people.includes(session.personId);
  return (
    <>
      <section class="card" aria-labelledby="review-title">
        <header class="card-head">
          <h2 id="review-title">{w.detectors[it.detector] ?? it.detector}</h2>
          <span class={`tag tag-status-${it.status === "confirmed" ? "rejected" : it.status === "open" ? "pending" : "paid"}`}>
            {w.statuses[it.status]}
          </span>
        </header>
        <p data-testid="explained">{it.explained[lang]}</p>
        <dl class="facts">
          <div class="fact">
            <dt>{w.people}</dt>
            <dd class="wrap">{it.people.map((p) => personName(people, p)).join("、")}</dd>
          </div>
          {Object.entries(it.figures).map(([name, value]) => (
            <div key={name} class="fact">
              <dt>{name}</dt>
              <dd>{number(lang, value)}</dd>
            </div>
          ))}
        </dl>
        {it.decision && (
          <p class="hint">
            {w.decided(w.statuses[it.status] ?? it.status, personName(people, it.decision.by), dateLabel(lang, it.decision.at))}
          </p>
        )}
        {it.decision && <p>{it.decision.reason}</p>}
      </section>
      <Evidence item={it} />
      <Card title={w.heldAwards}>{it.heldAwards?.length ? <HeldList awards={it.heldAwards} /> : <p class="empty">{w.noHeld}</p>}</Card>
      {it.status === "open" && (
        <div class="card">
          {own && <p class="notice">{w.own}</p>}
          <div class="row-actions">
            <button type="button" class="button secondary" onClick={() => setDeciding("dismiss")}>
              {w.dismiss}
            </button>
            <button type="button" class="button danger" onClick={() => setDeciding("confirm")}>
              {w.confirm}
            </button>
          </div>
        </div>
      )}
      {deciding && (
        <ReasonSheet
          title={deciding === "dismiss" ? w.dismissTitle : w.confirmTitle}
          words={deciding === "dismiss" ? w.dismissWords : w.confirmWords}
          action={deciding === "dismiss" ? w.dismiss : w.confirm}
          danger={deciding === "confirm"}
          send={(reason) =>
            request(`/admin/reviews/${encodeURIComponent(flagId)}/decision`, { method: "POST", body: { decision: deciding, reason } })
          }
          onClose={() => setDeciding(undefined)}
        />
      )}
    </>
  );
}

/** The ledger entries and events that raised the flag, ids shown because an auditor asks by them. */
function Evidence({ item }: { item: Item }) {
  const w = useWords();
  const [shown, setShown] = useState<string | undefined>(undefined);
  return (
    <Card title={w.evidence}>
      <details class="entry-details">
        <summary class="entry-row">{w.entries(item.entryIds.length)}</summary>
        <ul class="entry-ids" data-testid="evidence-entries">
          {item.entryIds.map((id) => (
            <li key={id}>
              <button type="button" class="entry-id-button" aria-label={w.openEntry(id)} onClick={() => setShown(id)}>
                {id}
              </button>
            </li>
          ))}
        </ul>
      </details>
      <details class="entry-details">
        <summary class="entry-row">{w.events(item.eventIds.length)}</summary>
        <ul class="entry-ids">
          {item.eventIds.map((id) => (
            <li key={id}>{item.sourceId ? `${item.sourceId} · ${id}` : id}</li>
          ))}
        </ul>
      </details>
      {shown && <EntrySheet entryId={shown} onClose={() => setShown(undefined)} />}
    </Card>
  );
}

/** One ledger entry of the evidence, as the API answers it by id: what moved, why, from which event, where in its chain. */
function EntrySheet({ entryId, onClose }: { entryId: string; onClose: () => void }) {
  const w = useWords();
  const { lang, t, people } = useApp();
  const read = useResource<Answer<"entry">>(`/ledger/entries/${encodeURIComponent(entryId)}`);
  const entry = read.data;
  const nameOf = (id: string) => people?.find((p) => p.personId === id)?.name;
  const holder = entry?.holder.replace(/^person:/, "");
  return (
    <Sheet title={w.entryTitle} onClose={onClose}>
      {read.error ? (
        <ProblemAlert error={read.error} />
      ) : !entry ? (
        <Skeleton lines={4} />
      ) : (
        <div data-testid="entry-sheet">
          <p class="entry-reason">{entry.explained?.[lang] ?? entry.reason}</p>
          <dl class="facts">
            <div class="fact">
              <dt>{w.entryHolder}</dt>
              <dd class="wrap">{holder && nameOf(holder) ? `${nameOf(holder)} (${holder})` : entry.holder}</dd>
            </div>
            <div class="fact">
              <dt>{w.entryAmount}</dt>
              <dd>{amountWords(lang, t, entry)}</dd>
            </div>
            <div class="fact">
              <dt>{w.entryRecorded}</dt>
              <dd>
                {dateLabel(lang, entry.recordedAt)} {timeLabel(lang, entry.recordedAt)}
              </dd>
            </div>
            <div class="fact">
              <dt>{w.entryPosition}</dt>
              <dd>{w.position(entry.seq, entry.chainLength)}</dd>
            </div>
            {entry.cause && (
              <div class="fact">
                <dt>{w.entryCause}</dt>
                <dd class="wrap event-ref">{entry.cause.code}</dd>
              </div>
            )}
          </dl>
          <ul class="entry-ids">
            {provenance(lang, t, entry, nameOf, undefined).map((line) => (
              <li key={line}>{line}</li>
            ))}
            {entry.reversedBy && <li>{w.reversedBy(entry.reversedBy)}</li>}
            <li class="event-ref">
              {entry.entryId} · {entry.hash.slice(0, 12)}
            </li>
          </ul>
        </div>
      )}
    </Sheet>
  );
}

function HeldList({ awards, decide }: { awards: readonly HeldAward[]; decide?: (award: HeldAward, release: boolean) => void }) {
  const w = useWords();
  const { lang, people, orgUnits } = useApp();
  const unitName = (id: string) => orgUnits?.find((u) => u.orgUnitId === id)?.name ?? id;
  return (
    <ul class="entries plain" data-testid="held-awards">
      {awards.map((a) => (
        <li key={`${a.personId}/${a.sourceId}/${a.eventId}`} class="entry">
          <span class="entry-row">
            <span class="entry-main">
              <span class="entry-reason">
                <span class={`tag tag-status-${a.status === "held" ? "pending" : a.status === "posted" ? "paid" : "rejected"}`}>
                  {w.heldStatus[a.status]}
                </span>
                {personName(people, a.personId)}
              </span>
              <span class="entry-why event-ref">
                {a.sourceId} · {a.eventId}
              </span>
              {a.budget && <span class="entry-why">{w.budgetOf(unitName(a.budget.orgUnitId), a.budget.period)}</span>}
              {a.share && <span class="entry-why">{w.teamShare(a.share.members.length)}</span>}
              <time class="entry-time" dateTime={a.time}>
                {dateLabel(lang, a.time)} {timeLabel(lang, a.time)}
              </time>
              {a.settled && <span class="entry-why">{a.settled.reason}</span>}
            </span>
          </span>
          {decide && a.status === "held" && (
            <div class="row-actions">
              <button type="button" class="button secondary small" onClick={() => decide(a, false)}>
                {w.reject}
              </button>
              <button type="button" class="button small" onClick={() => decide(a, true)}>
                {w.release}
              </button>
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * Held awards of every budget, without choosing a unit or period (approvers cannot list budgets):
 * those waiting oldest first, each released or rejected here; those decided, newest first.
 */
function BudgetHeld() {
  const w = useWords();
  const [status, setStatus] = useState<HeldStatus>("held");
  const held = usePaged<Answer<"heldAwards">, HeldAward>(`/budgets/held-awards?status=${status}&limit=20`, (page) => page.heldAwards);
  const [deciding, setDeciding] = useState<{ award: HeldAward; release: boolean } | undefined>(undefined);
  return (
    <Card title={w.budgetTitle} hint={w.budgetHint}>
      <Segmented legend={w.budgetTitle} options={heldStatuses} value={status} label={(s) => w.heldStatus[s]} onChange={setStatus} />
      {held.error ? (
        <ErrorView error={held.error} retry={held.reload} />
      ) : !held.items ? (
        <Skeleton lines={2} />
      ) : held.items.length === 0 ? (
        <p class="empty">{w.budgetEmpty[status]}</p>
      ) : (
        <HeldList awards={held.items} decide={(award, release) => setDeciding({ award, release })} />
      )}
      {held.loadMore && <LoadMore busy={held.loadingMore} onMore={held.loadMore} />}
      {deciding && (
        <ReasonSheet
          title={deciding.release ? w.releaseTitle : w.rejectTitle}
          words={deciding.release ? w.releaseWords : ""}
          action={deciding.release ? w.release : w.reject}
          danger={!deciding.release}
          send={(reason) => {
            const { personId, sourceId, eventId } = deciding.award;
            return request("/budgets/held-awards/decision", {
              method: "POST",
              headers: { "idempotency-key": newIdempotencyKey() },
              body: { personId, sourceId, eventId, decision: deciding.release ? "release" : "reject", reason },
            });
          }}
          onClose={() => setDeciding(undefined)}
        />
      )}
    </Card>
  );
}

/** A decision with its reason, which the audit trail keeps; the API's refusal stays on the sheet. */
function ReasonSheet(props: {
  title: string;
  words: string;
  action: string;
  danger: boolean;
  send: (reason: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const w = useWords();
  const { t } = useApp();
  const [state, setState] = useState<"asking" | "busy" | ApiError>("asking");
  const submit = async (reason: string) => {
    setState("busy");
    try {
      await props.send(reason);
      props.onClose();
    } catch (e) {
      setState(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    }
  };
  return (
    <Sheet title={props.title} onClose={props.onClose}>
      {props.words && <p>{props.words}</p>}
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(String(new FormData(e.currentTarget).get("reason") ?? ""));
        }}
      >
        <label class="field">
          <span>{w.reason}</span>
          <textarea name="reason" required maxLength={500} rows={3} data-autofocus />
        </label>
        {state instanceof ApiError && <ProblemAlert error={state} />}
        <div class="sheet-actions">
          <button type="button" class="button secondary" onClick={props.onClose}>
            {t.cancel}
          </button>
          <button type="submit" class={props.danger ? "button danger" : "button"} disabled={state === "busy"}>
            {state === "busy" ? t.loading : props.action}
          </button>
        </div>
      </form>
    </Sheet>
  );
}

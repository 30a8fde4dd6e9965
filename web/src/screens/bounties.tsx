/**
 * 揭榜 bounties: the board (open, mine, done), a bounty's teams and history, and what the signed-in
 * person may do with it: a lead takes it on with their people (shares split evenly), the team
 * delivers, the poster accepts or rejects. Its words live here, Chinese first, to keep the page's
 * other files as they are.
 */
import { useState } from "preact/hooks";
import { type Answer, ApiError, type OrgUnit, request, useResource } from "../api.ts";
import { dateLabel, money, number } from "../format.ts";
import { capabilityName, type Lang } from "../i18n.ts";
import { Card, ErrorView, Segmented, Skeleton, useApp } from "../ui.tsx";
import { ledUnits } from "./team.tsx";

type Bounty = Answer<"bounty">["bounty"];
type Team = Bounty["teams"][number];

const words = {
  zh: {
    tab: "揭榜",
    views: { open: "开放中", mine: "我的", done: "已结束", winners: "揭榜榜" },
    won: (n: number) => `揭榜 ${n} 次`,
    empty: "这里还没有榜单。",
    deadline: "截止",
    teams: (n: number, max: number) => `${n} / ${max} 支队伍`,
    status: {
      open: "开放",
      done: "已揭榜",
      expired: "已过期",
      working: "攻关中",
      delivered: "待验收",
      accepted: "已通过",
      rejected: "已退回",
      closed: "已关闭",
    },
    take: "揭榜",
    takeHint: "从你带领的团队中选择成员，署名份额平均分配。",
    deliver: "提交成果",
    link: "成果链接",
    note: "说明",
    accept: "验收通过",
    reject: "退回",
    reason: "理由",
    send: "提交",
    sent: "已提交",
  },
  en: {
    tab: "Bounties",
    views: { open: "Open", mine: "Mine", done: "Done", winners: "Winners" },
    won: (n: number) => `${n} won`,
    empty: "No bounties here yet.",
    deadline: "Deadline",
    teams: (n: number, max: number) => `${n} / ${max} teams`,
    status: {
      open: "Open",
      done: "Won",
      expired: "Expired",
      working: "Working",
      delivered: "Delivered",
      accepted: "Accepted",
      rejected: "Rejected",
      closed: "Closed",
    },
    take: "Take it on",
    takeHint: "Pick members of the teams you lead; authorship shares are split evenly.",
    deliver: "Hand in",
    link: "Link to the work",
    note: "Note",
    accept: "Accept",
    reject: "Reject",
    reason: "Reason",
    send: "Send",
    sent: "Sent",
  },
};

export const bountiesLabel = (lang: Lang) => words[lang].tab;

/** A flag on a pole: the bounty posted for all to see (揭榜挂帅). */
export const BountyIcon = () => (
  <svg width={22} height={22} viewBox="0 0 24 24" aria-hidden="true" class="icon">
    <path
      d="M5 21V4m0 1h12l-3 4 3 4H5"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
    />
  </svg>
);

/** The screen's forms stack their fields; the page's stylesheet stays as it is. */
const form = { display: "grid", gap: "8px", marginTop: "8px" };

const newKey = () => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export function BountiesScreen() {
  const { lang } = useApp();
  const w = words[lang];
  const [view, setView] = useState<"open" | "mine" | "done" | "winners">("open");
  const board = useResource<{ bounties: Bounty[] }>(view === "winners" ? undefined : `/bounties?view=${view}`);
  return (
    <>
      <Segmented
        legend={w.tab}
        options={["open", "mine", "done", "winners"] as const}
        value={view}
        label={(v) => w.views[v]}
        onChange={setView}
      />
      {view === "winners" ? (
        <Winners />
      ) : board.error ? (
        <ErrorView error={board.error} retry={board.reload} />
      ) : !board.data ? (
        <Skeleton lines={4} />
      ) : board.data.bounties.length === 0 ? (
        <p class="card empty">{w.empty}</p>
      ) : (
        board.data.bounties.map((b) => <BountyCard key={b.bountyId} bounty={b} changed={board.reload} />)
      )}
    </>
  );
}

/** Bounties won, per author, ranked 1, 1, 3. */
function Winners() {
  const { lang } = useApp();
  const w = words[lang];
  const board = useResource<Answer<"bountyWinners">>("/leaderboards/bounties?by=person");
  if (board.error) return <ErrorView error={board.error} retry={board.reload} />;
  if (!board.data) return <Skeleton lines={4} />;
  if (board.data.rows.length === 0) return <p class="card empty">{w.empty}</p>;
  return (
    <Card title={w.views.winners}>
      <ol class="entries plain">
        {board.data.rows.map((row) => (
          <li key={row.id} class="entry">
            <p class="entry-reason">
              <span class="tag">{row.rank}</span>
              {row.name ?? row.id} · {w.won(row.score)}
            </p>
          </li>
        ))}
      </ol>
    </Card>
  );
}

function BountyCard({ bounty, changed }: { bounty: Bounty; changed: () => void }) {
  const { lang, t, session, orgUnits } = useApp();
  const w = words[lang];
  const mine = bounty.teams.find((team) => team.lead === session.personId || team.members.some((m) => m.personId === session.personId));
  const isLead = orgUnits ? ledUnits(orgUnits, session.personId).length > 0 : false;
  const canTake =
    bounty.status === "open" && isLead && !mine && bounty.poster !== session.personId && bounty.teams.length < bounty.maxTeams;
  const reward = [
    bounty.reward.coins ? `${number(lang, bounty.reward.coins)} ${t.coinsShort}` : "",
    bounty.reward.points ? `${number(lang, bounty.reward.points)} ${t.points}` : "",
    bounty.funding ? money(lang, bounty.funding.amount, bounty.funding.currency) : "",
  ].filter(Boolean);
  return (
    <Card title={bounty.title[lang] ?? bounty.title.zh}>
      <p class="entry-reason">
        <span class={`tag tag-status-${bounty.status}`}>{w.status[bounty.status]}</span>
        {capabilityName(lang, bounty.capability as never)} · {reward.join(" · ")}
      </p>
      <p class="hint">{bounty.description[lang] ?? bounty.description.zh}</p>
      <p class="hint">
        {w.deadline} {dateLabel(lang, bounty.deadline)} · {w.teams(bounty.teams.length, bounty.maxTeams)}
      </p>
      {bounty.teams.map((team) => (
        <div key={team.teamId} class="entry">
          <p class="entry-reason">
            <span class={`tag tag-status-${team.status}`}>{w.status[team.status]}</span>
            {team.members.map((m) => `${m.name} ${m.share}%`).join("、")}
          </p>
          {team.delivery && (
            <p class="hint">
              <a href={team.delivery.link} rel="noopener noreferrer" target="_blank">
                {team.delivery.note}
              </a>
            </p>
          )}
          {team.status === "delivered" && bounty.poster === session.personId && <Judge bounty={bounty} team={team} changed={changed} />}
          {(team.status === "working" || team.status === "rejected") && team === mine && bounty.status === "open" && (
            <Deliver bounty={bounty} team={team} changed={changed} />
          )}
        </div>
      ))}
      {canTake && <Take bounty={bounty} changed={changed} />}
    </Card>
  );
}

/** Sends one write with its own Idempotency-Key; shows the API's refusal in its own words. */
function useSend(changed: () => void) {
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const send = async (path: string, body: unknown) => {
    setBusy(true);
    setError(undefined);
    try {
      await request(path, { method: "POST", body, headers: { "idempotency-key": newKey() } });
      changed();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "error", String(e)));
    } finally {
      setBusy(false);
    }
  };
  return { send, busy, error };
}

function Deliver({ bounty, team, changed }: { bounty: Bounty; team: Team; changed: () => void }) {
  const w = words[useApp().lang];
  const { send, busy, error } = useSend(changed);
  const [link, setLink] = useState("");
  const [note, setNote] = useState("");
  return (
    <form
      class="form"
      style={form}
      onSubmit={(e) => {
        e.preventDefault();
        send(`/bounties/${bounty.bountyId}/teams/${team.teamId}/deliveries`, { link, note });
      }}
    >
      <input type="url" required placeholder={w.link} value={link} onInput={(e) => setLink(e.currentTarget.value)} />
      <input required placeholder={w.note} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <button type="submit" class="button" disabled={busy}>
        {w.deliver}
      </button>
      {error && <ErrorView error={error} />}
    </form>
  );
}

function Judge({ bounty, team, changed }: { bounty: Bounty; team: Team; changed: () => void }) {
  const w = words[useApp().lang];
  const { send, busy, error } = useSend(changed);
  const [reason, setReason] = useState("");
  const judge = (decision: "accept" | "reject") =>
    reason.trim() && send(`/bounties/${bounty.bountyId}/teams/${team.teamId}/judgements`, { decision, reason });
  return (
    <div class="form" style={form}>
      <input required placeholder={w.reason} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <button type="button" class="button" disabled={busy} onClick={() => judge("accept")}>
        {w.accept}
      </button>
      <button type="button" class="button secondary" disabled={busy} onClick={() => judge("reject")}>
        {w.reject}
      </button>
      {error && <ErrorView error={error} />}
    </div>
  );
}

function Take({ bounty, changed }: { bounty: Bounty; changed: () => void }) {
  const { lang, session, orgUnits } = useApp();
  const w = words[lang];
  const { send, busy, error } = useSend(changed);
  const top = ledUnits(orgUnits ?? [], session.personId).find((u, _, all) => !all.some((o) => o.orgUnitId === u.parentId)) as OrgUnit;
  const people = useResource<Answer<"orgUnitPeople">>(`/org-units/${encodeURIComponent(top.orgUnitId)}/people`);
  const [picked, setPicked] = useState<string[]>([]);
  const shares = (ids: string[]) =>
    ids.map((personId, i) => ({ personId, share: Math.floor(100 / ids.length) + (i < 100 % ids.length ? 1 : 0) }));
  return (
    <form
      class="form"
      style={form}
      onSubmit={(e) => {
        e.preventDefault();
        if (picked.length) send(`/bounties/${bounty.bountyId}/teams`, { members: shares(picked) });
      }}
    >
      <p class="hint">{w.takeHint}</p>
      {(people.data?.people ?? [])
        .filter((p) => p.personId !== bounty.poster)
        .map((p) => (
          <label key={p.personId} class="check">
            <input
              type="checkbox"
              checked={picked.includes(p.personId)}
              onChange={(e) => setPicked(e.currentTarget.checked ? [...picked, p.personId] : picked.filter((id) => id !== p.personId))}
            />
            {p.name}
          </label>
        ))}
      <button type="submit" class="button" disabled={busy || picked.length === 0}>
        {w.take}
      </button>
      {error && <ErrorView error={error} />}
    </form>
  );
}

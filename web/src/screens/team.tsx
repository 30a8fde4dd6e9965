/**
 * 我的团队 team, for leads (inside 我的): the members of the units they lead and below, in one
 * request (GET /org-units/{id}/team), in the org tree's order or sorted by points or by how close
 * each is to their promotion gate.
 */
import { useState } from "preact/hooks";
import { type Answer, type ApiError, type OrgUnit, useResource } from "../api.ts";
import { number } from "../format.ts";
import { ErrorView, Segmented, Skeleton, useApp } from "../ui.tsx";

/** The units a person leads, with every unit below them. */
export function ledUnits(units: readonly OrgUnit[], personId: string): OrgUnit[] {
  const led = new Set(units.filter((u) => u.leadId === personId).map((u) => u.orgUnitId));
  let grew = true;
  while (grew) {
    grew = false;
    for (const unit of units)
      if (unit.parentId && led.has(unit.parentId) && !led.has(unit.orgUnitId)) {
        led.add(unit.orgUnitId);
        grew = true;
      }
  }
  return units.filter((u) => led.has(u.orgUnitId));
}

type Team = Answer<"team">;
export type Member = Team["members"][number];

/** The topmost unit the signed-in person leads, and its team (one request). */
export function useTeam(): { people?: Member[]; units?: Team["units"]; error?: ApiError; leads: boolean } {
  const { session, orgUnits } = useApp();
  const units = ledUnits(orgUnits ?? [], session.personId);
  const top = units.find((u) => !units.some((other) => other.orgUnitId === u.parentId));
  const team = useResource<Team>(top ? `/org-units/${encodeURIComponent(top.orgUnitId)}/team` : undefined);
  return {
    leads: top !== undefined,
    ...(team.data ? { people: team.data.members, units: team.data.units } : {}),
    ...(team.error ? { error: team.error } : {}),
  };
}

type Order = "tree" | "points" | "gap";

const gapOf = (m: Member) => (m.gate ? m.gate.total - m.gate.met : Number.POSITIVE_INFINITY);

export function TeamScreen() {
  const { t } = useApp();
  const team = useTeam();
  const [order, setOrder] = useState<Order>("tree");
  if (!team.leads) return <p class="card empty">{t.notLead}</p>;
  if (team.error) return <ErrorView error={team.error} />;
  if (!team.people || !team.units) return <Skeleton lines={5} />;
  if (team.people.length === 0) return <p class="card empty">{t.teamEmpty}</p>;
  const people = team.people;
  const sorted = order === "points" ? [...people].sort((a, b) => b.points - a.points) : [...people].sort((a, b) => gapOf(a) - gapOf(b));
  return (
    <>
      <p class="screen-hint">{t.teamHint}</p>
      <Segmented
        legend={t.team.sortBy}
        options={["tree", "points", "gap"] as const}
        value={order}
        label={(o) => t.team.orders[o]}
        onChange={setOrder}
      />
      {order === "tree" ? (
        team.units
          .map((unit) => ({ unit, members: people.filter((p) => p.orgUnitId === unit.orgUnitId) }))
          .filter((s) => s.members.length > 0)
          .map(({ unit, members }) => (
            <section key={unit.orgUnitId} class="card" aria-label={unit.name}>
              <header class="card-head">
                <h2>{unit.name}</h2>
              </header>
              <ul class="members">
                {members.map((m) => (
                  <MemberRow key={m.personId} member={m} />
                ))}
              </ul>
            </section>
          ))
      ) : (
        <section class="card">
          <ul class="members">
            {sorted.map((m) => (
              <MemberRow key={m.personId} member={m} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function MemberRow({ member: m }: { member: Member }) {
  const { t, lang } = useApp();
  return (
    <li>
      <a class="member" href={`#/people/${encodeURIComponent(m.personId)}`}>
        <span class="avatar" aria-hidden="true">
          {m.name.slice(0, 1)}
        </span>
        <span class="member-who">
          <span class="member-name">{m.name}</span>
          <span class="member-sub">
            {m.isLead ? `${t.leads} · ` : ""}
            {m.gate ? (m.gate.eligible ? t.team.eligible : t.team.missing(m.gate.total - m.gate.met)) : (t.tiers[m.tier] ?? m.tier)}
          </span>
        </span>
        <span class="member-figures">
          <span>
            <b>{number(lang, m.coins)}</b> {t.coinsShort}
          </span>
          <span>
            <b>{number(lang, m.points)}</b> {t.points}
          </span>
        </span>
      </a>
    </li>
  );
}

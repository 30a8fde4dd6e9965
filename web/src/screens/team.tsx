/** 团队 team: for team leads, the members of the units they lead (and below), each with their balances. */
import { type Balances, type OrgUnit, useResource } from "../api.ts";
import { number } from "../format.ts";
import { Card, ErrorView, Skeleton, useApp } from "../ui.tsx";

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

export function TeamScreen() {
  const { t, session, orgUnits } = useApp();
  if (!orgUnits) return null;
  const units = ledUnits(orgUnits, session.personId);
  if (units.length === 0) return <p class="card empty">{t.notLead}</p>;
  return <Members units={units} />;
}

/** The members of the led units, from the topmost led unit's people (which covers those below). */
function Members({ units }: { units: readonly OrgUnit[] }) {
  const { t, session } = useApp();
  const top = units.find((u) => !units.some((other) => other.orgUnitId === u.parentId)) as OrgUnit;
  const everyone = useResource<{ people: Person[] }>(`/org-units/${encodeURIComponent(top.orgUnitId)}/people`);
  if (everyone.error) return <ErrorView error={everyone.error} />;
  if (!everyone.data) return <Skeleton />;
  const people = everyone.data.people;
  const sections = units
    .map((unit) => ({ unit, members: people.filter((p) => p.orgUnitId === unit.orgUnitId && p.personId !== session.personId) }))
    .filter((s) => s.members.length > 0);
  if (sections.length === 0) return <p class="card empty">{t.teamEmpty}</p>;
  return (
    <>
      <p class="screen-hint">{t.teamHint}</p>
      {sections.map(({ unit, members }) => (
        <Card key={unit.orgUnitId} title={unit.name}>
          <ul class="members">
            {members.map((m) => (
              <Member key={m.personId} person={m} />
            ))}
          </ul>
        </Card>
      ))}
    </>
  );
}

interface Person {
  personId: string;
  name: string;
  tier: string;
  orgUnitId: string;
}

function Member({ person }: { person: Person }) {
  const { t, lang } = useApp();
  const balances = useResource<Balances>(`/people/${encodeURIComponent(person.personId)}/balances`);
  return (
    <li>
      <a class="member" href={`#/people/${encodeURIComponent(person.personId)}`} aria-label={t.viewMember(person.name)}>
        <span class="avatar" aria-hidden="true">
          {person.name.slice(0, 1)}
        </span>
        <span class="member-who">
          <span class="member-name">{person.name}</span>
          <span class="member-sub">{t.tiers[person.tier] ?? person.tier}</span>
        </span>
        {balances.error ? (
          <span class="member-error">{balances.error.message || t.error}</span>
        ) : balances.data ? (
          <span class="member-figures">
            <span>
              <b>{number(lang, balances.data.coins)}</b> {t.coinsShort}
            </span>
            <span>
              <b>{number(lang, balances.data.points.total)}</b> {t.points}
            </span>
          </span>
        ) : (
          <span class="sk sk-inline" aria-busy="true" />
        )}
      </a>
    </li>
  );
}

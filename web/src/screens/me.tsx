/** 我的 me: coins, points, the capability radar and the badges wall; also a team member's, read only. */
import { useEffect, useState } from "preact/hooks";
import { type Answer, type BadgeView, type Balances, type Credential, type Criterion, type Resource, useResource } from "../api.ts";
import { badgeName, dateLabel, number } from "../format.ts";
import { capabilityName, type Dict, type Lang } from "../i18n.ts";
import { Card, ErrorView, Icon, Medal, Radar, Skeleton, useApp } from "../ui.tsx";
import { Celebration, PointsChart, ShareCard } from "./extras.tsx";
import { Bar, ProgressCard } from "./progress.tsx";
import { ledUnits } from "./team.tsx";

/** Who has a 待办: approvers decide review items and held awards, finance held awards, admins both. */
const decides = (roles: readonly string[]) => roles.some((r) => r === "approver" || r === "finance" || r === "admin");

export const badgeHref = (personId: string, own: boolean, badgeId: string) =>
  own ? `#/badges/${encodeURIComponent(badgeId)}` : `#/people/${encodeURIComponent(personId)}/badges/${encodeURIComponent(badgeId)}`;

/**
 * False on the first render, true after it is painted (preact runs effects after the paint): the
 * coins and points show before the radar, chart and badges are laid out, which on a slow phone
 * takes as long again.
 */
function usePainted(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => setPainted(true), []);
  return painted;
}

export function MeScreen({ personId }: { personId: string }) {
  const { t, lang, session, orgUnits } = useApp();
  const painted = usePainted();
  const own = personId === session.personId;
  const leads = ledUnits(orgUnits ?? [], session.personId).length > 0;
  const balances = useResource<Balances>(`/people/${encodeURIComponent(personId)}/balances`);
  const badges = useResource<{ badges: BadgeView[] }>("/badges");
  if (balances.error) return <ErrorView error={balances.error} retry={balances.reload} />;
  if (!balances.data)
    return (
      <>
        <div class="hero hero-skeleton" aria-busy="true">
          <span class="sr-only">{t.loading}</span>
        </div>
        <Skeleton tall lines={1} />
        <Skeleton lines={3} />
      </>
    );
  const b = balances.data;
  return (
    <>
      <section class="hero" aria-label={b.name}>
        <div class="hero-who">
          <span class="avatar avatar-large" aria-hidden="true">
            {b.name.slice(0, 1)}
          </span>
          <div>
            <h2 class="hero-name">{b.name}</h2>
            <p class="hero-sub">{own ? personId : t.readOnly}</p>
          </div>
        </div>
        <div class="hero-figures">
          <div class="figure">
            <span class="figure-label">{t.coins}</span>
            <span class="figure-value" data-testid="coins">
              {number(lang, b.coins)}
            </span>
            <span class="figure-hint">{t.coinsHint}</span>
          </div>
          <div class="figure">
            <span class="figure-label">{t.pointsTotal}</span>
            <span class="figure-value" data-testid="points">
              {number(lang, b.points.total)}
            </span>
            <span class="figure-hint">{t.pointsHint}</span>
          </div>
        </div>
      </section>
      {painted && <MeCards personId={personId} balances={b} own={own} leads={leads} badges={badges} />}
    </>
  );
}

function MeCards({
  personId,
  balances: b,
  own,
  leads,
  badges,
}: {
  personId: string;
  balances: Balances;
  own: boolean;
  leads: boolean;
  badges: Resource<{ badges: BadgeView[] }>;
}) {
  const { t, lang, session } = useApp();
  return (
    <>
      {own && <ProgressCard tier={b.tier} />}
      {own && decides(session.roles) && (
        <a class="card team-link" href="#/todo" data-testid="todo-link">
          <span>
            {t.todo}
            <span class="hint">{t.todoHint}</span>
          </span>
          <span aria-hidden="true">›</span>
        </a>
      )}
      {own && leads && (
        <a class="card team-link" href="#/team">
          <span>{t.team.open}</span>
          <span aria-hidden="true">›</span>
        </a>
      )}
      <Card title={t.radarTitle} hint={t.radarHint}>
        <Radar byCapability={b.points.byCapability} lang={lang} />
      </Card>
      <PointsChart personId={personId} />
      {own && badges.data && <Celebration balances={b} badges={badges.data.badges} />}
      {badges.error ? (
        <ErrorView error={badges.error} retry={badges.reload} />
      ) : !badges.data ? (
        <Skeleton lines={3} />
      ) : (
        <BadgeWall badges={badges.data.badges} balances={b} own={own} />
      )}
    </>
  );
}

function BadgeWall({ badges, balances, own }: { badges: BadgeView[]; balances: Balances; own: boolean }) {
  const { t, lang } = useApp();
  const ruleName = useRuleNames();
  const heldOf = (id: string) => balances.badges.find((h) => h.badgeId === id)?.levels ?? [];
  const total = badges.reduce((n, b) => n + b.definition.levels.length, 0);
  const held = badges.reduce((n, b) => n + heldOf(b.id).length, 0);
  return (
    <Card title={t.badgesTitle} hint={t.badgesHeld(held, total)}>
      {badges.length === 0 && <p class="empty">{t.noBadges}</p>}
      <ul class="badge-wall">
        {badges.map((badge) => {
          const levels = heldOf(badge.id);
          const top = Math.max(0, ...levels);
          const next = badge.definition.levels.find((l) => !levels.includes(l.level));
          const toward = next?.criteria.find((c) => c.kind === "points");
          return (
            <li key={badge.id}>
              <a class={`badge-tile${top ? "" : " is-locked"}`} href={badgeHref(balances.personId, own, badge.id)}>
                <Medal level={top || 1} held={top > 0} />
                <span class="badge-name">{badge.definition.name[lang]}</span>
                <span class="badge-levels" role="img" aria-label={top ? t.level(top) : t.locked}>
                  {badge.definition.levels.map((l) => (
                    <span key={l.level} class={levels.includes(l.level) ? "dot on" : "dot"} />
                  ))}
                </span>
                {toward && (
                  <Bar
                    current={toward.capability ? (balances.points.byCapability[toward.capability] ?? 0) : balances.points.total}
                    target={toward.atLeast}
                    label={t.nextLevel}
                    labelShown={false}
                  />
                )}
                <span class="badge-next">
                  {next
                    ? `${t.nextLevel} · ${criteriaWords(lang, t, next.criteria, ruleName).join(lang === "zh" ? "，" : ", ")}`
                    : t.allLevelsHeld}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

/** Rule names by id (GET /rules), so that criteria name rules as people know them. */
export function useRuleNames(): (ruleId: string) => string {
  const { lang } = useApp();
  const rules = useResource<Answer<"rules">>("/rules");
  return (ruleId) => rules.data?.rules.find((r) => r.ruleId === ruleId)?.name[lang] ?? ruleId;
}

export function criteriaWords(lang: Lang, t: Dict, criteria: readonly Criterion[], ruleName: (ruleId: string) => string): string[] {
  return criteria.map((c) =>
    c.kind === "ruleCount"
      ? t.criterionRule(ruleName(c.ruleId), c.atLeast)
      : c.capability
        ? t.criterionPoints(capabilityName(lang, c.capability), c.atLeast)
        : t.criterionAllPoints(c.atLeast),
  );
}

/** A badge with every level: held ones in colour with the day they were earned, locked ones with how to earn them. */
export function BadgeScreen({ personId, badgeId }: { personId: string; badgeId: string }) {
  const { t, lang } = useApp();
  const ruleName = useRuleNames();
  const person = encodeURIComponent(personId);
  const balances = useResource<Balances>(`/people/${person}/balances`);
  const badges = useResource<{ badges: BadgeView[] }>("/badges");
  const credentials = useResource<{ credentials: Credential[] }>(`/people/${person}/badges/credentials`);
  const error = balances.error ?? badges.error;
  if (error)
    return (
      <ErrorView
        error={error}
        retry={() => {
          balances.reload();
          badges.reload();
        }}
      />
    );
  if (!balances.data || !badges.data) return <Skeleton tall lines={4} />;
  const badge = badges.data.badges.find((b) => b.id === badgeId);
  if (!badge) return <p class="card empty">{t.notFound}</p>;
  const held = balances.data.badges.find((b) => b.badgeId === badgeId)?.levels ?? [];
  const credentialOf = (level: number) =>
    credentials.data?.credentials.find(
      (c) => c.credential.credentialSubject.achievement.id === `urn:laurel:badge:${badgeId}:${level}` && !c.revokedAt,
    );
  const top = Math.max(0, ...held);
  const pointsOf = (capability?: string) =>
    capability ? (balances.data?.points.byCapability[capability] ?? 0) : (balances.data?.points.total ?? 0);
  return (
    <>
      <section class="card badge-head">
        <Medal level={top || 1} held={top > 0} size={88} />
        <div>
          <h2>{badge.definition.name[lang]}</h2>
          <p class="hint">{badge.definition.description[lang]}</p>
          <p class="chip">
            {t.capability} · {capabilityName(lang, badge.definition.capability)}
          </p>
          {top > 0 && (
            <ShareCard personName={balances.data.name} badgeLabel={badgeName(lang, badges.data.badges, badgeId, top)} level={top} />
          )}
        </div>
      </section>
      <ol class="levels">
        {badge.definition.levels.map((level) => {
          const isHeld = held.includes(level.level);
          const credential = isHeld ? credentialOf(level.level) : undefined;
          const at = credential?.credential.validFrom;
          return (
            <li key={level.level} class={`card level${isHeld ? " is-held" : " is-locked"}`}>
              <Medal level={level.level} held={isHeld} size={44} />
              <div class="level-body">
                <h3>
                  {t.level(level.level)} · {level.name[lang]}
                </h3>
                <p class={isHeld ? "status held" : "status"}>{isHeld ? (at ? t.earnedOn(dateLabel(lang, at)) : t.held) : t.locked}</p>
                {credential && (
                  <a class="credential" href={`data:application/vc+jwt,${credential.jwt}`} download={`${badgeId}-${level.level}.jwt`}>
                    {t.verifiableCredential}
                  </a>
                )}
                <p class="hint">{t.howToEarn}</p>
                <ul class="criteria">
                  {level.criteria.map((c, i) => {
                    const words = criteriaWords(lang, t, [c], ruleName)[0];
                    const current = c.kind === "points" ? pointsOf(c.capability) : undefined;
                    return (
                      <li key={i}>
                        <span>{words}</span>
                        {current !== undefined && !isHeld && (
                          <Bar current={current} target={c.atLeast} label={words ?? ""} labelShown={false} />
                        )}
                      </li>
                    );
                  })}
                </ul>
                {level.grants && (
                  <p class="grants">
                    {t.grants}:{" "}
                    {[
                      level.grants.coins ? `+${number(lang, level.grants.coins)} ${t.coinsShort}` : "",
                      level.grants.points
                        ? `+${number(lang, level.grants.points.amount)} ${t.points} · ${capabilityName(lang, level.grants.points.capability)}`
                        : "",
                    ]
                      .filter(Boolean)
                      .join(" ")}
                  </p>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </>
  );
}

export function BackLink({ href }: { href: string }) {
  const { t } = useApp();
  return (
    <a class="back" href={href}>
      <Icon name="back" size={18} />
      {t.back}
    </a>
  );
}

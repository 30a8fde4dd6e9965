/** The managers' page: sign-in, then the screens under a bottom tab bar, routed by the URL's hash. */
import { type ComponentChild, render } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import {
  type Balances,
  configureApi,
  type DemoPerson,
  type GateRef,
  hasRoute,
  loadConfig,
  type OrgUnit,
  request,
  useResource,
} from "./api.ts";
import {
  completeCognitoSignIn,
  forgetToken,
  isExpired,
  keepToken,
  type PageConfig,
  type Session,
  savedSession,
  sessionOf,
  signOut,
} from "./auth.ts";
import { dictionaries, initialLang, type Lang, saveLang } from "./i18n.ts";
import { BountiesScreen, BountyIcon, bountiesLabel } from "./screens/bounties.tsx";
import { FundScreen, RewardsScreen } from "./screens/fund.tsx";
import { HistoryScreen } from "./screens/history.tsx";
import { BackLink, BadgeScreen, MeScreen } from "./screens/me.tsx";
import { ProgressScreen } from "./screens/progress.tsx";
import { RankScreen } from "./screens/rank.tsx";
import { SignInScreen } from "./screens/sign-in.tsx";
import { ledUnits, TeamScreen } from "./screens/team.tsx";
import { App, type AppContext, ErrorView, Icon, Skeleton, useApp } from "./ui.tsx";

type Tab = "me" | "history" | "progress" | "rank" | "fund" | "team" | "rewards" | "bounties";

type Route = { screen: Tab } | { screen: "badge"; badgeId: string; personId?: string } | { screen: "person"; personId: string };

function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [first, second, third, fourth] = parts;
  if (first === "badges" && second) return { screen: "badge", badgeId: second };
  if (first === "people" && second && third === "badges" && fourth) return { screen: "badge", badgeId: fourth, personId: second };
  if (first === "people" && second) return { screen: "person", personId: second };
  const tabs: Tab[] = ["me", "history", "progress", "rank", "fund", "team", "rewards", "bounties"];
  return { screen: tabs.includes(first as Tab) ? (first as Tab) : "me" };
}

function useHash(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => {
      setHash(location.hash);
      window.scrollTo(0, 0);
    };
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    addEventListener("online", on);
    addEventListener("offline", off);
    return () => {
      removeEventListener("online", on);
      removeEventListener("offline", off);
    };
  }, []);
  return online;
}

/** The gate of the person's own tier: the next step of their career. */
function ProgressTab() {
  const { session, gates } = useApp();
  const me = useResource<Balances>(`/people/${encodeURIComponent(session.personId)}/balances`);
  if (me.error) return <ErrorView error={me.error} />;
  if (!me.data || !gates) return <Skeleton />;
  const tier = me.data.tier;
  return <ProgressScreen gate={gates.find((g) => g.tier === tier)} />;
}

/** Screens whose API routes are being built: a clear "coming soon", never made-up data. */
function ComingSoon({ tab }: { tab: "progress" | "rank" | "fund" | "rewards" }) {
  const { t } = useApp();
  return (
    <section class="card soon" data-testid="coming-soon">
      <span class="soon-icon" aria-hidden="true">
        <Icon name={tab} size={40} />
      </span>
      <h2>{t.comingSoon}</h2>
      <p class="hint">{t.soon[tab]}</p>
    </section>
  );
}

function Shell({ ctx, onLang, onSignOut }: { ctx: AppContext; onLang: () => void; onSignOut: () => void }) {
  const { t } = ctx;
  const route = useHash();
  const online = useOnline();
  const isLead = ctx.orgUnits ? ledUnits(ctx.orgUnits, ctx.session.personId).length > 0 : false;
  const tabs: Tab[] = [
    "me",
    "history",
    "progress",
    "rank",
    "fund",
    ...(isLead ? (["team"] as const) : []),
    "rewards",
    ...(hasRoute("GET /bounties") ? (["bounties"] as const) : []),
  ];
  const label = (tab: Tab) => (tab === "bounties" ? bountiesLabel(ctx.lang) : t.tabs[tab]);
  const active: Tab = route.screen === "person" ? "team" : route.screen === "badge" ? (route.personId ? "team" : "me") : route.screen;
  const title =
    route.screen === "badge" ? t.badgesTitle : route.screen === "person" ? t.teamTitle : active === "team" ? t.teamTitle : label(active);
  let body: ComponentChild;
  switch (route.screen) {
    case "me":
      body = <MeScreen personId={ctx.session.personId} />;
      break;
    case "history":
      body = <HistoryScreen personId={ctx.session.personId} />;
      break;
    case "team":
      body = <TeamScreen />;
      break;
    case "progress":
      body = <ProgressTab />;
      break;
    case "fund":
      body = hasRoute("GET /people/{personId}/fund") ? <FundScreen /> : <ComingSoon tab="fund" />;
      break;
    case "rewards":
      body = hasRoute("GET /rewards") ? <RewardsScreen /> : <ComingSoon tab="rewards" />;
      break;
    case "rank":
      body = hasRoute("GET /leaderboards") ? <RankScreen /> : <ComingSoon tab="rank" />;
      break;
    case "bounties":
      body = <BountiesScreen />;
      break;
    case "person":
      body = (
        <>
          <BackLink href="#/team" />
          <MeScreen personId={route.personId} />
        </>
      );
      break;
    case "badge":
      body = (
        <>
          <BackLink href={route.personId ? `#/people/${encodeURIComponent(route.personId)}` : "#/me"} />
          <BadgeScreen personId={route.personId ?? ctx.session.personId} badgeId={route.badgeId} />
        </>
      );
      break;
  }
  return (
    <App.Provider value={ctx}>
      <header class="topbar">
        <h1>{title}</h1>
        <div class="topbar-actions">
          <button type="button" class="lang" onClick={onLang} aria-label={t.switchLangLabel}>
            {t.switchLang}
          </button>
          <button type="button" class="icon-button" onClick={onSignOut} aria-label={t.signOutLabel} title={t.signOut}>
            <Icon name="out" size={20} />
          </button>
        </div>
      </header>
      {!online && (
        <p class="offline" role="status">
          {t.offline}
        </p>
      )}
      <main class="screen" id="main">
        {body}
      </main>
      <nav class="tabbar" aria-label={t.appName}>
        {tabs.map((tab) => (
          <a key={tab} href={`#/${tab}`} class={tab === active ? "tab active" : "tab"} aria-current={tab === active ? "page" : undefined}>
            {tab === "bounties" ? <BountyIcon /> : <Icon name={tab} />}
            <span>{label(tab)}</span>
          </a>
        ))}
      </nav>
    </App.Provider>
  );
}

function Root() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [config, setConfig] = useState<PageConfig | undefined>(undefined);
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const [fatal, setFatal] = useState<string | undefined>(undefined);
  const [orgUnits, setOrgUnits] = useState<OrgUnit[] | undefined>(undefined);
  const [people, setPeople] = useState<DemoPerson[] | undefined>(undefined);
  const [gates, setGates] = useState<GateRef[] | undefined>(undefined);
  const t = dictionaries[lang];

  const expire = useCallback(() => {
    forgetToken();
    setSession(undefined);
    setMessage("expired");
  }, []);
  // The API client follows the session at once (not in an effect): screens ask for data on their first render.
  if (config) configureApi(config, session?.token, expire);

  useEffect(() => {
    (async () => {
      const cfg = await loadConfig();
      configureApi(cfg, undefined, expire);
      const fromCallback = cfg.devSignIn ? undefined : await completeCognitoSignIn(cfg);
      const current = fromCallback ?? savedSession(cfg);
      setConfig(cfg);
      if (current && isExpired(current)) {
        forgetToken();
        setMessage("expired");
      } else if (current) setSession(current);
    })().catch((e: Error) => setFatal(e.message));
  }, [expire]);

  useEffect(() => {
    if (!config) return;
    setOrgUnits(undefined);
    setPeople(undefined);
    setGates(undefined);
    if (!session) return;
    request<{ orgUnits: OrgUnit[] }>("/org-units").then(
      (r) => setOrgUnits(r.orgUnits),
      () => setOrgUnits([]),
    );
    request<{ gates: GateRef[] }>("/gates").then(
      (r) => setGates(r.gates),
      () => setGates([]),
    );
    // Locally, the demo directory names the people behind history entries; in AWS ids are shown.
    if (config.devSignIn)
      request<{ people: DemoPerson[] }>("/dev/people").then(
        (r) => setPeople(r.people),
        () => setPeople([]),
      );
  }, [config, session]);

  const toggleLang = () => {
    const next: Lang = lang === "zh" ? "en" : "zh";
    saveLang(next);
    setLang(next);
  };

  if (fatal)
    return (
      <p class="card error" role="alert">
        {fatal}
      </p>
    );
  if (!config) return <div class="boot" aria-busy="true" />;
  if (!session)
    return (
      <SignInScreen
        config={config}
        t={t}
        lang={lang}
        message={message === "expired" ? t.expired : message === "signedOut" ? t.signedOut : undefined}
        onLang={toggleLang}
        onToken={(token) => {
          const next = sessionOf(token, config);
          if (!next) return;
          keepToken(token);
          setMessage(undefined);
          location.hash = "#/me";
          setSession(next);
        }}
      />
    );
  const ctx: AppContext = { lang, t, config, session, people, orgUnits, gates };
  return (
    <Shell
      ctx={ctx}
      onLang={toggleLang}
      onSignOut={() => {
        signOut(config);
        setSession(undefined);
        setMessage("signedOut");
      }}
    />
  );
}

saveLang(initialLang());
render(<Root />, document.getElementById("app") as HTMLElement);

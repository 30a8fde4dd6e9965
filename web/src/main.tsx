/**
 * The managers' page: sign-in, then the screens under five bottom tabs as chat apps' H5 pages
 * have them (我的 · 记录 · 晋升 · 排行 · 福利), routed by the URL's hash. Fresh data: pull to
 * refresh, and again when the app comes back to the front; after signing in again, back to
 * where the person was.
 */
import { type ComponentChild, render } from "preact";
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import {
  type Balances,
  configureApi,
  type DemoPerson,
  forgetViews,
  type GateRef,
  hasRoute,
  type OrgUnit,
  refreshAll,
  request,
  useResource,
} from "./api.ts";
import {
  completeHostedSignIn,
  forgetToken,
  isExpired,
  keepToken,
  type PageConfig,
  type Session,
  savedSession,
  sessionOf,
  signOut,
  whoAmI,
} from "./auth.ts";
import { readConfig } from "./early.ts";
import { dictionaries, initialLang, type Lang, saveLang } from "./i18n.ts";
import { Lazy } from "./lazy.tsx";
import { Bell } from "./screens/bell.tsx";
import { BountiesScreen } from "./screens/bounties.tsx";
import { FundScreen } from "./screens/fund.tsx";
import { HistoryScreen } from "./screens/history.tsx";
import { BackLink, BadgeScreen, MeScreen } from "./screens/me.tsx";
import { ProgressScreen } from "./screens/progress.tsx";
import { RankScreen } from "./screens/rank.tsx";
import { RedemptionsScreen, RewardsScreen } from "./screens/rewards.tsx";
import { SignInScreen } from "./screens/sign-in.tsx";
import { TeamScreen } from "./screens/team.tsx";
import { App, type AppContext, ErrorView, Icon, Skeleton, useApp } from "./ui.tsx";

type Tab = "me" | "history" | "progress" | "rank" | "benefits";
/** Screens with their own address: the tabs', and those inside a tab (福利 holds three). */
type Screen = "me" | "history" | "progress" | "rank" | "rewards" | "redemptions" | "fund" | "bounties" | "team";
const screens: Screen[] = ["me", "history", "progress", "rank", "rewards", "redemptions", "fund", "bounties", "team"];
const tabs: Tab[] = ["me", "history", "progress", "rank", "benefits"];
const benefits = ["rewards", "redemptions", "fund", "bounties"] as const;

type Route =
  | { screen: Screen }
  | { screen: "badge"; badgeId: string; personId?: string }
  | { screen: "person"; personId: string }
  | { screen: "todo" }
  | { screen: "review"; flagId: string }
  | { screen: "backtest"; ruleId: string; backtestId: string }
  | { screen: "backtests"; ruleId: string };

/** Screens under 我的 that are not its tabs' own: a team member, a badge, the approvers' and admins' views. */
const underMe = ["person", "team", "badge", "todo", "review", "backtest", "backtests"];

const tabOf = (route: Route): Tab =>
  underMe.includes(route.screen) ? "me" : (benefits as readonly string[]).includes(route.screen) ? "benefits" : (route.screen as Tab);

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
  if (first === "todo") return { screen: "todo" };
  if (first === "reviews" && second) return { screen: "review", flagId: second };
  if (first === "admin" && second === "backtests" && third && fourth) return { screen: "backtest", ruleId: third, backtestId: fourth };
  if (first === "admin" && second === "backtests" && third) return { screen: "backtests", ruleId: third };
  if (first === "badges" && second) return { screen: "badge", badgeId: second };
  if (first === "people" && second && third === "badges" && fourth) return { screen: "badge", badgeId: fourth, personId: second };
  if (first === "people" && second) return { screen: "person", personId: second };
  if (first === "benefits") return { screen: "rewards" };
  return { screen: screens.includes(first as Screen) ? (first as Screen) : "me" };
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
  return <ProgressScreen gate={gates.find((g) => g.definition.tier === tier)} />;
}

/**
 * Pull to refresh: a downward drag from the top of the page asks every screen's data again; and
 * so does coming back to the app (a redemption made elsewhere shows).
 */
function useFreshness(): number {
  const [pull, setPull] = useState(0);
  useEffect(() => {
    let startY: number | undefined;
    const onStart = (e: TouchEvent) => {
      startY = window.scrollY <= 0 ? e.touches[0]?.clientY : undefined;
    };
    const onMove = (e: TouchEvent) => {
      if (startY === undefined) return;
      setPull(Math.max(0, Math.min(96, ((e.touches[0]?.clientY ?? startY) - startY) / 2)));
    };
    const onEnd = () => {
      setPull((distance) => {
        if (distance >= 48) refreshAll();
        return 0;
      });
      startY = undefined;
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") refreshAll();
    };
    addEventListener("touchstart", onStart, { passive: true });
    addEventListener("touchmove", onMove, { passive: true });
    addEventListener("touchend", onEnd);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      removeEventListener("touchstart", onStart);
      removeEventListener("touchmove", onMove);
      removeEventListener("touchend", onEnd);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, []);
  return pull;
}

/** 福利: the coin catalog, my redemptions and the innovation fund, one tab. */
function BenefitsNav({ active }: { active: (typeof benefits)[number] }) {
  const { t } = useApp();
  return (
    <nav class="segmented" aria-label={t.tabs.benefits}>
      {benefits.map((b) => (
        <a key={b} href={`#/${b}`} class={b === active ? "seg active" : "seg"} aria-current={b === active ? "page" : undefined}>
          {t.benefits[b]}
        </a>
      ))}
    </nav>
  );
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
  const { t, lang } = ctx;
  const route = useHash();
  const online = useOnline();
  const pull = useFreshness();
  const active = tabOf(route);
  const title =
    route.screen === "badge"
      ? t.badgesTitle
      : route.screen === "todo" || route.screen === "review"
        ? t.todo
        : route.screen === "backtest" || route.screen === "backtests"
          ? t.backtestTitle
          : route.screen === "person" || route.screen === "team"
            ? t.teamTitle
            : route.screen === "rewards" || route.screen === "redemptions" || route.screen === "fund" || route.screen === "bounties"
              ? t.tabs.benefits
              : t.tabs[route.screen];
  let body: ComponentChild;
  switch (route.screen) {
    case "me":
      body = <MeScreen personId={ctx.session.personId} />;
      break;
    case "history":
      body = <HistoryScreen personId={ctx.session.personId} />;
      break;
    case "team":
      body = (
        <>
          <BackLink href="#/me" />
          <TeamScreen />
        </>
      );
      break;
    case "progress":
      body = <ProgressTab />;
      break;
    case "fund":
    case "rewards":
    case "redemptions":
      body = (
        <>
          <BenefitsNav active={route.screen} />
          {route.screen === "fund" ? (
            hasRoute("GET /people/{personId}/fund") ? (
              <FundScreen />
            ) : (
              <ComingSoon tab="fund" />
            )
          ) : !hasRoute("GET /rewards") ? (
            <ComingSoon tab="rewards" />
          ) : route.screen === "rewards" ? (
            <RewardsScreen />
          ) : (
            <RedemptionsScreen />
          )}
        </>
      );
      break;
    case "rank":
      body = hasRoute("GET /leaderboards") ? <RankScreen /> : <ComingSoon tab="rank" />;
      break;
    case "bounties":
      body = (
        <>
          <BenefitsNav active="bounties" />
          <BountiesScreen />
        </>
      );
      break;
    case "person":
      body = (
        <>
          <BackLink href="#/team" />
          <MeScreen personId={route.personId} />
        </>
      );
      break;
    case "todo":
      body = (
        <>
          <BackLink href="#/me" />
          <Lazy render={(admin) => <admin.TodoScreen />} />
        </>
      );
      break;
    case "review":
      body = (
        <>
          <BackLink href="#/todo" />
          <Lazy render={(admin) => <admin.ReviewScreen flagId={route.flagId} />} />
        </>
      );
      break;
    case "backtest":
      body = (
        <>
          <BackLink href={`#/admin/backtests/${encodeURIComponent(route.ruleId)}`} />
          <Lazy render={(admin) => <admin.BacktestScreen ruleId={route.ruleId} backtestId={route.backtestId} />} />
        </>
      );
      break;
    case "backtests":
      body = <Lazy render={(admin) => <admin.BacktestsScreen ruleId={route.ruleId} />} />;
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
          {hasRoute("GET /people/{personId}/notifications") && <Bell />}
          <button type="button" class="lang" onClick={onLang} lang={lang === "zh" ? "en" : "zh-CN"}>
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
      {pull > 0 && (
        <p class="pull" style={{ height: `${pull}px` }} aria-hidden="true">
          {pull >= 48 ? t.releaseToRefresh : t.pullToRefresh}
        </p>
      )}
      <main class="screen" id="main">
        {body}
      </main>
      <nav class="tabbar" aria-label={t.appName}>
        {tabs.map((tab) => (
          <a
            key={tab}
            href={`#/${tab === "benefits" ? "rewards" : tab}`}
            class={tab === active ? "tab active" : "tab"}
            aria-current={tab === active ? "page" : undefined}
          >
            <Icon name={tab} />
            <span>{t.tabs[tab]}</span>
          </a>
        ))}
      </nav>
    </App.Provider>
  );
}

/** What every screen reads beside its own data: the org tree, the gates, the demo's names. */
interface Directory {
  orgUnits?: OrgUnit[];
  people?: DemoPerson[];
  gates?: GateRef[];
}

const returnKey = "laurel.return";

/** Back to this screen after signing in again. */
function rememberWhereIWas(): void {
  try {
    sessionStorage.setItem(returnKey, location.hash);
  } catch {
    // Storage off: the person starts at 我的.
  }
}

/** Where the person was when their sign-in expired, once. */
function returnTo(): string | undefined {
  try {
    const hash = sessionStorage.getItem(returnKey);
    sessionStorage.removeItem(returnKey);
    return hash && hash !== "#/" ? hash : undefined;
  } catch {
    return undefined;
  }
}

/** The configuration is in index.html; the saved sign-in is read at once, so the first render can be a screen. */
function initialState(): { config?: PageConfig; session?: Session; message?: string; fatal?: string } {
  try {
    const config = readConfig();
    const fromCallback = !config.devSignIn && config.signIn !== "dingtalk" && new URLSearchParams(location.search).has("code");
    const saved = fromCallback ? undefined : savedSession(config);
    if (saved && isExpired(saved)) {
      forgetToken();
      rememberWhereIWas();
      return { config, message: "expired" };
    }
    return { config, ...(saved ? { session: saved } : {}) };
  } catch (e) {
    return { fatal: (e as Error).message };
  }
}

function Root() {
  const [initial] = useState(initialState);
  const [lang, setLang] = useState<Lang>(initialLang);
  const config = initial.config;
  const [session, setSession] = useState<Session | undefined>(initial.session);
  const [message, setMessage] = useState<string | undefined>(initial.message);
  const [fatal, setFatal] = useState<string | undefined>(initial.fatal);
  const [{ orgUnits, people, gates }, setDirectory] = useState<Directory>({});
  const t = dictionaries[lang];

  const expire = useCallback(() => {
    forgetToken();
    rememberWhereIWas();
    setSession(undefined);
    setMessage("expired");
  }, []);
  // The API client follows the session at once (not in an effect): screens ask for data on their first render.
  if (config) configureApi(config, session, expire);

  // Back from the hosted sign-in (?code=): the code is exchanged for a token, and where the token
  // cannot say who it signs in (a company's OIDC issuer), the API is asked once.
  useEffect(() => {
    if (!config || config.devSignIn || config.signIn === "dingtalk") return;
    completeHostedSignIn(config)
      .then(async (token) => {
        if (!token) return;
        const who = await whoAmI(token, config);
        const signedIn = sessionOf(token, config, who);
        if (!signedIn) throw new Error("The sign-in gave no usable token.");
        keepToken(token, who);
        location.hash = returnTo() ?? "#/me";
        setSession(signedIn);
      })
      .catch((e: Error) => setFatal(e.message));
  }, [config]);

  useEffect(() => {
    if (!config) return;
    setDirectory({});
    if (!session) return;
    // Set together, in one render of the screen rather than three: on a slow phone each render of
    // a full 记录 page delays its first rows, and these answers come as the screen's own does.
    void Promise.all([
      request<{ orgUnits: OrgUnit[] }>("/org-units").then(
        (r) => r.orgUnits,
        () => [],
      ),
      request<{ gates: GateRef[] }>("/gates").then(
        (r) => r.gates,
        () => [],
      ),
      // Locally, the demo directory names the people behind history entries; in AWS ids are shown.
      config.devSignIn
        ? request<{ people: DemoPerson[] }>("/dev/people").then(
            (r) => r.people,
            () => [],
          )
        : undefined,
    ]).then(([orgUnits, gates, people]) => setDirectory({ orgUnits, gates, ...(people ? { people } : {}) }));
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
          location.hash = returnTo() ?? "#/me";
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
        void signOut(config);
        forgetViews();
        setSession(undefined);
        setMessage("signedOut");
      }}
    />
  );
}

saveLang(initialLang());
// The offline app shell (sw.js); where service workers are off (some web views), the page works without.
if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
render(<Root />, document.getElementById("app") as HTMLElement);

/**
 * Sign-in: the demo people locally (grouped by org unit, with roles); in AWS Cognito's hosted
 * sign-in, or DingTalk's or WeCom's (the page signs in by itself inside either; this screen shows
 * while it does, or why it could not).
 */
import { useEffect, useState } from "preact/hooks";
import { ApiError, type DemoPerson, type OrgUnit, request } from "../api.ts";
import { type PageConfig, startHostedSignIn } from "../auth.ts";
import { insideDingTalk, signInWithDingTalk } from "../dingtalk.ts";
import type { Dict, Lang } from "../i18n.ts";
import { completeWeComSignIn, signsInWithWeCom, startWeComSignIn } from "../wecom.ts";

interface Props {
  config: PageConfig;
  t: Dict;
  lang: Lang;
  message: string | undefined;
  onToken: (token: string) => void;
  onLang: () => void;
}

export function SignInScreen({ config, t, lang, message, onToken, onLang }: Props) {
  return (
    <div class="signin">
      <header class="signin-head">
        <div class="brand">
          <svg width="40" height="40" viewBox="0 0 64 64" aria-hidden="true" class="brand-mark">
            <circle cx="32" cy="32" r="30" />
            <path d="M32 14l5.3 10.8 11.9 1.7-8.6 8.4 2 11.8L32 41.1l-10.6 5.6 2-11.8-8.6-8.4 11.9-1.7z" />
          </svg>
          <div>
            <h1>{t.appName}</h1>
            <p class="hint">{t.tagline}</p>
          </div>
        </div>
        <button type="button" class="lang" onClick={onLang} lang={lang === "zh" ? "en" : "zh-CN"}>
          {t.switchLang}
        </button>
      </header>
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      {config.devSignIn ? (
        <DemoSignIn t={t} onToken={onToken} />
      ) : config.signIn === "dingtalk" && signsInWithWeCom(config) ? (
        <WeComSignIn config={config} t={t} onToken={onToken} />
      ) : config.signIn === "dingtalk" ? (
        <DingTalkSignIn config={config} t={t} onToken={onToken} />
      ) : (
        <HostedSignIn config={config} t={t} />
      )}
    </div>
  );
}

function HostedSignIn({ config, t }: { config: PageConfig; t: Dict }) {
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <section class="card">
      <p class="hint">{t.signInHostedHint}</p>
      <button type="button" class="button" onClick={() => startHostedSignIn(config).catch((e: Error) => setError(e.message))}>
        {t.signInHosted}
      </button>
      {error && (
        <p class="error-detail" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function DingTalkSignIn({ config, t, onToken }: { config: PageConfig; t: Dict; onToken: (token: string) => void }) {
  const inside = insideDingTalk();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(inside);
  const signIn = () => {
    setBusy(true);
    setError(undefined);
    signInWithDingTalk(config).then(onToken, (e: Error) => {
      setError(e.message || t.unreachable);
      setBusy(false);
    });
  };
  // Inside DingTalk nobody is asked to sign in (免登): at first and whenever the token has expired.
  useEffect(() => {
    if (inside) signIn();
  }, []);
  if (!inside) return <p class="card hint">{config.wecomCorpId ? t.openInChatApp : t.openInDingTalk}</p>;
  return (
    <section class="card">
      <button type="button" class="button" disabled={busy} onClick={signIn}>
        {busy ? t.signingInDingTalk : t.signInDingTalk}
      </button>
      {error && (
        <p class="error-detail" role="alert" data-testid="signin-error">
          {error}
        </p>
      )}
    </section>
  );
}

/** Inside WeCom nobody is asked to sign in either: to WeCom's authorisation and back, then the token. */
function WeComSignIn({ config, t, onToken }: { config: PageConfig; t: Dict; onToken: (token: string) => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    completeWeComSignIn().then(
      (token) => (token ? onToken(token) : startWeComSignIn(config)),
      (e: Error) => setError(e.message || t.unreachable),
    );
  }, []);
  return (
    <section class="card" aria-busy={!error}>
      {error ? (
        <p class="error-detail" role="alert" data-testid="signin-error">
          {error}
        </p>
      ) : (
        <p class="hint">{t.signingInWeCom}</p>
      )}
    </section>
  );
}

function DemoSignIn({ t, onToken }: { t: Dict; onToken: (token: string) => void }) {
  const [directory, setDirectory] = useState<{ people: DemoPerson[]; orgUnits: OrgUnit[] } | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  useEffect(() => {
    request<{ people: DemoPerson[]; orgUnits: OrgUnit[] }>("/dev/people").then(setDirectory, (e: ApiError) =>
      setError(e.message || t.unreachable),
    );
  }, [t]);
  const signIn = async (personId: string) => {
    setBusy(personId);
    try {
      const { token } = await request<{ token: string }>("/dev/token", { method: "POST", body: { personId } });
      onToken(token);
    } catch (e) {
      setError(e instanceof ApiError && e.message ? e.message : t.unreachable);
      setBusy(undefined);
    }
  };
  if (error)
    return (
      <p class="card error-detail" role="alert">
        {error}
      </p>
    );
  if (!directory)
    return (
      <div class="card" aria-busy="true">
        <div class="sk sk-line" />
        <div class="sk sk-line" />
        <div class="sk sk-line sk-short" />
      </div>
    );
  const leads = new Map(directory.orgUnits.flatMap((u) => (u.leadId ? [[u.leadId, u]] : [])));
  return (
    <>
      <p class="screen-hint">
        <b>{t.signInTitle}</b>
        <br />
        {t.signInHint}
      </p>
      {directory.orgUnits.map((unit) => {
        const members = directory.people.filter((p) => p.orgUnitId === unit.orgUnitId);
        if (members.length === 0) return null;
        return (
          <section key={unit.orgUnitId} class="card">
            <h2 class="unit-name">{unit.name}</h2>
            <ul class="members">
              {members.map((p) => (
                <li key={p.personId}>
                  <button
                    type="button"
                    class="member"
                    data-person={p.personId}
                    disabled={busy !== undefined}
                    onClick={() => void signIn(p.personId)}
                  >
                    <span class="avatar" aria-hidden="true">
                      {p.name.slice(0, 1)}
                    </span>
                    <span class="member-who">
                      <span class="member-name">
                        {p.name} <span class="member-id">{p.personId}</span>
                      </span>
                      <span class="chips">
                        {p.roles.map((r) => (
                          <span key={r} class="chip">
                            {t.roles[r] ?? r}
                          </span>
                        ))}
                        {leads.has(p.personId) && <span class="chip chip-accent">{t.leads}</span>}
                      </span>
                    </span>
                    {busy === p.personId && <span class="member-sub">{t.signingIn}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  );
}

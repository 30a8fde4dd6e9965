/**
 * Calls to Laurel's API: bearer token, problem details, 401 → sign in again, offline. Answers are
 * kept to show at once, but asked again whenever a screen opens, the app comes back to the
 * front, the person pulls to refresh or writes something themselves (refreshAll).
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import type * as z from "zod";
import type * as answers from "../../functions/http/answers.ts";
import type { routes } from "../../functions/http/routes.ts";
import type { PageConfig, Session } from "./auth.ts";
import { type EarlyWindow, firstRequests } from "./early.ts";

type Routes = typeof routes;

declare const __LAUREL_ROUTES__: string[];

/** Whether the API has a route ("GET /leaderboards"): screens whose routes are not built yet say so. */
export const hasRoute = (key: string) => __LAUREL_ROUTES__.includes(key);

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The problem's parameters (shortfall, limit, …), which the page says in the reader's language. */
  readonly params: Record<string, unknown>;
  constructor(status: number, code: string, detail: string, params: Record<string, unknown> = {}) {
    super(detail);
    this.status = status;
    this.code = code;
    this.params = params;
  }
}

interface Client {
  base: string;
  token: string | undefined;
  personId: string | undefined;
  devSignIn: boolean;
  onUnauthorized: () => void;
}

const client: Client = { base: "", token: undefined, personId: undefined, devSignIn: false, onUnauthorized: () => {} };
const cache = new Map<string, unknown>();

// ---- The last view, kept on the device ----
// What 我的 and 记录 showed last is painted at once on the next visit and refreshed behind it. It is
// the person's own data, kept under their id and removed when they sign out (forgetViews).

const viewPrefix = "laurel.view.";

function keptViews(personId: string): Record<string, unknown> {
  try {
    return JSON.parse(localStorage.getItem(viewPrefix + personId) ?? "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The first requests of 我的 and 记录. */
const keptPaths = (personId: string) => [
  ...firstRequests("#/me", personId, client.devSignIn),
  ...firstRequests("#/history", personId, client.devSignIn),
];

function keepView(path: string, answer: unknown): void {
  const personId = client.personId;
  if (!personId || !keptPaths(personId).includes(path)) return;
  try {
    localStorage.setItem(viewPrefix + personId, JSON.stringify({ ...keptViews(personId), [path]: answer }));
  } catch {
    // Storage full or off: the next visit waits for the network.
  }
}

/** Removes every kept view from this device (signing out). */
export function forgetViews(): void {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith(viewPrefix)) localStorage.removeItem(key);
  } catch {
    // Storage off: nothing was kept.
  }
}

/** What the cache holds for a path (a kept view, or an answer of this visit). */
export const cached = <T>(path: string) => cache.get(path) as T | undefined;

/** The answer boot.ts asked for before the app ran, once, for the same sign-in. */
function takeEarly(path: string, token: string | undefined): Promise<Response> | undefined {
  const early = (globalThis as EarlyWindow).laurelEarly;
  const answer = early && early.token === token ? early.answers[path] : undefined;
  if (answer) delete early?.answers[path];
  return answer;
}

/** Bumped by refreshAll: every screen on show asks the API again, keeping what it shows meanwhile. */
let generation = 0;
const listeners = new Set<(generation: number) => void>();

export function refreshAll(): void {
  // Asked for at load: older than what a refresh wants.
  delete (globalThis as EarlyWindow).laurelEarly;
  generation += 1;
  for (const listener of listeners) listener(generation);
}

/** The current refresh generation, re-rendering when it changes. */
export function useGeneration(): number {
  const [current, setCurrent] = useState(generation);
  useEffect(() => {
    listeners.add(setCurrent);
    return () => {
      listeners.delete(setCurrent);
    };
  }, []);
  return current;
}

/** Called whenever the signed-in person changes, before any screen of theirs asks for data. */
export function configureApi(config: PageConfig, session: Session | undefined, onUnauthorized: () => void): void {
  client.base = config.apiUrl.replace(/\/+$/, "");
  client.devSignIn = config.devSignIn === true;
  if (client.token !== session?.token) {
    cache.clear();
    if (session) for (const [path, answer] of Object.entries(keptViews(session.personId))) cache.set(path, answer);
  }
  client.token = session?.token;
  client.personId = session?.personId;
  client.onUnauthorized = onUnauthorized;
}

export async function request<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  let response: Response;
  const token = client.token;
  const method = init.method ?? "GET";
  try {
    const early = method === "GET" && !init.headers ? takeEarly(path, token) : undefined;
    response = await (early ??
      fetch(`${client.base}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }));
  } catch {
    throw new ApiError(0, "offline", "");
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const { detail, title, code, type: _type, status: _status, ...params } = (body ?? {}) as Record<string, unknown>;
    // Only the token in use expires the session: an answer to an earlier sign-in does not.
    if (response.status === 401 && token && token === client.token) client.onUnauthorized();
    const words = typeof detail === "string" ? detail : typeof title === "string" ? title : response.statusText;
    throw new ApiError(response.status, typeof code === "string" ? code : String(response.status), words, params);
  }
  // What I write changes what every screen shows: balances, history, stock, claims.
  if (method !== "GET") refreshAll();
  else if (token === client.token) keepView(path, body);
  return body as T;
}

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** A GET: what was read before shows at once (tab switches are instant) while it is asked again. */
export function useResource<T>(path: string | undefined): Resource<T> {
  const fresh = useGeneration();
  const cached = path ? (cache.get(path) as T | undefined) : undefined;
  const [state, setState] = useState<{ path?: string; data?: T; error?: ApiError; loading: boolean }>({
    ...(path ? { path } : {}),
    ...(cached === undefined ? {} : { data: cached }),
    loading: cached === undefined && path !== undefined,
  });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!path) return;
    const hit = cache.get(path) as T | undefined;
    let live = true;
    setState((s) => ({
      path,
      ...(hit !== undefined ? { data: hit } : s.path === path && s.data !== undefined ? { data: s.data } : {}),
      loading: true,
    }));
    request<T>(path).then(
      (data) => {
        cache.set(path, data);
        if (live) setState({ path, data, loading: false });
      },
      (error: unknown) => {
        const failure = error instanceof ApiError ? error : new ApiError(0, "error", String(error));
        // Offline, what was read before stays on screen (the offline banner says it may be old).
        if (live && failure.status === 0 && hit !== undefined) setState({ path, data: hit, loading: false });
        else if (live) setState({ path, error: failure, loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [path, attempt, fresh]);
  const reload = useCallback(() => {
    if (path) cache.delete(path);
    setAttempt((n) => n + 1);
  }, [path]);
  const current = state.path === path;
  return {
    data: current ? state.data : cached,
    error: current ? state.error : undefined,
    loading: current ? state.loading : cached === undefined,
    reload,
  };
}

/** A list read a page at a time: the first page as a resource (fresh like any other), the next ones when asked for. */
export function usePaged<A extends { cursor?: string | null | undefined }, T>(path: string, itemsOf: (page: A) => T[]) {
  const first = useResource<A>(path);
  const [more, setMore] = useState<{ of?: A; items: T[]; cursor?: string | null; busy: boolean; error?: ApiError }>({
    items: [],
    busy: false,
  });
  // Pages read after an older first page belong to it: a refresh starts the list again.
  const current = more.of !== undefined && more.of === first.data ? more : { items: [] as T[], busy: false };
  const cursor = current.cursor !== undefined ? current.cursor : (first.data?.cursor ?? null);
  const of = first.data;
  const loadMore =
    cursor && of && !current.busy
      ? () => {
          setMore({ ...current, of, busy: true });
          request<A>(`${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`).then(
            (page) => setMore({ of, items: [...current.items, ...itemsOf(page)], cursor: page.cursor ?? null, busy: false }),
            (error: unknown) =>
              setMore({
                of,
                items: current.items,
                cursor,
                busy: false,
                error: error instanceof ApiError ? error : new ApiError(0, "error", String(error)),
              }),
          );
        }
      : undefined;
  return {
    items: of ? [...itemsOf(of), ...current.items] : undefined,
    error: first.error ?? current.error,
    reload: first.reload,
    loadMore,
    loadingMore: current.busy,
  };
}

// ---- The API's shapes the page reads: from the zod schemas of its answers (type-only: nothing is bundled) ----

/** The answer of a route, as functions/http/answers.ts declares it. */
export type Answer<K extends keyof Routes> = Routes[K]["success"] extends { schema: infer S extends z.core.$ZodType } ? z.output<S> : never;

export type Balances = Answer<"balances">;
export type Localized = z.output<typeof answers.Localized>;
export type LedgerEntry = Answer<"ledger">["entries"][number];
export type BadgeView = Answer<"badges">["badges"][number];
export type Criterion = BadgeView["definition"]["levels"][number]["criteria"][number];
/** A promotion gate as listed by `GET /gates`. */
export type GateRef = Answer<"gates">["gates"][number];
export type RewardView = Answer<"rewards">["rewards"][number];
export type OrgUnit = Answer<"orgUnits">["orgUnits"][number];
export type Credential = Answer<"badgeCredentials">["credentials"][number];

/** A new key per intended write: a retry of the same tap (say, after a timeout) is the same write. */
export const newIdempotencyKey = () => crypto.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** A person the local server's demo sign-in offers (`/dev/people`; not part of the API). */
export interface DemoPerson {
  personId: string;
  name: string;
  tier: string;
  orgUnitId: string;
  roles: string[];
}

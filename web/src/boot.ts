/**
 * Inlined in index.html's head (scripts/build-web.ts), allowed by its hash in the CSP: starts the
 * first screen's API requests before the app's code has arrived and been parsed, so that on a slow
 * network the request's round trip runs beside the page's download instead of after it.
 */
import { isExpired, savedSession } from "./auth.ts";
import { type EarlyWindow, firstRequests, readConfig } from "./early.ts";

try {
  const config = readConfig();
  const saved = savedSession(config);
  const session = saved && !isExpired(saved) ? saved : undefined;
  const token = session?.token;
  const base = config.apiUrl.replace(/\/+$/, "");
  const answers: Record<string, Promise<Response>> = {};
  for (const path of firstRequests(location.hash, session?.personId, config.devSignIn === true)) {
    const answer = fetch(`${base}${path}`, {
      headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    // Not taken (the app went elsewhere, or offline): no unhandled rejection.
    answer.catch(() => undefined);
    answers[path] = answer;
  }
  (globalThis as EarlyWindow).laurelEarly = { token, answers };
} catch {
  // Without early requests the app asks for its data itself.
}

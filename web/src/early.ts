/**
 * The first screen without waiting for the app's code: index.html carries the stage's configuration,
 * and a small inline script (boot.ts) starts the API requests the screen in the address will make
 * on its first render, while the rest of the page arrives. The app takes those answers instead of
 * asking again (api.ts).
 */
import type { PageConfig } from "./auth.ts";

export interface EarlyRequests {
  /** The token they were asked with: an answer is only taken by the same sign-in. */
  token: string | undefined;
  /** By path, each taken at most once. */
  answers: Record<string, Promise<Response>>;
}

export type EarlyWindow = typeof globalThis & { laurelEarly?: EarlyRequests };

/** The stage's configuration, written into index.html at deploy time (locally by the server). */
export function readConfig(): PageConfig {
  const text = document.getElementById("laurel-config")?.textContent;
  if (!text) throw new Error("index.html carries no configuration");
  return JSON.parse(text) as PageConfig;
}

/** The first page of a person's history, the same path from boot.ts and from the screen. */
export const ledgerPath = (personId: string, limit: number, cursor?: string) =>
  `/people/${encodeURIComponent(personId)}/ledger?${new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) })}`;

/**
 * The first page of 记录 fills a phone's screen and no more: each row more is bytes on a slow
 * network and layout on a slow CPU before the first row shows; the rest comes as the list scrolls.
 */
export const historyFirstPage = 15;
/** The pages after it, read while scrolling. */
export const historyPageSize = 30;

/**
 * The GETs the screen at `hash` makes on its first render for the signed-in person: the data of
 * 我的 and 记录, and what every screen reads (the org tree, the gates). Their answers are also
 * what the device keeps to paint the next visit at once (api.ts).
 */
export function firstRequests(hash: string, personId: string | undefined, devSignIn: boolean): string[] {
  if (!personId) return devSignIn ? ["/dev/people"] : [];
  const screen = hash.replace(/^#\/?/, "").split("/")[0] || "me";
  const common = ["/org-units", "/gates", "/badges", ...(devSignIn ? ["/dev/people"] : [])];
  if (screen === "me") return [`/people/${encodeURIComponent(personId)}/balances`, ...common];
  if (screen === "history") return [ledgerPath(personId, historyFirstPage), ...common];
  return common;
}

/**
 * The offline app shell: a service worker that keeps the page's files (shell.html, the page with
 * its configuration and its JS in app-<hash>.js, and the icon) so that the page opens without a
 * network, says it is offline and shows what it read before. Every opening gets shell.html from
 * the cache at once, refreshed behind it (stale-while-revalidate: a new release shows from the
 * next opening, and a phone on a slow network saves a round trip); the hashed JS comes from the
 * cache with the code V8 compiled from it. API calls are not touched: the page decides what to
 * show offline (api.ts keeps the last view of 我的 and 记录).
 */
declare const __LAUREL_SHELL__: string[];
declare const __LAUREL_RELEASE__: string;

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
const shell = __LAUREL_SHELL__;
const cacheName = `laurel-shell-${__LAUREL_RELEASE__}`;
const scope = new URL(worker.registration.scope);

worker.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(shell))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("laurel-shell-") && n !== cacheName).map((n) => caches.delete(n))))
      .then(() => worker.clients.claim()),
  );
});

/** The kept copy at once, a fresh one fetched behind it for next time; the network when nothing is kept. */
async function staleWhileRevalidate(event: FetchEvent, key: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  const fresh = fetch(key).then(async (response) => {
    if (response.ok) await cache.put(key, response.clone());
    return response;
  });
  const kept = await cache.match(key);
  if (!kept) return fresh;
  event.waitUntil(fresh.catch(() => undefined));
  return kept;
}

worker.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (event.request.mode === "navigate") return event.respondWith(staleWhileRevalidate(event, "shell.html"));
  event.respondWith(caches.match(event.request).then((hit) => hit ?? fetch(event.request)));
});

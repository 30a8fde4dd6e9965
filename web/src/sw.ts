/**
 * The offline app shell: a service worker that keeps the page's files (index.html, the hashed JS
 * and CSS, the icon, config.json) so that the page opens without a network, says it is offline
 * and shows what it read before. Pages are asked of the network first (a new release shows at
 * once); hashed files, which never change, come from the cache. API calls are not touched: the
 * page decides what to show offline.
 */
declare const __LAUREL_SHELL__: string[];

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
// The JS and CSS are named by their content, so their names name the release.
const cacheName = `laurel-shell-${shell.filter((f) => /-[A-Z0-9]{8}\./.test(f)).join("+")}`;
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

async function networkFirst(request: Request, fallback: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(fallback, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallback);
    if (cached) return cached;
    throw error;
  }
}

worker.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (event.request.mode === "navigate") return event.respondWith(networkFirst(event.request, "./"));
  if (url.pathname.endsWith("/config.json")) return event.respondWith(networkFirst(event.request, "config.json"));
  event.respondWith(caches.match(event.request).then((hit) => hit ?? fetch(event.request)));
});

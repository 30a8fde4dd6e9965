/**
 * The page's first meaningful render from a cold cache on a throttled phone: Debian's Chromium
 * with the network of DevTools' "Slow 4G" preset (1.6 Mbit/s down, 750 kbit/s up, 562.5 ms round
 * trip, each throughput × 0.9 as DevTools applies it) and the CPU slowed 4× (a mid-range phone,
 * as Lighthouse's mobile profile does). The time
 * is from navigation start to the first screen with content: the sign-in list of demo people,
 * which needs index.html, the JS and CSS, config.json and one API call.
 */
import type { AddressInfo } from "node:net";
import { buildWeb } from "../scripts/build-web.ts";
import { chromiumPath, hasChromium, launchChromium } from "../scripts/chromium.ts";
import { loadDevIssuer } from "../scripts/local/dev-issuer.ts";
import { startLocalServer } from "../scripts/local/server.ts";
import { atMost, median, notYet, type Options, type Result } from "./support/result.ts";

const name = "page: first render, cold cache, Slow 4G + 4× CPU";

export async function pageFigures(options: Options): Promise<Result[]> {
  await buildWeb({ quiet: true });
  if (!hasChromium()) return [notYet(`${name} (no ${chromiumPath})`, "ms", "≤ 1500")];
  const server = await startLocalServer(0, "127.0.0.1", { dev: { issuer: await loadDevIssuer() } });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app/`;
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    for (let run = 0; run < (options.quick ? 3 : 7); run++) {
      // A fresh context each time: nothing cached, nothing stored.
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 562.5,
        downloadThroughput: (1_600_000 / 8) * 0.9,
        uploadThroughput: (750_000 / 8) * 0.9,
      });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
      await page.goto(url, { waitUntil: "commit" });
      // A function, not a string: the page's CSP (script-src 'self') forbids eval.
      const rendered = await page.waitForFunction(
        () => {
          const g = globalThis as unknown as { document: { querySelector(s: string): unknown }; performance: { now(): number } };
          return g.document.querySelector("[data-person]") ? g.performance.now() : 0;
        },
        undefined,
        { timeout: 20_000 },
      );
      times.push(Number(await rendered.jsonValue()));
      await context.close();
    }
    return [atMost(name, Math.round(median(times)), "ms", 1500)];
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * The page's end-to-end tests' phone: an emulated phone (390×844, DPR 2, touch) in Debian's
 * headless Chromium, and the checks every screen state must pass: axe-core (no serious or critical
 * violation), tap targets of at least 44 px and no horizontal overflow. Screenshots go to the
 * ignored test/screenshots/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";

export const shots = join(import.meta.dirname, "..", "screenshots");
mkdirSync(shots, { recursive: true });
// Evaluated rather than added as a script tag: the page's content security policy allows no inline script.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface Phone {
  lang?: "zh" | "en";
  scheme?: "light" | "dark";
  width?: number;
}

/** A fresh phone: its own storage, the language chosen before the page loads. */
export async function openPhone(browser: Browser, { lang = "zh", scheme = "light", width = 390 }: Phone = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: lang === "zh" ? "zh-CN" : "en-US",
    colorScheme: scheme,
  });
  await context.addInitScript(`localStorage.setItem("laurel.lang", ${JSON.stringify(lang)})`);
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  page.on("pageerror", (error) => console.error("page error:", error));
  page.on("console", (message) => {
    // Refusals (401, 403) are expected here; anything else the page logs is worth seeing.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) console.error("page console:", message.text());
  });
  return page;
}

export async function signInAs(page: Page, base: string, personId: string): Promise<void> {
  await page.goto(`${base}/app/`);
  await page.locator(`[data-person="${personId}"]`).click();
  await page.getByTestId("coins").waitFor();
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`) });

/** The number shown on the page, as the API gives it (the page groups thousands with commas). */
export const shownNumber = async (page: Page, testId: string) =>
  Number(((await page.getByTestId(testId).textContent()) ?? "").replace(/[^0-9]/g, ""));

/** axe-core's serious and critical violations of the page as it is now (WCAG 2.x A and AA). */
export async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) await page.evaluate(axeSource);
  type Axe = {
    run(
      options: unknown,
    ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[]; failureSummary?: string }[] }[] }>;
  };
  return page.evaluate(async () => {
    // With options only, axe audits the whole document.
    const { violations } = await (globalThis as unknown as { axe: Axe }).axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `${v.id}: ${v.nodes
            .slice(0, 3)
            .map((n) => `${n.target.join(" ")} ${(n.failureSummary ?? "").split("\n")[1] ?? ""}`)
            .join(" | ")}`,
      );
  });
}

/** Targets smaller than 44×44 CSS px, and whether the page scrolls sideways. */
export async function layoutProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const problems = [];
    const seen = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect(); return s.visibility !== "hidden" && s.display !== "none" && r.width > 0 && r.height > 0; };
    for (const el of document.querySelectorAll("a[href], button, select, summary, textarea, input:not([type=checkbox]), label.check")) {
      if (!seen(el) || el.closest("[aria-hidden=true]")) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 44 || r.height < 44) problems.push("small target " + Math.round(r.width) + "×" + Math.round(r.height) + " " + el.tagName.toLowerCase() + "." + el.className + " " + (el.textContent || "").trim().slice(0, 20));
    }
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth) problems.push("scrolls sideways: " + document.documentElement.scrollWidth + " > " + document.documentElement.clientWidth);
    return problems;
  })()`)) as string[];
}

/** Every check a screen state must pass, and its screenshot. */
export async function inspect(page: Page, name: string): Promise<void> {
  await expect.poll(() => page.locator("[aria-busy=true]").count()).toBe(0);
  await shot(page, name);
  expect(await violations(page), `axe on ${name}`).toEqual([]);
  expect(await layoutProblems(page), `layout of ${name}`).toEqual([]);
}

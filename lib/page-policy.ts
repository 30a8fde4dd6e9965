/**
 * What the page's index.html needs from whoever serves it, the same for CloudFront (lib/constructs/web.ts)
 * and the local server: the stage's configuration written in, and a content security policy that
 * allows exactly the inline script and style the build put there (by their SHA-256), nothing else inline.
 * The page carries its code inline so that its first screen needs no second round trip (docs/PERFORMANCE.md).
 */
import { createHash } from "node:crypto";

/** Where index.html holds the configuration, inside a JSON data block (not executed, so not hashed). */
export const configMarker = `"%LAUREL_CONFIG%"`;

/**
 * index.html with the stage's configuration in place of its marker. Values may be CDK tokens,
 * resolved at deploy time: they end up in the JSON block, outside every hashed script.
 */
export function withConfig(html: string, config: Record<string, unknown>): string {
  if (!html.includes(configMarker)) throw new Error(`index.html has no ${configMarker}: build it with npm run build:web`);
  // "<" escaped: no value can close the script element it sits in.
  return html.replace(configMarker, () => JSON.stringify(config).replaceAll("<", "\\u003c"));
}

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The hashes of the executable inline scripts and of the style elements, as CSP source expressions. */
export function inlineHashes(html: string): { scripts: string[]; styles: string[] } {
  const scripts = [...html.matchAll(/<script(?![^>]*type="application\/json")[^>]*>([\s\S]*?)<\/script>/g)];
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)];
  return { scripts: scripts.map((m) => hashOf(m[1] ?? "")), styles: styles.map((m) => hashOf(m[1] ?? "")) };
}

/** The page's content security policy: its own origin, the API and sign-in origins (and scripts, DingTalk's JSAPI), and its inline code by hash. */
export function pageSecurityPolicy(
  html: string,
  origins: { connect: readonly string[]; script?: readonly string[]; formAction: readonly string[] },
): string {
  const { scripts, styles } = inlineHashes(html);
  return [
    "default-src 'self'",
    ["connect-src 'self'", ...origins.connect].join(" "),
    "img-src 'self' data:",
    ["style-src 'self'", ...styles].join(" "),
    ["script-src 'self'", ...(origins.script ?? []), ...scripts].join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    ["form-action 'self'", ...origins.formAction].join(" "),
  ].join("; ");
}

import { DomainError } from "./errors.ts";

/** A request body's bytes as JSON: invalid UTF-8 or JSON is the client's mistake, a 400. */
export function parseJson(body: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new DomainError("invalid", "malformed-json", "The body is not valid UTF-8.");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError("invalid", "malformed-json", "The body is not valid JSON.");
  }
}

/** Calls the API as a signed-in user would, through the same path as the local server. */
import { randomUUID } from "node:crypto";
import { dispatchJson, type JsonAnswer } from "../../scripts/local/api.ts";
import { issuer } from "./env.ts";

export type ApiResponse<T = any> = JsonAnswer<T>;

export async function call(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  return dispatchJson({ method, url, headers, ...(body === undefined ? {} : { body }) });
}

export interface Client {
  token: string;
  get(url: string): Promise<ApiResponse>;
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  put(url: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
}

/**
 * Posts as a well-behaved client does: a 503 is retried after its Retry-After, with the same
 * Idempotency-Key, a bounded number of times.
 */
async function postRetrying(url: string, token: string, body: unknown, headers: Record<string, string>): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await call("POST", url, { token, body, headers });
    if (response.status !== 503 || attempt === 5) return response;
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers["retry-after"] ?? 1) * 1000 * (0.5 + Math.random() / 2)));
  }
}

export async function as(personId: string, ...roles: string[]): Promise<Client> {
  const token = await issuer.sign(personId, roles);
  return {
    token,
    get: (url) => call("GET", url, { token }),
    post: (url, body, headers = { "idempotency-key": randomUUID() }) => postRetrying(url, token, body, headers),
    put: (url, body, headers = {}) => call("PUT", url, { token, body, headers }),
  };
}

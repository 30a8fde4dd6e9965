/**
 * Compressed answers: API Gateway's HTTP APIs pass a Lambda's body through as it is, so a JSON
 * answer of 15 history rows would cross a phone's slow link uncompressed. Text answers from 1 KB
 * are sent with brotli or gzip when the request's Accept-Encoding allows, as the binary body
 * API Gateway expects in payload format 2.0 (base64, `isBase64Encoded`), which it decodes on the
 * wire. Content-Encoding changes only the transfer: the client reads the same bytes, so signed
 * answers (VC-JWTs, the JWK Set, DingTalk's encrypted replies) verify as before.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** Below this, a compressed body saves less than a packet and costs CPU on both ends. */
export const compressFromBytes = 1024;

type Coding = "br" | "gzip";

/** The coding to send, from Accept-Encoding (RFC 9110 §12.5.3): brotli first; q=0 refuses a coding; `*` stands for the unnamed. */
export function negotiatedCoding(acceptEncoding: string | undefined): Coding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name = "", ...params] = part.split(";").map((s) => s.trim());
    const q = params.find((p) => p.startsWith("q="));
    weights.set(name, q === undefined ? 1 : Number(q.slice(2)));
  }
  const weightOf = (coding: Coding) => weights.get(coding) ?? weights.get("*") ?? 0;
  return (["br", "gzip"] as const).find((coding) => weightOf(coding) > 0);
}

// Brotli at quality 5 compresses JSON about as well as gzip -9 for less CPU than gzip's default; 11 costs tens of ms a 100 KB.
const encoders: Record<Coding, (body: Buffer) => Buffer> = {
  br: (body) =>
    brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } }),
  gzip: (body) => gzipSync(body),
};

/** The answer compressed for this request, when it is text of 1 KB or more and the request accepts a coding we send. */
export function compressed(
  result: APIGatewayProxyStructuredResultV2,
  acceptEncoding: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  const headers = result.headers ?? {};
  const text = result.body;
  if (text === undefined || result.isBase64Encoded || headers["content-encoding"] !== undefined) return result;
  const body = Buffer.from(text, "utf8");
  if (body.byteLength < compressFromBytes) return result;
  // Whether it is compressed depends on the request's header, for any cache on the way.
  const varied = { ...headers, vary: headers.vary ? `${headers.vary}, Accept-Encoding` : "Accept-Encoding" };
  const coding = negotiatedCoding(acceptEncoding);
  if (!coding) return { ...result, headers: varied };
  return {
    ...result,
    headers: { ...varied, "content-encoding": coding },
    body: encoders[coding](body).toString("base64"),
    isBase64Encoded: true,
  };
}

/** The middleware: every answer of the function, problems included, once it is final. */
export const compression = (): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => {
  const compress = (request: { event: APIGatewayProxyEventV2; response: APIGatewayProxyStructuredResultV2 | null }) => {
    if (request.response) request.response = compressed(request.response, request.event.headers?.["accept-encoding"]);
  };
  return { after: compress, onError: compress };
};

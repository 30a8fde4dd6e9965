/**
 * The local HTTP server: node:http in front of scripts/local-api.ts, which hands each request to
 * the area's Lambda handler as an API Gateway v2 event. Static files of the page under /app/.
 */
import { createServer, type Server } from "node:http";
import { dispatch } from "./local-api.ts";

const maxRequestBytes = 2 * 1024 * 1024;

export function startLocalServer(port: number, host = "127.0.0.1"): Promise<Server> {
  const server = createServer(async (request, response) => {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        size += (chunk as Buffer).byteLength;
        // API Gateway refuses payloads over its limit before any Lambda runs.
        if (size > maxRequestBytes) {
          response.writeHead(413, { "content-type": "application/problem+json" });
          response.end(
            JSON.stringify({
              type: "/problems/body-too-large",
              title: "Payload too large",
              status: 413,
              code: "body-too-large",
              detail: "Request too large.",
            }),
          );
          return;
        }
        chunks.push(chunk as Buffer);
      }
      const result = await dispatch({
        method: request.method ?? "GET",
        url: request.url ?? "/",
        headers: request.headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? "");
      response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      response.end(body);
    } catch (error) {
      console.error(error);
      response.writeHead(500, { "content-type": "application/problem+json" });
      response.end(
        JSON.stringify({
          type: "/problems/internal",
          title: "Internal server error",
          status: 500,
          code: "internal",
          detail: "The local server failed.",
        }),
      );
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Routes of the public function: liveness, the OpenAPI document and the pages problem types lead to. */
import * as z from "../../../domain/kernel/zod/index.ts";
import { Health, OpenApiDocument } from "../answers.ts";
import { defineRoute } from "../route.ts";

export const publicRoutes = {
  health: defineRoute({
    method: "GET",
    path: "/health",
    area: "public",
    auth: "public",
    summary: "Liveness: answers when the API is up.",
    success: { status: 200, description: "The API is up.", schema: Health },
  }),
  openapi: defineRoute({
    method: "GET",
    path: "/openapi.json",
    area: "public",
    auth: "public",
    summary: "This API's OpenAPI 3.1 document, generated from its zod schemas.",
    success: { status: 200, description: "The OpenAPI document.", schema: OpenApiDocument },
  }),
  problem: defineRoute({
    method: "GET",
    path: "/problems/{code}",
    area: "public",
    auth: "public",
    problems: ["problem-not-found"],
    summary: "What a problem code means, in Chinese and English: where a problem's `type` leads.",
    params: z.strictObject({ code: z.string().check(z.maxLength(64)) }),
    success: { status: 200, description: "A page explaining the problem.", alternatives: { "text/html": { schema: { type: "string" } } } },
  }),
} as const;

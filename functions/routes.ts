/** Every route of the HTTP API. Handlers implement them per area (functions/<area>.ts). */
import { z } from "zod";
import { AwardRequest, DeductionRequest, Id, LedgerPageQuery, OrgUnitInput, PersonInput, ReversalRequest } from "../domain/schemas.ts";
import { defineRoute } from "./shared/route.ts";

const PersonParams = z.strictObject({ personId: Id });

export const routes = {
  health: defineRoute({
    method: "GET",
    path: "/health",
    area: "public",
    auth: "public",
    summary: "Liveness: answers when the API is up.",
    success: { status: 200, description: "The API is up." },
  }),
  openapi: defineRoute({
    method: "GET",
    path: "/openapi.json",
    area: "public",
    auth: "public",
    summary: "This API's OpenAPI 3.1 document, generated from its zod schemas.",
    success: { status: 200, description: "The OpenAPI document." },
  }),
  award: defineRoute({
    method: "POST",
    path: "/awards",
    area: "ledger",
    auth: "token",
    summary: "Award coins, points (with a capability) or a badge level to a person (admin).",
    body: AwardRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The entries written and the person's balances after them." },
  }),
  deduct: defineRoute({
    method: "POST",
    path: "/deductions",
    area: "ledger",
    auth: "token",
    summary: "A penalty taking coins or points from a person, never below zero (admin).",
    body: DeductionRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The entries written and the person's balances after them." },
  }),
  reverse: defineRoute({
    method: "POST",
    path: "/ledger/{entryId}/reversal",
    area: "ledger",
    auth: "token",
    summary: "Reverse an entry with a reason; an entry is reversed at most once (admin).",
    params: z.strictObject({ entryId: z.string().max(100) }),
    body: ReversalRequest,
    idempotencyKey: true,
    success: { status: 201, description: "The reversal entry and the person's balances after it." },
  }),
  balances: defineRoute({
    method: "GET",
    path: "/people/{personId}/balances",
    area: "ledger",
    auth: "token",
    summary: "A person's coins, points (total and per capability) and badges.",
    params: PersonParams,
    success: { status: 200, description: "The person's balances." },
  }),
  ledger: defineRoute({
    method: "GET",
    path: "/people/{personId}/ledger",
    area: "ledger",
    auth: "token",
    summary: "A person's ledger entries, newest first, a page at a time.",
    params: PersonParams,
    query: LedgerPageQuery,
    success: { status: 200, description: "A page of entries and the cursor of the next page, if any." },
  }),
  putPerson: defineRoute({
    method: "PUT",
    path: "/admin/people/{personId}",
    area: "admin",
    auth: "token",
    summary: "Create or replace a person in the directory (admin).",
    params: PersonParams,
    body: PersonInput,
    success: { status: 200, description: "The person as stored." },
  }),
  getPerson: defineRoute({
    method: "GET",
    path: "/admin/people/{personId}",
    area: "admin",
    auth: "token",
    summary: "A person in the directory (admin, hr).",
    params: PersonParams,
    success: { status: 200, description: "The person." },
  }),
  putOrgUnit: defineRoute({
    method: "PUT",
    path: "/admin/org-units/{orgUnitId}",
    area: "admin",
    auth: "token",
    summary: "Create or replace an org unit in the tree (admin).",
    params: z.strictObject({ orgUnitId: Id }),
    body: OrgUnitInput,
    success: { status: 200, description: "The org unit as stored." },
  }),
  orgUnits: defineRoute({
    method: "GET",
    path: "/org-units",
    area: "admin",
    auth: "token",
    summary: "The org tree (any signed-in user).",
    success: { status: 200, description: "Every org unit." },
  }),
} as const;

export type RouteId = keyof typeof routes;

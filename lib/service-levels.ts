/**
 * The service levels Laurel promises (docs/OPERATIONS.md, "Service levels and alarms") and the
 * route groups whose alarms guard them. Every alarm's description ends by naming the level it
 * guards, so whoever is paged knows what is at stake.
 */
import type { RouteSpec } from "../functions/http/route.ts";
import { routes } from "../functions/http/routes.ts";

export const serviceLevels = {
  availability: "Availability: at least 99.9% of API requests in a calendar month are answered without a 5xx",
  "webhook-latency": "Webhook latency: p99 of POST /webhooks/{sourceId} under 1,000 ms",
  "balance-latency": "Balance reads: p99 of GET /people/{personId}/balances under 500 ms",
  "api-latency": "Other routes: p99 under 2,000 ms",
  "client-errors": "Integrations work: under 5% of webhook requests and 10% of other requests refused with a 4xx",
  "leaderboard-freshness": "Leaderboards: every ledger entry counted within 5 minutes",
  notifications: "Notifications: every notice in the outbox within 5 minutes of its entry, and delivered or dead-lettered, never lost",
  "ledger-verified": "Ledger integrity: every invariant verified at least every 2 hours",
  rpo: "RPO: at most 15 minutes of ledger and state writes lost",
  rto: "RTO: service restored within 4 hours",
} as const;
export type ServiceLevel = keyof typeof serviceLevels;

/** The sentence an alarm description ends with. */
export const guards = (level: ServiceLevel): string => `Guards: ${serviceLevels[level]} (docs/OPERATIONS.md).`;

export const routeGroupNames = ["webhooks", "balances", "reads", "writes", "admin"] as const;
export type RouteGroup = (typeof routeGroupNames)[number];

export interface RouteGroupLevels {
  /** What the group is, for alarm descriptions. */
  title: string;
  p99Ms: number;
  latencyLevel: ServiceLevel;
  /** The share of requests (%) answered with a 4xx above which an integration is probably broken. */
  max4xxPercent: number;
}

export const routeGroups: Record<RouteGroup, RouteGroupLevels> = {
  webhooks: { title: "webhook deliveries from sources", p99Ms: 1_000, latencyLevel: "webhook-latency", max4xxPercent: 5 },
  balances: { title: "balance reads", p99Ms: 500, latencyLevel: "balance-latency", max4xxPercent: 10 },
  reads: { title: "reads", p99Ms: 2_000, latencyLevel: "api-latency", max4xxPercent: 10 },
  writes: { title: "writes that move coins, points and funds", p99Ms: 2_000, latencyLevel: "api-latency", max4xxPercent: 10 },
  admin: { title: "administration (definitions, directory, audit)", p99Ms: 2_000, latencyLevel: "api-latency", max4xxPercent: 10 },
};

/** 5xx rate (%) of a route group at which availability is burning ten times faster than 99.9% allows. */
export const max5xxPercent = 1;

/** Requests a route group must receive in a period before its error rates are judged. */
export const minRequestsForRates = 20;

export function routeGroupOf(spec: RouteSpec): RouteGroup {
  if (spec === routes.webhook) return "webhooks";
  if (spec === routes.balances) return "balances";
  // Provisioning (SCIM, DingTalk's contact changes) is directory administration by a system.
  if (/^\/(admin|scim|integrations)\//.test(spec.path)) return "admin";
  return spec.method === "GET" ? "reads" : "writes";
}

/** The API Gateway route key of a route, as in detailed metrics' Route dimension. */
export const routeKey = (spec: RouteSpec): string => `${spec.method} ${spec.path}`;

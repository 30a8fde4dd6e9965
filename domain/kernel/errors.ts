/**
 * One error vocabulary. Each error names its problem `code` (the machine-readable part of the
 * problem-details answer) and its `kind`; the HTTP layer maps kinds to statuses in one place.
 */
export type ErrorKind =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not-found"
  | "conflict"
  | "precondition-failed"
  | "unprocessable"
  | "too-large"
  | "unavailable";

export interface InvalidField {
  path: string;
  message: string;
}

export class DomainError extends Error {
  override name = "DomainError";
  readonly kind: ErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(kind: ErrorKind, code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  override name = "ValidationError";
  constructor(message: string, fields: InvalidField[]) {
    super("invalid", "validation-failed", message, { invalidFields: fields });
  }
}

export class NotFoundError extends DomainError {
  override name = "NotFoundError";
  constructor(what: string, id: string) {
    super("not-found", `${what}-not-found`, `No ${what.replaceAll("-", " ")} with id "${id}".`, { id });
  }
}

export class ForbiddenError extends DomainError {
  override name = "ForbiddenError";
  constructor(message: string) {
    super("forbidden", "forbidden", message);
  }
}

/** A webhook's signature is its credentials: the challenge a source is answered with (not a bearer scheme). */
export const webhookChallenge = 'Webhook-Signature realm="laurel"';

export class UnauthenticatedError extends DomainError {
  override name = "UnauthenticatedError";
  /** The WWW-Authenticate challenge of the 401 (RFC 9110 §11.6.1; for bearer tokens, RFC 6750 §3). */
  readonly challenge: string;
  constructor(message: string, options?: { cause?: unknown; challenge?: string }) {
    super("unauthenticated", "unauthenticated", message, {}, options);
    this.challenge =
      options?.challenge ?? `Bearer realm="laurel", error="invalid_token", error_description="${message.replaceAll('"', "'")}"`;
  }
}

/** A movement that would take a balance below zero. */
export class InsufficientBalanceError extends DomainError {
  override name = "InsufficientBalanceError";
  constructor(asset: string, balance: number, requested: number) {
    super(
      "conflict",
      "insufficient-balance",
      `The balance of ${asset} is ${balance}, ${requested - balance} short of the ${requested} requested.`,
      { asset, balance, requested, shortfall: requested - balance },
    );
  }
}

/** The same idempotency key was used before with different content. */
export class IdempotencyConflictError extends DomainError {
  override name = "IdempotencyConflictError";
  constructor(key: string) {
    super(
      "conflict",
      "idempotency-key-reused",
      `The Idempotency-Key "${key}" was already used for a different request; use a new key for a new request.`,
      { idempotencyKey: key },
    );
  }
}

/** Optimistic concurrency lost too many times in a row: safe to retry. */
export class BusyError extends DomainError {
  override name = "BusyError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("unavailable", "busy", message, { retryAfterSeconds: 1 }, options);
  }
}

/**
 * A conditional write lost a race (the projection moved on, or the idempotency key or reversal
 * marker was written meanwhile), or the store was throttled. Reading again and retrying is safe.
 */
export class ContentionError extends Error {
  override name = "ContentionError";
}

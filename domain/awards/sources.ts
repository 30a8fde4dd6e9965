/**
 * Sources: the business systems that post achievement events, each with its signing secrets
 * (generated here, shown once, stored sealed) and the event types it may send.
 */

import type { Caller } from "../directory/index.ts";
import { assertRole } from "../directory/index.ts";
import {
  assertUnchanged,
  DefinitionChanges,
  type DefinitionStore,
  type DefinitionView,
  definitionView,
  type FourEyesPolicy,
  type ProposalView,
  type Versioned,
} from "../kernel/definitions.ts";
import { DomainError, NotFoundError } from "../kernel/errors.ts";
import type { PersonId } from "../kernel/model.ts";
import type { Clock } from "../kernel/ports.ts";
import * as z from "../kernel/zod/index.ts";
import { compileDataSchema, type DataSchema, dataSchemaFault } from "./data-schemas.ts";
import type { SecretSealer } from "./ports.ts";
import { generateSecret } from "./webhook-signature.ts";

export const EventTypeName = z
  .string()
  .check(
    z.regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)+$/, "use a reverse-DNS style name such as com.tianma.learning.course.completed"),
    z.maxLength(200),
  );

export const SourceInput = z
  .strictObject({
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    eventTypes: z
      .array(
        z.strictObject({
          type: EventTypeName,
          /** A JSON Schema (2020-12) that every event's `data` must match. */
          dataSchema: z.optional(z.record(z.string(), z.unknown())),
        }),
      )
      .check(z.minLength(1), z.maxLength(50)),
    /** Events whose `time` is older than this are refused. */
    maxEventAgeDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(365)), 30),
  })
  .register(z.globalRegistry, { id: "SourceInput" });
export type SourceInput = z.infer<typeof SourceInput>;

export const RotateSecretInput = z
  .strictObject({
    overlapHours: z._default(z.number().check(z.int(), z.gte(0), z.lte(24 * 30)), 24),
  })
  .register(z.globalRegistry, { id: "RotateSecretInput" });

export interface StoredSecret {
  secretId: string;
  sealed: string;
  createdAt: string;
  /** Who created it, and so could sign events: never paid by this source's events. */
  createdBy?: PersonId;
  /** Set when a newer secret replaces this one; the old one keeps working until then. */
  expiresAt?: string;
}

export interface Source extends SourceInput {
  secrets: StoredSecret[];
}

const compiled = new Map<string, DataSchema>();

/** The data schema of a source's event type, compiled once per source version. */
export function dataSchemaOf(source: Versioned<Source>, type: string): DataSchema | undefined {
  const definition = source.body.eventTypes.find((t) => t.type === type)?.dataSchema;
  if (!definition) return undefined;
  const key = `${source.id}@${source.version}/${type}`;
  let schema = compiled.get(key);
  if (!schema) {
    schema = compileDataSchema(definition);
    compiled.set(key, schema);
  }
  return schema;
}

export const validSecrets = (source: Source, now: Date): StoredSecret[] =>
  source.secrets.filter((secret) => secret.expiresAt === undefined || Date.parse(secret.expiresAt) > now.getTime());

/** A source as admins read it: its definition, and beside it its secrets without their sealed values. */
export type SourceView = DefinitionView<SourceInput> & { secrets: Omit<StoredSecret, "sealed">[] };

const viewOf = (source: DefinitionView<Source>): SourceView => {
  const { secrets, ...definition } = source.definition;
  return { ...source, definition, secrets: secrets.map(({ sealed: _, ...rest }) => rest) };
};
const currentView = (source: Versioned<Source>): SourceView => viewOf(definitionView(source));

/** The signing secret is in the answer only when it was just made (a new source, a rotation). */
export type SourceChange =
  | { status: "current"; view: SourceView & { secret?: string } }
  | { status: "pending"; view: ProposalView<SourceInput> };

/** A proposal holds no secrets: approved, it keeps those the source has (none when it is new). */
const withSecretsOf = (input: SourceInput, current: Versioned<Source> | undefined): Source => ({
  ...input,
  secrets: current?.body.secrets ?? [],
});

/** Every event type's data schema must be a JSON Schema Laurel can check events against, or the source is refused. */
function checkDataSchemas(input: SourceInput): void {
  for (const { type, dataSchema } of input.eventTypes) {
    const fault = dataSchema && dataSchemaFault(dataSchema);
    if (fault)
      throw new DomainError(
        "unprocessable",
        "data-schema-invalid",
        `The data schema of ${type} is not a JSON Schema Laurel can use: ${fault}`,
        {
          eventType: type,
        },
      );
  }
}

export class SourceService {
  readonly #definitions: DefinitionStore;
  readonly #sealer: SecretSealer;
  readonly #clock: Clock;
  readonly #changes: DefinitionChanges;

  constructor(deps: { definitions: DefinitionStore; sealer: SecretSealer; clock: Clock; fourEyes?: () => FourEyesPolicy }) {
    this.#definitions = deps.definitions;
    this.#sealer = deps.sealer;
    this.#clock = deps.clock;
    this.#changes = new DefinitionChanges(deps);
  }

  /**
   * Creates or changes a source. A new source gets its first secret, returned this once only.
   * Under four eyes the change is a proposal, without secrets: an approved new source has none
   * until an admin asks for one (`rotate`), and a changed one keeps those it has.
   */
  async put(caller: Caller, sourceId: string, input: SourceInput, ifMatch?: number): Promise<SourceChange> {
    assertRole(caller, ["admin"]);
    checkDataSchemas(input);
    if (this.#changes.needsApproval("source")) {
      const proposed = await this.#changes.change(caller.personId, "source", sourceId, input, { ifMatch });
      if (proposed.status === "pending") return proposed;
    }
    return { status: "current", view: await this.#putNow(caller, sourceId, input, ifMatch) };
  }

  async #putNow(
    caller: Caller,
    sourceId: string,
    input: SourceInput,
    ifMatch: number | undefined,
  ): Promise<SourceView & { secret?: string }> {
    const current = await this.#definitions.get<Source>("source", sourceId);
    assertUnchanged(sourceId, current?.version ?? 0, ifMatch);
    const now = this.#clock.now().toISOString();
    const secret = current ? undefined : generateSecret();
    const secrets = current
      ? current.body.secrets
      : [{ secretId: "s1", sealed: await this.#sealer.seal(secret as string), createdAt: now, createdBy: caller.personId }];
    const next: Versioned<Source> = {
      id: sourceId,
      version: (current?.version ?? 0) + 1,
      updatedAt: now,
      updatedBy: caller.personId,
      body: { ...input, secrets },
    };
    await this.#definitions.put("source", next, current?.version ?? 0);
    return { ...currentView(next), ...(secret ? { secret } : {}) };
  }

  /** A second admin approves the source change waiting for approval; its author cannot. */
  async approve(caller: Caller, sourceId: string, proposal: number): Promise<SourceView> {
    assertRole(caller, ["admin"]);
    const approved = await this.#changes.approve<Source, SourceInput>(caller.personId, "source", sourceId, proposal, withSecretsOf);
    return viewOf(approved);
  }

  /** The source without its secrets, and the change waiting for approval if any. */
  async get(caller: Caller, sourceId: string) {
    assertRole(caller, ["admin"]);
    return this.#changes.withPending<Source, SourceView, SourceInput>("source", sourceId, currentView);
  }

  /**
   * The version a dry run evaluates: the current one, or with `pending` the change waiting for
   * approval as the version it would become (with the secrets the source has now).
   */
  async dryRunVersion(caller: Caller, sourceId: string, pending: boolean): Promise<Versioned<Source>> {
    assertRole(caller, ["admin"]);
    if (pending) return this.#changes.pendingVersion<Source, SourceInput>("source", sourceId, withSecretsOf);
    const current = await this.#definitions.get<Source>("source", sourceId);
    if (!current) throw new NotFoundError("source", sourceId);
    return current;
  }

  /**
   * A new secret; the current ones stay valid for `overlapHours`, so senders can switch over. The
   * secret is not part of the definition: the version keeps its author and approver, and the
   * secret names who created it (never paid by the source's events).
   */
  async rotate(caller: Caller, sourceId: string, overlapHours: number): Promise<SourceView & { secret: string }> {
    assertRole(caller, ["admin"]);
    const current = await this.#definitions.get<Source>("source", sourceId);
    if (!current) throw new NotFoundError("source", sourceId);
    const now = this.#clock.now();
    const expiresAt = new Date(now.getTime() + overlapHours * 3_600_000).toISOString();
    const secret = generateSecret();
    const kept = validSecrets(current.body, now).map((s) => ({
      ...s,
      expiresAt: s.expiresAt && s.expiresAt < expiresAt ? s.expiresAt : expiresAt,
    }));
    const secretId = `s${Math.max(0, ...current.body.secrets.map((s) => Number(s.secretId.slice(1)))) + 1}`;
    const next: Versioned<Source> = {
      ...current,
      version: current.version + 1,
      updatedAt: now.toISOString(),
      body: {
        ...current.body,
        secrets: [...kept, { secretId, sealed: await this.#sealer.seal(secret), createdAt: now.toISOString(), createdBy: caller.personId }],
      },
    };
    await this.#definitions.put("source", next, current.version);
    return { ...currentView(next), secret };
  }

  /**
   * Seals every stored secret again under the current key (a key rotation, `npm run reseal`):
   * each source with a secret under an older key gets a new version with the same author and
   * content. Safe to run again; a source changed meanwhile is read again and retried.
   */
  async resealAll(): Promise<{ sources: number; resealed: number }> {
    let sources = 0;
    let resealed = 0;
    for (const { id } of await this.#definitions.list<Source>("source")) {
      for (let attempt = 1; ; attempt++) {
        try {
          const count = await this.#reseal(id);
          sources += count ? 1 : 0;
          resealed += count;
          break;
        } catch (error) {
          if (!(error instanceof DomainError && error.code === "definition-changed") || attempt === 3) throw error;
        }
      }
    }
    return { sources, resealed };
  }

  async #reseal(sourceId: string): Promise<number> {
    const current = await this.#definitions.get<Source>("source", sourceId);
    if (!current) return 0;
    const stale = await Promise.all(current.body.secrets.map(async (s) => !(await this.#sealer.isCurrent(s.sealed))));
    if (!stale.includes(true)) return 0;
    const secrets = await Promise.all(
      current.body.secrets.map(async (s, i) =>
        stale[i] ? { ...s, sealed: await this.#sealer.seal(await this.#sealer.open(s.sealed)) } : s,
      ),
    );
    const next = {
      ...current,
      version: current.version + 1,
      updatedAt: this.#clock.now().toISOString(),
      body: { ...current.body, secrets },
    };
    await this.#definitions.put("source", next, current.version);
    return stale.filter(Boolean).length;
  }

  /** The plaintext secrets a signature may match now. */
  async signingSecrets(source: Versioned<Source>): Promise<string[]> {
    return Promise.all(validSecrets(source.body, this.#clock.now()).map((s) => this.#sealer.open(s.sealed)));
  }
}

/**
 * Admin-defined definitions (sources, rules, badges, later gates and indices) are versioned:
 * every change is a new version, and what they produce records the version that produced it.
 */
import type { PersonId } from "./model.ts";

export const definitionKinds = ["source", "rule", "badge", "reward", "index", "gate"] as const;
export type DefinitionKind = (typeof definitionKinds)[number];

export interface Versioned<T> {
  id: string;
  version: number;
  updatedAt: string;
  updatedBy: PersonId;
  body: T;
}

/**
 * Reads are current as of the request: a change saved before the request began is seen, on every
 * instance, however the adapter caches.
 */
export interface DefinitionStore {
  get<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined>;
  /** Every current definition of a kind. */
  list<T>(kind: DefinitionKind): Promise<Versioned<T>[]>;
  /**
   * A definition as this instance last saw it, possibly out of date: for a first decision that a
   * `get` later in the same request confirms (the webhook checks a signature with it, and again
   * if the source turns out to have changed).
   */
  peek<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined>;
  /**
   * Writes the next version. `previous` is the version the change was based on (0 for a new
   * definition); a concurrent change makes this throw a 409 rather than silently win.
   */
  put<T>(kind: DefinitionKind, definition: Versioned<T>, previous: number): Promise<void>;
}

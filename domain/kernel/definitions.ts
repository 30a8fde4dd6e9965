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

export interface DefinitionStore {
  get<T>(kind: DefinitionKind, id: string): Promise<Versioned<T> | undefined>;
  /** Every current definition of a kind; adapters may serve it from a short-lived cache. */
  list<T>(kind: DefinitionKind): Promise<Versioned<T>[]>;
  /**
   * Writes the next version. `previous` is the version the change was based on (0 for a new
   * definition); a concurrent change makes this throw a 409 rather than silently win.
   */
  put<T>(kind: DefinitionKind, definition: Versioned<T>, previous: number): Promise<void>;
}

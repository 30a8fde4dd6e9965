/** What every context needs from the world: the time, and pages of a long list. */

export interface Clock {
  now(): Date;
}

export interface Page<T> {
  items: T[];
  cursor: string | undefined;
}

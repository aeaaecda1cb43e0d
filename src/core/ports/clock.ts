// Time and randomness are ports so tests can pin them and the domain stays deterministic.
export interface Clock {
  /** Epoch milliseconds (docs/decisions.md 1). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

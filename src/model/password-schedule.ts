import { createHash } from 'node:crypto';

/** The share of the rotation interval by which a user may rotate early: spreads users created together. */
export const rotationJitterShare = 0.1;

/**
 * When a password set at `changedAt` is next rotated: `every` later, minus a jitter of up to 10 % of
 * `every` derived from the user's uid and `changedAt`. Deterministic, so each reconcile computes the
 * same instant (no status churn), yet 1,000 users created in one second rotate spread over 10 % of
 * the interval, and each rotation of one user gets a new offset.
 */
export function rotationDueAt(uid: string, changedAt: Date, everyMs: number): Date {
  const digest = createHash('sha256').update(`${uid}/${changedAt.toISOString()}`).digest();
  const fraction = digest.readUInt32BE(0) / 2 ** 32;
  return new Date(changedAt.getTime() + everyMs - Math.floor(fraction * rotationJitterShare * everyMs));
}

/** When a temporary user ends: `ttl` after its creation. */
export function expiryAt(createdAt: Date, ttlMs: number): Date {
  return new Date(createdAt.getTime() + ttlMs);
}

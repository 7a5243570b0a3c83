/**
 * The admission rule of the per-server connection bound (ADR 24). Pure.
 *
 * A reconcile takes connections to one server nested, each while holding the previous: the role's
 * lock connection (level 1), a connection to the role's database (level 2), then a one-off one (a
 * login check as the user, a visit to another database; level 3). Were every slot held by a
 * reconcile waiting for its next one, none would ever finish. So each level leaves room for the
 * levels under it: at most `bound - (maxNestingDepth - k)` connections of levels 1..k are in use,
 * for every k. The deepest holder can then always proceed, finish and free its connections.
 */
export const maxNestingDepth = 3;

/** The smallest bound that lets one reconcile take all its nested connections. */
export const minConnectionBound = maxNestingDepth;

/**
 * Whether one more connection at `level` (1 = a reconcile's first) may be checked out, given the
 * connections in use per level (`inUse[0]` at level 1). Idle connections do not count here: they
 * are closed to make room.
 */
export function admits(bound: number, inUse: readonly number[], level: number): boolean {
  if (level < 1 || level > maxNestingDepth) throw new RangeError(`connection nesting level ${level} outside 1..${maxNestingDepth}`);
  let upTo = 0;
  for (let k = 1; k <= maxNestingDepth; k++) {
    upTo += inUse[k - 1] ?? 0;
    if (k >= level && upTo + 1 > bound - (maxNestingDepth - k)) return false;
  }
  return true;
}

import { describe, expect, it } from '@jest/globals';
import { admits, maxNestingDepth, minConnectionBound } from '../../../src/postgres/connection-bound.js';

/** Connections in use per level after admitting `requests` (levels) in order, skipping the refused ones. */
function admitAll(bound: number, requests: readonly number[]): number[] {
  const inUse = new Array<number>(maxNestingDepth).fill(0);
  for (const level of requests) if (admits(bound, inUse, level)) inUse[level - 1] = (inUse[level - 1] ?? 0) + 1;
  return inUse;
}

describe('admits', () => {
  it('keeps one slot per deeper level free of first connections', () => {
    expect(admitAll(10, new Array<number>(20).fill(1))).toEqual([8, 0, 0]);
    expect(admitAll(4, new Array<number>(20).fill(1))).toEqual([2, 0, 0]);
    expect(admitAll(minConnectionBound, [1, 1, 1])).toEqual([1, 0, 0]);
  });

  it('admits nested connections into the room first connections leave', () => {
    expect(admitAll(4, [1, 1, 2, 2, 2, 3, 3])).toEqual([2, 1, 1]);
    expect(admitAll(10, [...new Array<number>(8).fill(1), ...new Array<number>(8).fill(2), 3, 3, 3])).toEqual([8, 1, 1]);
  });

  it('never lets the total pass the bound', () => {
    for (const bound of [3, 4, 5, 10]) {
      const inUse = admitAll(bound, [3, 2, 1, 3, 2, 1, 3, 2, 1, 3, 3, 3, 2, 2, 1, 1]);
      expect(inUse.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(bound);
    }
  });

  // Deadlock freedom: from any state the rule reaches, the deepest holder can always take its next
  // connection (or is at the deepest level and takes none), so every reconcile eventually finishes.
  it('always leaves room for the next level of the deepest holder', () => {
    for (const bound of [3, 4, 6, 10]) {
      for (let first = 0; first <= bound; first++) {
        for (let second = 0; second <= bound; second++) {
          const inUse = [first, second, 0];
          const reachable = first + second <= bound && first <= bound - 2 && first + second <= bound - 1 && (second === 0 || first > 0);
          if (!reachable) continue;
          // A holder at level 1 (when nobody is at level 2) or at level 2 can always go one deeper.
          if (second > 0) expect(admits(bound, inUse, 3)).toBe(true);
          else if (first > 0) expect(admits(bound, inUse, 2)).toBe(true);
        }
      }
    }
  });

  it('refuses levels outside the nesting it knows', () => {
    expect(() => admits(10, [0, 0, 0], 0)).toThrow(RangeError);
    expect(() => admits(10, [0, 0, 0], maxNestingDepth + 1)).toThrow(RangeError);
  });
});

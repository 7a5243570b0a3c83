import type { Parameters } from 'fast-check';

/**
 * The fuzzers' seed and size: fixed in CI (the same inputs every run, so a failure is a change of
 * the code, not of luck); `SEED=<n>` and `RUNS=<n>` explore further. fast-check prints the seed and
 * the shrunk counterexample of any failure, which `SEED` (and its `path`) replays.
 */
export function fuzzParameters<T>(defaultRuns = 1000): Parameters<T> {
  const seed = process.env.SEED === undefined || process.env.SEED === '' ? 0x2023 : Number(process.env.SEED);
  const numRuns = process.env.RUNS === undefined || process.env.RUNS === '' ? defaultRuns : Number(process.env.RUNS);
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(numRuns) || numRuns < 1) throw new Error('SEED and RUNS must be whole numbers');
  return { seed, numRuns };
}

/** Whether `message` repeats `value`: long enough that it cannot be a word of the message by chance. */
export function echoes(message: string, value: string): boolean {
  return value.trim().length >= 6 && message.includes(value);
}

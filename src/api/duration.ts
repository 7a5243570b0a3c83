// Durations as Kubernetes tools write them (Go's time.ParseDuration subset): shared by the
// operator's settings, the command line's --timeout and, later, spec fields.
const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses "500ms", "30s", "10m", "1h30m" into milliseconds; undefined if it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * (units[unit ?? ''] ?? 0);
  return total;
}

/** The longest delay a Node.js timer takes (2^31-1 ms, about 24.8 days): a longer one fires at once. */
export const longestTimerMs = 2 ** 31 - 1;

/**
 * A duration for a timer or a PostgreSQL timeout: whole milliseconds (rounded up), from 1 ms to
 * longestTimerMs; undefined otherwise. Longer would fire at once, shorter than 1 ms would be 0, which
 * PostgreSQL reads as "no timeout" (fuzzing finding timer-duration-out-of-range).
 */
export function parseTimerDuration(text: string): number | undefined {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) return undefined;
  const whole = Math.ceil(ms);
  return whole <= longestTimerMs ? whole : undefined;
}

/** "60s", "1m30s": how a duration is shown back to a person. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  const seconds = Math.round(ms / 1_000);
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${seconds}s` : `${minutes}m${seconds % 60 === 0 ? '' : `${seconds % 60}s`}`;
}

import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';

export interface SampledConnections {
  /** The application_name the operator connects with. */
  applicationName: string;
  /** Only sessions on these databases, or on databases starting with `prefix` (undefined: all). */
  databases?: { names: readonly string[]; prefix: string };
}

/**
 * Counts the operator's sessions in pg_stat_activity, as PostgreSQL sees them, every `intervalMs`
 * while it runs: the peak and the samples, to show the connection bound (ADR 24) from the server's side.
 */
export class ConnectionSampler {
  peak = 0;
  /** Samples the server did not answer. */
  failedSamples = 0;
  readonly samples: { at: number; count: number }[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly admin: pg.Pool,
    private readonly what: SampledConnections,
  ) {}

  /** The operator's sessions now. */
  async count(): Promise<number> {
    const { applicationName, databases } = this.what;
    const result = await this.admin.query<{ n: number }>(
      databases === undefined
        ? 'SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE application_name = $1'
        : 'SELECT count(*)::int AS n FROM pg_catalog.pg_stat_activity WHERE application_name = $1 AND (datname = ANY($2) OR starts_with(datname, $3))',
      databases === undefined ? [applicationName] : [applicationName, databases.names, databases.prefix],
    );
    return result.rows[0]?.n ?? 0;
  }

  start(intervalMs = 25): void {
    this.running = (async () => {
      while (!this.stopped) {
        try {
          const count = await this.count();
          this.samples.push({ at: performance.now(), count });
          this.peak = Math.max(this.peak, count);
        } catch {
          // The server refused or dropped the sampler's own session (a full server, a restart): a gap, not an end.
          this.failedSamples++;
        }
        await sleep(intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

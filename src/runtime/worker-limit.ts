/**
 * How many reconciles run at once when `WORKERS=auto` (ADR 29): a limit that follows the latency of a
 * round trip every changing reconcile makes (its status write), additive increase while the work
 * waits for a place and the latency stays near the lowest seen, multiplicative decrease once it has
 * doubled (more reconciles at once would only wait longer, as on a CPU-bound API server). Every few
 * windows, one window runs at the minimum: the latency without load, which the lowest seen would
 * otherwise never learn if the limit started, or stayed, too high.
 */
export interface WorkerLimitSettings {
  initial: number;
  min: number;
  max: number;
  /** Latency samples per adjustment. */
  window: number;
  /** How many windows back the lowest median (the baseline) is taken from. */
  history: number;
  /** Windows between two probes at the minimum. */
  probeEvery: number;
}

export const defaultWorkerLimit = { initial: 8, min: 2, window: 20, history: 50, probeEvery: 25 } as const;

/** The next limit after a window whose median latency was `median` (pure, ADR 29). */
export function nextLimit(limit: number, median: number, baseline: number, waiting: boolean, settings: Pick<WorkerLimitSettings, 'min' | 'max'>): number {
  if (median > 2 * baseline) return Math.max(settings.min, Math.floor(limit * 0.75));
  if (waiting && median <= 1.25 * baseline) return Math.min(settings.max, limit + 1);
  return limit;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Places for reconciles: taken before a reconcile, given back after it. */
export class WorkerLimit {
  private limit: number;
  private inFlight = 0;
  private closed = false;
  private readonly waiters: ((granted: boolean) => void)[] = [];
  private samples: number[] = [];
  /** Samples taken while a reconcile waited for a place. */
  private samplesWithWaiting = 0;
  private readonly medians: number[] = [];
  private windowsSinceProbe = 0;
  /** During a probe: the limit to go back to. */
  private probing: number | undefined;

  constructor(
    private readonly settings: WorkerLimitSettings,
    private readonly onChange: (limit: number) => void = () => undefined,
  ) {
    this.limit = Math.min(settings.max, Math.max(settings.min, settings.initial));
    onChange(this.limit);
  }

  get current(): number {
    return this.limit;
  }

  /** Reconciles holding a place now. */
  get running(): number {
    return this.inFlight;
  }

  /** Waits for a place; false once closed (the reconcile is not to run). */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.inFlight -= 1;
    this.grant();
  }

  /** Grants places again (a controller started after a stop). */
  open(): void {
    this.closed = false;
  }

  /** Refuses every waiting and later acquire (shutdown); running reconciles finish. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }

  /** One latency sample, in ms, of the round trip every changing reconcile makes. */
  observe(latencyMs: number): void {
    // A reconcile that ran beside more than the limit now allows says nothing about the limit.
    if (this.inFlight > this.limit) return;
    this.samples.push(latencyMs);
    if (this.waiters.length > 0) this.samplesWithWaiting += 1;
    if (this.samples.length < this.settings.window) return;
    const windowMedian = median(this.samples);
    const waiting = this.samplesWithWaiting * 2 >= this.samples.length;
    this.samples = [];
    this.samplesWithWaiting = 0;
    this.medians.push(windowMedian);
    if (this.medians.length > this.settings.history) this.medians.shift();
    let next = this.probing ?? nextLimit(this.limit, windowMedian, Math.min(...this.medians), waiting, this.settings);
    this.probing = undefined;
    this.windowsSinceProbe += 1;
    if (this.windowsSinceProbe >= this.settings.probeEvery && next > this.settings.min) {
      this.windowsSinceProbe = 0;
      this.probing = next;
      next = this.settings.min;
    }
    this.setLimit(next);
  }

  private setLimit(next: number): void {
    if (next === this.limit) return;
    this.limit = next;
    this.onChange(next);
    this.grant();
  }

  private grant(): void {
    while (this.inFlight < this.limit && this.waiters.length > 0) {
      this.inFlight += 1;
      this.waiters.shift()?.(true);
    }
  }
}

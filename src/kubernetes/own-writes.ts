/**
 * Recognises the watch events that the operator's own Secret writes cause, so they do not enqueue a
 * pointless second reconcile. The event can arrive before the write's response (whose
 * resourceVersion identifies it), so events for a Secret with a write in flight are parked until the
 * write returns, then dropped if they were that write, or released if they were someone else's.
 */
export class OwnWrites {
  private readonly written = new Map<string, string>();
  private readonly inFlight = new Map<string, number>();
  private readonly parked = new Map<string, { resourceVersion: string | undefined; release: () => void }[]>();

  /** Call before writing the Secret `key` (namespace/name). */
  begin(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  /** Call after the write, with the resourceVersion it produced (undefined if it failed). */
  end(key: string, resourceVersion: string | undefined): void {
    const remaining = (this.inFlight.get(key) ?? 1) - 1;
    if (remaining > 0) this.inFlight.set(key, remaining);
    else this.inFlight.delete(key);
    if (resourceVersion) this.written.set(key, resourceVersion);
    if (remaining > 0) return;
    const parked = this.parked.get(key) ?? [];
    this.parked.delete(key);
    for (const event of parked) {
      if (resourceVersion !== undefined && event.resourceVersion === resourceVersion) this.written.delete(key);
      else event.release();
    }
  }

  /**
   * The cache now holds the Secret `key` at `resourceVersion` (the write's response was stored): the
   * informer drops that version's echo by itself, so it will never reach observe() to clear the entry.
   */
  stored(key: string, resourceVersion: string | undefined): void {
    if (resourceVersion !== undefined && this.written.get(key) === resourceVersion && !this.inFlight.has(key)) this.written.delete(key);
  }

  /**
   * Decides about a watch event: our own write (dropped), someone else's (`onForeign` now), or
   * undecided while a write is in flight (`onForeign` later, if it was not ours).
   */
  observe(key: string, resourceVersion: string | undefined, onForeign: () => void): void {
    if (resourceVersion !== undefined && this.written.get(key) === resourceVersion) {
      this.written.delete(key);
      return;
    }
    if (this.inFlight.has(key)) {
      const parked = this.parked.get(key) ?? [];
      parked.push({ resourceVersion, release: onForeign });
      this.parked.set(key, parked);
      return;
    }
    onForeign();
  }
}

/**
 * Remembers the resourceVersion of each Secret the operator just wrote, so the watch event its own
 * write causes does not enqueue a pointless second reconcile.
 */
export class OwnWrites {
  private readonly versions = new Map<string, string>();

  record(key: string, resourceVersion: string | undefined): void {
    if (resourceVersion) this.versions.set(key, resourceVersion);
  }

  /** True (once) if this event is the echo of our own write. */
  consume(key: string, resourceVersion: string | undefined): boolean {
    const own = resourceVersion !== undefined && this.versions.get(key) === resourceVersion;
    if (own) this.versions.delete(key);
    return own;
  }
}

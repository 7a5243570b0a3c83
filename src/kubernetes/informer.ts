import type { KubeClient } from '../kube/kube-client.js';
import { listWatch, objectKey, type KubeObject, type ListWatchUpdate } from '../kube/list-watch.js';
import { describeError } from '../runtime/describe-error.js';
import type { Logger } from '../runtime/logger.js';

export interface InformerHandlers<T> {
  onAdd?: (object: T) => void;
  onUpdate?: (previous: T, object: T) => void;
  onDelete?: (object: T) => void;
}

export interface InformerOptions<Raw, Stored> {
  name: string;
  client: KubeClient;
  /** Collection path, e.g. /api/v1/namespaces/shop/secrets. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Receive only metadata (PartialObjectMetadata): e.g. for Secrets whose contents are not needed. */
  metadataOnly?: boolean;
  logger: Logger;
  /**
   * What to keep of each object. A projection keeps memory flat when only a few fields are needed,
   * e.g. with 10,000 DatabaseUsers and their Secrets.
   */
  project: (object: Raw) => Stored;
  /**
   * Whether store() fires the handlers as the watch event would have: for kinds whose dependents must
   * learn of the operator's own writes (a default user's readiness tells its Database). Otherwise
   * own writes are silent: the object written needs no second pass for it.
   */
  notifyOwnWrites?: boolean;
}

/**
 * A local cache kept by listWatch(), as client-go's informer: a new complete list (after 410 Gone) is
 * reported as the adds, updates and deletes it brings, and every failure is logged and retried with
 * backoff from the last resourceVersion (the JavaScript client's informer stops instead).
 */
export class Informer<Raw extends KubeObject, T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private syncedOnce = false;
  private readonly synced: Promise<void>;
  private markSynced: () => void = () => undefined;

  constructor(
    private readonly options: InformerOptions<Raw, T>,
    private readonly handlers: InformerHandlers<T>,
  ) {
    this.synced = new Promise((resolve) => {
      this.markSynced = resolve;
    });
  }

  get hasSynced(): boolean {
    return this.syncedOnce;
  }

  /** Resolves after the first complete list. */
  waitForSync(): Promise<void> {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /**
   * Puts an object the caller just wrote (the API server's response) into the cache, so reads see
   * it before its watch event arrives; that event then changes nothing and fires no handler.
   */
  store(raw: Raw): void {
    // The response to removing the last finalizer of a deleted object describes an object already gone:
    // storing it could outlive the watch's DELETED event (which may come first) as a ghost; that event removes it.
    if (raw.metadata?.deletionTimestamp !== undefined && (raw.metadata.finalizers ?? []).length === 0) return;
    const object = this.options.project(raw);
    if (this.options.notifyOwnWrites === true) this.upsert(objectKey(object), object);
    else this.objects.set(objectKey(object), object);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** listWatch() with every failure logged and retried (a 403 too: RBAC may be granted later). */
  private async run(): Promise<void> {
    const { client, path, labelSelector, fieldSelector, metadataOnly, logger, name } = this.options;
    const retryAfter = (error: unknown, delayMs: number): boolean => {
      logger.warn({ informer: name, err: describeError(error), retryInMs: delayMs }, 'watch failed; restarting with backoff');
      return true;
    };
    // Projected as they arrive (a list page by page): the raw objects, managedFields and all, are never all held at once.
    await listWatch<Raw, T>(
      client,
      path,
      { labelSelector, fieldSelector, metadataOnly, retryAfter },
      (update) => {
        this.handle(update);
      },
      this.abort.signal,
      this.options.project,
    );
  }

  private handle(update: ListWatchUpdate<T>): void {
    switch (update.kind) {
      case 'listed':
        this.replace(update.objects);
        return;
      case 'bookmark':
        return;
      case 'deleted': {
        const key = objectKey(update.object);
        const previous = this.objects.get(key) ?? update.object;
        this.objects.delete(key);
        this.handlers.onDelete?.(previous);
        return;
      }
      case 'applied': {
        const key = objectKey(update.object);
        // The echo of a write already stored from its response: it changes nothing.
        if (this.objects.get(key)?.metadata?.resourceVersion === update.object.metadata?.resourceVersion) return;
        this.upsert(key, update.object);
      }
    }
  }

  /** A complete list: what is gone is deleted, the rest added or updated. */
  private replace(objects: T[]): void {
    const seen = new Map(objects.map((object) => [objectKey(object), object]));
    for (const [key, previous] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.handlers.onDelete?.(previous);
      }
    }
    for (const [key, object] of seen) this.upsert(key, object);
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.markSynced();
    }
  }

  private upsert(key: string, object: T): void {
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    if (previous === undefined) this.handlers.onAdd?.(object);
    else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.handlers.onUpdate?.(previous, object);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '../runtime/backoff.js';
import { describeError } from '../runtime/describe-error.js';
import type { Logger } from '../runtime/logger.js';
import { KubeApiError } from './kube-api-error.js';
import { metadataOnly, metadataOnlyList, type KubeHttp, type WatchEvent } from './kube-http.js';
import type { ObjectList } from './kube-objects.js';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface InformerHandlers<T> {
  onAdd?: (object: T) => void;
  onUpdate?: (previous: T, object: T) => void;
  onDelete?: (object: T) => void;
}

export interface InformerOptions<Raw, Stored> {
  name: string;
  http: KubeHttp;
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
}

class GoneError extends Error {}

const restartBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };
/** Server-side watch timeout; the watch is re-opened from the last resourceVersion. */
const watchTimeoutSeconds = 300;
const pageSize = 500;

export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata ?? {};
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/**
 * List + watch with a local cache, as client-go's reflector: relists on 410 Gone (reporting what
 * changed meanwhile as adds, updates and deletes), resumes from the last resourceVersion after a
 * normal close or a bookmark, and restarts itself with backoff after any other error (the
 * JavaScript client's informer stops instead).
 */
export class Informer<Raw extends KubeObject, T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private resourceVersion = '';
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
    const object = this.options.project(raw);
    this.objects.set(objectKey(object), object);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /** A method, not a field read, because stop() changes it while run() awaits. */
  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }

  private get selectors(): Record<string, string | undefined> {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.isStopped()) {
      try {
        if (this.resourceVersion === '') await this.relist();
        await this.watchOnce();
        failures = 0;
      } catch (error) {
        if (this.isStopped()) break;
        if (error instanceof GoneError || (error instanceof KubeApiError && error.status === 410)) {
          this.resourceVersion = '';
          continue;
        }
        failures += 1;
        const delay = backoffDelay(restartBackoff, failures);
        this.options.logger.warn({ informer: this.options.name, err: describeError(error), retryInMs: delay }, 'watch failed; restarting with backoff');
        await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  private async relist(): Promise<void> {
    const { http, path } = this.options;
    const seen = new Map<string, T>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await http.request<ObjectList<Raw>>('GET', path, {
        query: { ...this.selectors, limit: pageSize, continue: continueToken },
        signal: this.abort.signal,
        ...(this.options.metadataOnly ? { accept: metadataOnlyList } : {}),
      });
      for (const item of page.items ?? []) {
        const object = this.options.project(item);
        seen.set(objectKey(object), object);
      }
      continueToken = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken);
    for (const [key, previous] of this.objects) {
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.handlers.onDelete?.(previous);
      }
    }
    for (const [key, object] of seen) this.upsert(key, object);
    this.resourceVersion = resourceVersion;
    this.setSynced();
  }

  private setSynced(): void {
    if (this.syncedOnce) return;
    this.syncedOnce = true;
    this.markSynced();
  }

  private async watchOnce(): Promise<void> {
    // The server ends the watch after watchTimeoutSeconds; the client guard catches a connection that
    // went silent without closing (bookmarks arrive about once a minute on a healthy watch).
    const guard = AbortSignal.any([this.abort.signal, AbortSignal.timeout((watchTimeoutSeconds + 60) * 1_000)]);
    await this.options.http.watch<Raw>(
      this.options.path,
      { ...this.selectors, resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: watchTimeoutSeconds },
      (event) => {
        this.handle(event);
      },
      guard,
      this.options.metadataOnly ? metadataOnly : undefined,
    );
  }

  private handle(event: WatchEvent<Raw>): void {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; message?: string };
      if (status.code === 410) throw new GoneError(status.message ?? 'resourceVersion too old');
      throw new Error(`watch error ${String(status.code)}: ${status.message ?? ''}`);
    }
    const resourceVersion = event.object.metadata?.resourceVersion;
    if (resourceVersion) this.resourceVersion = resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(event.object);
    // The echo of a write already stored from its response: it would change nothing, so skip projecting it.
    if (event.type !== 'DELETED' && resourceVersion !== undefined && this.objects.get(key)?.metadata?.resourceVersion === resourceVersion) return;
    const object = this.options.project(event.object);
    if (event.type === 'DELETED') {
      const previous = this.objects.get(key) ?? object;
      this.objects.delete(key);
      this.handlers.onDelete?.(previous);
      return;
    }
    this.upsert(key, object);
  }

  private upsert(key: string, object: T): void {
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    if (previous === undefined) this.handlers.onAdd?.(object);
    else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) this.handlers.onUpdate?.(previous, object);
  }
}

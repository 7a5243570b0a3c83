import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '../runtime/backoff.js';
import { KubeApiError } from './api-error.js';
import { metadataOnly, metadataOnlyList, type KubeClient, type WatchEvent } from './kube-client.js';
import type { ObjectList } from './objects.js';

/** What listWatch needs of a client: KubeClient, or a recording fake in unit tests. */
export type ListWatchClient = Pick<KubeClient, 'request' | 'watch'>;

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; deletionTimestamp?: string; finalizers?: string[] };
}

export interface ListWatchOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  /** Receive only metadata (PartialObjectMetadata): e.g. for Secrets whose contents are not needed. */
  metadataOnly?: boolean | undefined;
  /** Watch on from this resourceVersion instead of listing first (resuming after a dropped connection). */
  resourceVersion?: string | undefined;
  /**
   * A failure other than 410: return true to go on after the backoff (from the last resourceVersion),
   * false to reject with it. Default: go on after transient failures (the connection, a 5xx, a watch
   * error event), reject on a refusal (another 4xx, e.g. 403), which only a person can fix.
   */
  retryAfter?: ((error: unknown, delayMs: number) => boolean) | undefined;
  /** The retries' exponential backoff; default 1 s doubling to 30 s. */
  backoff?: BackoffPolicy | undefined;
}

/** What the caller learns, in order. Every update carries the resourceVersion it brings the caller to. */
export type ListWatchUpdate<T> =
  /** A complete list: the whole current state (the first one, and again after 410 Gone). */
  | { kind: 'listed'; objects: T[]; resourceVersion: string }
  | { kind: 'applied'; object: T; resourceVersion: string }
  | { kind: 'deleted'; object: T; resourceVersion: string }
  /** Nothing changed, but the caller is now at this resourceVersion. */
  | { kind: 'bookmark'; resourceVersion: string };

/** The answer "your resourceVersion is too old": list again. */
class Gone extends Error {}

const retryBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

function isTransient(error: unknown): boolean {
  return !(error instanceof KubeApiError) || error.status >= 500 || error.status === 429;
}

/** Server-side watch timeout; the watch is opened again from the last resourceVersion. */
const watchTimeoutSeconds = 300;
const pageSize = 500;

export function objectKey(object: KubeObject): string {
  const { namespace, name } = object.metadata ?? {};
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

/** Maps each object as it arrives (listWatch's `project`), so only what is kept stays in memory. */
export type Projection<T, U> = (object: T) => U;

/**
 * Every object of a collection, page by page, and the list's resourceVersion. `project` maps each
 * page's objects before the next page is read: a list of 50,000 objects then never holds 50,000 raw
 * ones (with their managedFields) at once.
 */
export async function listAll<T, U = T>(
  client: ListWatchClient,
  path: string,
  options: Pick<ListWatchOptions, 'labelSelector' | 'fieldSelector' | 'metadataOnly'> = {},
  signal?: AbortSignal,
  project?: Projection<T, U>,
): Promise<{ objects: U[]; resourceVersion: string }> {
  const objects: U[] = [];
  let continueToken: string | undefined;
  let resourceVersion = '';
  do {
    const page = await client.request<ObjectList<T>>('GET', path, {
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: pageSize, continue: continueToken },
      ...(signal === undefined ? {} : { signal }),
      ...(options.metadataOnly ? { accept: metadataOnlyList } : {}),
    });
    // A metadata-only list of nothing arrives as items: null (Go's nil slice).
    for (const item of page.items ?? []) objects.push(project === undefined ? (item as unknown as U) : project(item));
    continueToken = page.metadata?.continue === '' ? undefined : page.metadata?.continue;
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
  } while (continueToken);
  return { objects, resourceVersion };
}

/**
 * List, then watch from that list's resourceVersion, as client-go's reflector and kube-rs's watcher():
 * a watch the server ends (its timeout) or a bookmark is resumed from the last resourceVersion, and
 * 410 Gone (the version is too old) lists again, reporting the complete state, and other failures are
 * retried with backoff from the last resourceVersion (options.retryAfter decides which). Resolves when
 * the signal aborts; rejects on a failure not retried. `onUpdate` runs synchronously for every update,
 * in order. The one implementation of these rules: the operator's informers and people's tools alike.
 * `project` maps every object before the caller sees it (a list page by page).
 */
export async function listWatch<T extends KubeObject, U extends KubeObject = T>(
  client: ListWatchClient,
  path: string,
  options: ListWatchOptions,
  onUpdate: (update: ListWatchUpdate<U>) => void,
  signal: AbortSignal,
  project?: Projection<T, U>,
): Promise<void> {
  const map = project ?? ((object: T) => object as unknown as U);
  let resourceVersion = options.resourceVersion ?? '';
  const retryAfter = options.retryAfter ?? ((error: unknown) => isTransient(error));
  let failures = 0;
  const stopped = (): boolean => signal.aborted;
  while (!stopped()) {
    try {
      if (resourceVersion === '') {
        const listed = await listAll<T, U>(client, path, options, signal, map);
        resourceVersion = listed.resourceVersion;
        onUpdate({ kind: 'listed', ...listed });
      }
      // The server ends the watch after watchTimeoutSeconds; the client guard catches a connection that
      // went silent without closing (bookmarks arrive about once a minute on a healthy watch).
      const guard = AbortSignal.any([signal, AbortSignal.timeout((watchTimeoutSeconds + 60) * 1_000)]);
      await client.watch<T>(
        path,
        {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: watchTimeoutSeconds,
        },
        (event) => {
          resourceVersion = handle(event, resourceVersion, onUpdate, map);
          failures = 0;
        },
        guard,
        options.metadataOnly ? metadataOnly : undefined,
      );
    } catch (error) {
      if (stopped()) return;
      if (error instanceof Gone || (error instanceof KubeApiError && error.status === 410)) {
        resourceVersion = '';
        continue;
      }
      failures += 1;
      const delay = backoffDelay(options.backoff ?? retryBackoff, failures);
      if (!retryAfter(error, delay)) throw error;
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }
}

/** One watch event as an update; returns the resourceVersion it brings the caller to. */
function handle<T extends KubeObject, U>(event: WatchEvent<T>, current: string, onUpdate: (update: ListWatchUpdate<U>) => void, map: Projection<T, U>): string {
  if (event.type === 'ERROR') {
    // A metav1.Status: 410 when the resourceVersion is too old.
    const status = event.object as { code?: number; message?: string };
    if (status.code === 410) throw new Gone(status.message ?? 'resourceVersion too old');
    throw new Error(`watch error ${String(status.code)}: ${status.message ?? ''}`);
  }
  const resourceVersion = event.object.metadata?.resourceVersion ?? current;
  if (event.type === 'BOOKMARK') onUpdate({ kind: 'bookmark', resourceVersion });
  else if (event.type === 'DELETED') onUpdate({ kind: 'deleted', object: map(event.object), resourceVersion });
  else onUpdate({ kind: 'applied', object: map(event.object), resourceVersion });
  return resourceVersion;
}

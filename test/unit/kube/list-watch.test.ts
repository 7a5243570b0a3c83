import { describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../../src/kube/api-error.js';
import type { RequestOptions, WatchEvent } from '../../../src/kube/kube-client.js';
import { listAll, listWatch, type ListWatchClient, type ListWatchUpdate } from '../../../src/kube/list-watch.js';

// listWatch()'s rules against a scripted client: what it lists, from which resourceVersion it
// watches, and what it does with 410, a transient failure and a refusal. The real API server's side
// is test/integration/list-watch.test.ts.

interface Item {
  metadata: { name: string; resourceVersion: string };
}

const item = (name: string, resourceVersion: string): Item => ({ metadata: { name, resourceVersion } });

type Step = { list: Item[]; resourceVersion: string } | { listFails: Error } | { watch: WatchEvent<Item>[]; then?: Error } | { watchFails: Error };

/** A client that answers list and watch requests from a script, and records what was asked. */
function scriptedClient(steps: Step[], stop: AbortController) {
  const asked: string[] = [];
  const next = (): Step => {
    const step = steps.shift();
    if (step === undefined) {
      stop.abort();
      throw new Error('script finished');
    }
    return step;
  };
  const client: ListWatchClient = {
    request: <T>(_method: string, _path: string, options?: RequestOptions): Promise<T> => {
      asked.push(`list${options?.query?.continue === undefined ? '' : ' (continued)'}`);
      const step = next();
      if ('listFails' in step) return Promise.reject(step.listFails);
      if (!('list' in step)) throw new Error(`expected a list step, got ${JSON.stringify(step)}`);
      return Promise.resolve({ metadata: { resourceVersion: step.resourceVersion }, items: step.list } as T);
    },
    watch: <T>(_path: string, query: Record<string, unknown>, onEvent: (event: WatchEvent<T>) => void): Promise<void> => {
      asked.push(`watch from ${String(query.resourceVersion)}`);
      const step = next();
      if ('watchFails' in step) return Promise.reject(step.watchFails);
      if (!('watch' in step)) throw new Error(`expected a watch step, got ${JSON.stringify(step)}`);
      try {
        for (const event of step.watch) onEvent(event as WatchEvent<T>);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return step.then === undefined ? Promise.resolve() : Promise.reject(step.then);
    },
  };
  return { client, asked };
}

async function run(steps: Step[], given: Parameters<typeof listWatch>[2] = {}) {
  const options = { backoff: { initialMs: 1, maxMs: 2 }, ...given };
  const stop = new AbortController();
  const { client, asked } = scriptedClient(steps, stop);
  const updates: string[] = [];
  const describe = (update: ListWatchUpdate<Item>) =>
    update.kind === 'listed'
      ? `listed ${update.objects.map((object) => object.metadata.name).join(',')} @${update.resourceVersion}`
      : update.kind === 'bookmark'
        ? `bookmark @${update.resourceVersion}`
        : `${update.kind} ${update.object.metadata.name} @${update.resourceVersion}`;
  const outcome = await listWatch<Item>(client, '/api/v1/things', options, (update) => updates.push(describe(update)), stop.signal).then(
    () => 'resolved',
    (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
  );
  return { asked, updates, outcome };
}

const gone = { type: 'ERROR' as const, object: { code: 410, message: 'too old resource version' } as unknown as Item };
const status = (code: number) => new KubeApiError(code, 'Reason', 'the server says no', 'GET', '/api/v1/things');

describe('listWatch', () => {
  it('lists, then watches from the list, resuming from the last resourceVersion when a watch ends', async () => {
    const result = await run([
      { list: [item('a', '5')], resourceVersion: '10' },
      {
        watch: [
          { type: 'ADDED', object: item('b', '11') },
          { type: 'BOOKMARK', object: item('', '12') },
        ],
      },
      {
        watch: [
          { type: 'MODIFIED', object: item('a', '13') },
          { type: 'DELETED', object: item('b', '14') },
        ],
      },
    ]);
    expect(result.asked).toEqual(['list', 'watch from 10', 'watch from 12', 'watch from 14']);
    expect(result.updates).toEqual(['listed a @10', 'applied b @11', 'bookmark @12', 'applied a @13', 'deleted b @14']);
    expect(result.outcome).toBe('resolved');
  });

  it('lists again after a 410 event or a 410 answer, reporting the whole state', async () => {
    const result = await run([
      { list: [item('a', '5')], resourceVersion: '10' },
      { watch: [gone] },
      { list: [item('a', '5'), item('b', '20')], resourceVersion: '21' },
      { watchFails: status(410) },
      { list: [item('b', '20')], resourceVersion: '30' },
    ]);
    expect(result.asked).toEqual(['list', 'watch from 10', 'list', 'watch from 21', 'list', 'watch from 30']);
    expect(result.updates).toEqual(['listed a @10', 'listed a,b @21', 'listed b @30']);
  });

  it('starts from a given resourceVersion without listing', async () => {
    const result = await run([{ watch: [{ type: 'ADDED', object: item('c', '42') }] }], { resourceVersion: '40' });
    expect(result.asked).toEqual(['watch from 40', 'watch from 42']);
    expect(result.updates).toEqual(['applied c @42']);
  });

  it('retries a transient failure (the connection, a 5xx, a watch error event) from the last resourceVersion', async () => {
    const retried: string[] = [];
    const result = await run(
      [
        { list: [], resourceVersion: '10' },
        { watch: [{ type: 'ADDED', object: item('a', '11') }], then: new Error('socket hang up') },
        { watchFails: status(503) },
        { watch: [{ type: 'ERROR', object: { code: 500, message: 'internal' } as unknown as Item }] },
      ],
      {
        retryAfter: (error) => {
          retried.push(error instanceof Error ? error.message : String(error));
          return true;
        },
      },
    );
    expect(result.asked).toEqual(['list', 'watch from 10', 'watch from 11', 'watch from 11', 'watch from 11']);
    expect(retried).toEqual(['socket hang up', 'GET /api/v1/things: 503 Reason: the server says no', 'watch error 500: internal']);
  });

  it('rejects, by default, on a refusal only a person can fix (403), keeping the server’s words', async () => {
    const result = await run([{ listFails: status(403) }]);
    expect(result.outcome).toBe('rejected: GET /api/v1/things: 403 Reason: the server says no');
  });

  it('reads a metadata-only list of nothing (items: null) as an empty list', async () => {
    const result = await run([{ list: null as unknown as Item[], resourceVersion: '7' }]);
    expect(result.updates).toEqual(['listed  @7']);
  });

  it('projects every object it reports, a list page by page before the next page is read', async () => {
    const projected: string[] = [];
    const pages = [
      { metadata: { continue: 'page-2', resourceVersion: '10' }, items: [item('a', '1'), item('b', '2')] },
      { metadata: { continue: '', resourceVersion: '10' }, items: [item('c', '3')] },
    ];
    const client: ListWatchClient = {
      request: <T>(): Promise<T> => {
        projected.push(`page ${String(3 - pages.length)} asked`);
        return Promise.resolve(pages.shift() as T);
      },
      watch: <T>(_path: string, _query: Record<string, unknown>, onEvent: (event: WatchEvent<T>) => void): Promise<void> => {
        onEvent({ type: 'MODIFIED', object: item('a', '11') } as WatchEvent<T>);
        stop.abort();
        return Promise.resolve();
      },
    };
    const stop = new AbortController();
    const project = (object: Item) => {
      projected.push(object.metadata.name);
      return { metadata: { name: object.metadata.name.toUpperCase(), resourceVersion: object.metadata.resourceVersion } };
    };
    const updates: ListWatchUpdate<Item>[] = [];
    await listWatch<Item, Item>(client, '/api/v1/things', {}, (update) => updates.push(update), stop.signal, project);
    expect(projected).toEqual(['page 1 asked', 'a', 'b', 'page 2 asked', 'c', 'a']);
    expect(
      updates.map((update) =>
        update.kind === 'listed' ? update.objects.map((o) => o.metadata.name) : update.kind === 'applied' ? update.object.metadata.name : update.kind,
      ),
    ).toEqual([['A', 'B', 'C'], 'A']);
    pages.push({ metadata: { continue: '', resourceVersion: '12' }, items: [item('d', '4')] });
    expect((await listAll<Item>(client, '/api/v1/things')).objects).toEqual([item('d', '4')]);
  });
});

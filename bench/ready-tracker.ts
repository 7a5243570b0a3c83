import type { DatabaseUser } from '../src/api/database-user.js';
import { Informer } from '../src/kubernetes/informer.js';
import { objectKey } from '../src/kube/list-watch.js';
import type { KubeClient } from '../src/kube/kube-client.js';
import { databaseUsers } from '../src/api/names.js';
import { resourcePath } from '../src/kube/paths.js';
import { createLogger } from '../src/runtime/logger.js';

function isReady(user: DatabaseUser): boolean {
  const ready = user.status?.conditions?.find((condition) => condition.type === 'Ready');
  return ready?.status === 'True' && user.status?.observedGeneration === user.metadata.generation;
}

/** Watches a namespace's DatabaseUsers and records when each first became Ready. */
export class ReadyTracker {
  readonly readyAt = new Map<string, number>();
  private readonly informer: Informer<DatabaseUser, DatabaseUser>;
  private waiters: { count: number; resolve: () => void }[] = [];

  /** `onReady` hears each user's name the first time it is Ready. */
  constructor(http: KubeClient, namespace: string, onReady?: (name: string) => void) {
    const seen = (user: DatabaseUser): void => {
      const key = objectKey(user);
      if (!this.readyAt.has(key) && isReady(user)) {
        this.readyAt.set(key, performance.now());
        onReady?.(user.metadata.name ?? '');
        this.waiters = this.waiters.filter((waiter) => {
          if (this.readyAt.size < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      }
    };
    this.informer = new Informer<DatabaseUser, DatabaseUser>(
      { name: 'bench', client: http, path: resourcePath(databaseUsers, namespace), logger: createLogger('silent'), project: (user) => user },
      {
        onAdd: seen,
        onUpdate: (_previous, user) => {
          seen(user);
        },
      },
    );
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  /** Resolves when at least `count` users have been Ready. */
  untilReady(count: number): Promise<void> {
    if (this.readyAt.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  forget(key: string): void {
    this.readyAt.delete(key);
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }
}

import { Informer } from '../src/kubernetes/informer.js';
import { objectKey } from '../src/kube/list-watch.js';
import type { KubeClient } from '../src/kube/kube-client.js';
import { secretValue, type KubeSecret } from '../src/kube/objects.js';
import { resourcePath, secrets } from '../src/kube/paths.js';
import { createLogger } from '../src/runtime/logger.js';

interface UriOf {
  /** resourceVersion kept: the informer skips an update whose version it already holds. */
  metadata: { name: string; namespace: string; resourceVersion?: string };
  uri: string;
}

/**
 * Logs in with each user's password as soon as the user is Ready, as an application waiting for
 * its Secret would: the credentials Secrets come from one label-selected watch (no GET per user),
 * logins run a few at a time while the rest of the burst is still being reconciled.
 */
export class LoginVerifier {
  ok = 0;
  failed = 0;
  private readonly uris = new Map<string, string>();
  private readonly waitingForSecret = new Set<string>();
  private readonly queue: string[] = [];
  private running = 0;
  private stopped = false;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly informer: Informer<KubeSecret, UriOf>;

  constructor(
    http: KubeClient,
    private readonly namespace: string,
    private readonly canLogin: (uri: string) => Promise<boolean>,
    private readonly concurrency = 8,
  ) {
    const seen = (secret: UriOf) => {
      const key = objectKey(secret);
      this.uris.set(key, secret.uri);
      if (this.waitingForSecret.delete(key)) this.enqueue(key);
    };
    this.informer = new Informer<KubeSecret, UriOf>(
      {
        name: 'bench-secrets',
        client: http,
        path: resourcePath(secrets, namespace),
        labelSelector: 'app.kubernetes.io/managed-by=dbuser-operator',
        logger: createLogger('silent'),
        project: (secret) => ({
          metadata: {
            name: secret.metadata?.name ?? '',
            namespace,
            ...(secret.metadata?.resourceVersion ? { resourceVersion: secret.metadata.resourceVersion } : {}),
          },
          uri: secretValue(secret, 'uri') ?? '',
        }),
      },
      {
        onAdd: seen,
        onUpdate: (_previous, secret) => {
          seen(secret);
        },
      },
    );
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  /** The DatabaseUser `name` is Ready: log in with its Secret's password (default Secret name). */
  verify(name: string): void {
    if (this.stopped) return;
    const key = `${this.namespace}/${name}-credentials`;
    if (this.uris.has(key)) this.enqueue(key);
    else this.waitingForSecret.add(key);
  }

  /** Resolves when at least `count` logins were tried. */
  until(count: number): Promise<void> {
    if (this.ok + this.failed >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }

  private enqueue(key: string): void {
    this.queue.push(key);
    this.drain();
  }

  private drain(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() ?? '';
      this.running += 1;
      void this.canLogin(this.uris.get(key) ?? '')
        .then(
          (ok) => (ok ? this.ok++ : this.failed++),
          () => this.failed++,
        )
        .finally(() => {
          this.running -= 1;
          this.waiters = this.waiters.filter((waiter) => {
            if (this.ok + this.failed < waiter.count) return true;
            waiter.resolve();
            return false;
          });
          this.drain();
        });
    }
  }
}

import type { ReconcileResult } from '../runtime/controller.js';

export interface ConnectionProtectionDependencies {
  /**
   * Whether any DatabaseUser names the Secret `namespace/name` as its connection: the watch cache, and
   * with shards (ADR 25) the users the other shards watch too.
   */
  isInUse: (secretKey: string) => boolean | Promise<boolean>;
  /** Removes the in-use finalizer, if the Secret has it. */
  release: (namespace: string, name: string) => Promise<void>;
}

/**
 * The second half of the connection Secrets' in-use finalizer (the reconciler adds it before a user
 * takes its own finalizer): once no DatabaseUser names the Secret any more, the finalizer goes, and
 * a deletion that waited for the users finishes. Keyed by the Secret's namespace/name.
 */
export class ConnectionProtection {
  constructor(private readonly deps: ConnectionProtectionDependencies) {}

  async reconcile(secretKey: string): Promise<ReconcileResult> {
    if (await this.deps.isInUse(secretKey)) return { kind: 'done' };
    const [namespace = '', name = ''] = secretKey.split('/');
    await this.deps.release(namespace, name);
    return { kind: 'done' };
  }
}

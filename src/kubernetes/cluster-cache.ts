import type { DatabaseUser } from '../api/database-user.js';
import { apiGroup, databaseUsers, managedByLabel, managedByValue } from '../api/names.js';
import type { KubeClient } from '../kube/kube-client.js';
import { objectKey } from '../kube/list-watch.js';
import type { KubeSecret } from '../kube/objects.js';
import { resourcePath, secrets } from '../kube/paths.js';
import type { Logger } from '../runtime/logger.js';
import { projectCredentialsSecret, type CachedCredentialsSecret } from './credentials-secret.js';
import { Informer } from './informer.js';
import type { OwnWrites } from './own-writes.js';

/** Any other Secret: that it exists, its version, and whether it is being deleted and what holds it. */
export interface SecretEntry {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; deletionTimestamp?: string; finalizers?: string[] };
}

/** What every informer offers for its lifecycle. */
interface Watch {
  start(): void;
  stop(): Promise<void>;
  waitForSync(): Promise<void>;
  readonly hasSynced: boolean;
}

/** What the credentials Secret's name refers to right now, as cached (model/credentials.ts's lookup before its seal is verified). */
export type CachedCredentialsLookup = { kind: 'absent' } | { kind: 'managed'; secret: CachedCredentialsSecret } | { kind: 'unmanaged' };

export interface ClusterCacheHandlers {
  onUserAdded: (user: DatabaseUser) => void;
  onUserChanged: (previous: DatabaseUser, user: DatabaseUser) => void;
  onUserDeleted: (user: DatabaseUser) => void;
  /** A Secret was added, changed or deleted, other than by the operator's own write. */
  onSecretChanged: (key: string) => void;
}

export interface ClusterCacheOptions {
  http: KubeClient;
  logger: Logger;
  /** undefined: every namespace. */
  namespaces: readonly (string | undefined)[];
  /** A single Secret outside those namespaces to watch too (the default connection). */
  extraSecret: { namespace: string; name: string } | undefined;
  ownWrites: OwnWrites;
}

const ourSecrets = `${managedByLabel}=${managedByValue}`;
const otherSecrets = `${managedByLabel}!=${managedByValue}`;

/**
 * Only what reconciles read: metadata without managedFields, labels or foreign annotations (a
 * kubectl last-applied annotation can be the largest part of an object), the spec and the status.
 */
export function projectDatabaseUser(user: DatabaseUser): DatabaseUser {
  const { name, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, finalizers, annotations } = user.metadata;
  const ours = Object.entries(annotations ?? {}).filter(([key]) => key.startsWith(`${apiGroup}/`));
  return {
    metadata: {
      ...(name === undefined ? {} : { name }),
      ...(namespace === undefined ? {} : { namespace }),
      ...(uid === undefined ? {} : { uid }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      ...(generation === undefined ? {} : { generation }),
      ...(creationTimestamp === undefined ? {} : { creationTimestamp }),
      ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
      ...(finalizers === undefined ? {} : { finalizers }),
      ...(ours.length === 0 ? {} : { annotations: Object.fromEntries(ours) }),
    },
    spec: user.spec,
    ...(user.status === undefined ? {} : { status: user.status }),
  };
}

function projectSecretEntry(secret: KubeSecret): SecretEntry {
  const { name = '', namespace = '', uid = '', resourceVersion = '', deletionTimestamp, finalizers } = secret.metadata ?? {};
  return {
    metadata: {
      name,
      namespace,
      uid,
      resourceVersion,
      ...(deletionTimestamp === undefined ? {} : { deletionTimestamp }),
      ...(finalizers === undefined || finalizers.length === 0 ? {} : { finalizers }),
    },
  };
}

/**
 * The operator's view of the cluster, kept by watches so that reconciles read memory, not the API
 * server: the DatabaseUsers; the credentials Secrets it wrote (label-selected, with their contents
 * reduced to what a reconcile compares); and every other Secret as name and version only (to see
 * that a referenced Secret changed, and that a credentials Secret name is taken). The two Secret
 * watches split by label, so each Secret event is sent once.
 */
export class ClusterCache {
  /** By namespace; undefined: every namespace. */
  private readonly userInformers = new Map<string | undefined, Informer<DatabaseUser, DatabaseUser>>();
  private readonly credentialsInformers = new Map<string | undefined, Informer<KubeSecret, CachedCredentialsSecret>>();
  private readonly otherSecretInformers: Informer<KubeSecret, SecretEntry>[] = [];

  constructor(options: ClusterCacheOptions, handlers: ClusterCacheHandlers) {
    const { http, logger, namespaces, extraSecret, ownWrites } = options;
    const secretChanged = (secret: { metadata: { namespace: string; name: string; resourceVersion: string } }): void => {
      const key = objectKey(secret);
      ownWrites.observe(key, secret.metadata.resourceVersion, () => {
        handlers.onSecretChanged(key);
      });
    };
    const secretHandlers = {
      onAdd: secretChanged,
      onUpdate: (_previous: unknown, secret: SecretEntry | CachedCredentialsSecret) => {
        secretChanged(secret);
      },
      onDelete: secretChanged,
    };
    for (const namespace of namespaces) {
      const where = namespace ?? '*';
      this.userInformers.set(
        namespace,
        new Informer(
          { name: `databaseusers/${where}`, client: http, path: resourcePath(databaseUsers, namespace), logger, project: projectDatabaseUser },
          { onAdd: handlers.onUserAdded, onUpdate: handlers.onUserChanged, onDelete: handlers.onUserDeleted },
        ),
      );
      this.credentialsInformers.set(
        namespace,
        new Informer(
          {
            name: `credentials-secrets/${where}`,
            client: http,
            path: resourcePath(secrets, namespace),
            labelSelector: ourSecrets,
            logger,
            project: projectCredentialsSecret,
          },
          secretHandlers,
        ),
      );
      this.otherSecretInformers.push(
        new Informer(
          {
            name: `secrets/${where}`,
            client: http,
            path: resourcePath(secrets, namespace),
            labelSelector: otherSecrets,
            metadataOnly: true,
            logger,
            project: projectSecretEntry,
          },
          secretHandlers,
        ),
      );
    }
    if (extraSecret && !namespaces.includes(undefined) && !namespaces.includes(extraSecret.namespace)) {
      this.otherSecretInformers.push(
        new Informer(
          {
            name: `secrets/${extraSecret.namespace}/${extraSecret.name}`,
            client: http,
            path: resourcePath(secrets, extraSecret.namespace),
            fieldSelector: `metadata.name=${extraSecret.name}`,
            metadataOnly: true,
            logger,
            project: projectSecretEntry,
          },
          secretHandlers,
        ),
      );
    }
  }

  private get informers(): Watch[] {
    return [...this.userInformers.values(), ...this.credentialsInformers.values(), ...this.otherSecretInformers];
  }

  start(): void {
    for (const informer of this.informers) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.waitForSync()));
  }

  get synced(): boolean {
    return this.informers.every((informer) => informer.hasSynced);
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.stop()));
  }

  user(key: string): DatabaseUser | undefined {
    return firstOf(this.userInformers.values(), key);
  }

  users(): DatabaseUser[] {
    return [...this.userInformers.values()].flatMap((informer) => informer.list());
  }

  credentialsSecret(namespace: string, name: string): CachedCredentialsLookup {
    const key = `${namespace}/${name}`;
    const secret = firstOf(this.credentialsInformers.values(), key);
    if (secret) return { kind: 'managed', secret };
    return firstOf(this.otherSecretInformers, key) ? { kind: 'unmanaged' } : { kind: 'absent' };
  }

  /** The resourceVersion of any Secret the operator watches, or undefined when there is none by that name. */
  secretVersion(namespace: string, name: string): string | undefined {
    const key = `${namespace}/${name}`;
    return (firstOf(this.otherSecretInformers, key) ?? firstOf(this.credentialsInformers.values(), key))?.metadata.resourceVersion;
  }

  /** A Secret the operator did not write (a connection or a chosen password Secret), as metadata. */
  otherSecret(namespace: string, name: string): SecretEntry | undefined {
    return firstOf(this.otherSecretInformers, `${namespace}/${name}`);
  }

  /** The Secrets the operator did not write that carry this finalizer. */
  otherSecretsWithFinalizer(finalizer: string): SecretEntry[] {
    return this.otherSecretInformers.flatMap((informer) => informer.list()).filter((secret) => secret.metadata.finalizers?.includes(finalizer));
  }

  /** Such a Secret as the API server just returned it from our write (of its finalizers). */
  rememberOtherSecret(secret: KubeSecret): void {
    const key = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
    this.otherSecretInformers.find((informer) => informer.get(key) !== undefined)?.store(secret);
  }

  /** A DatabaseUser as the API server just returned it from our write. */
  rememberUser(user: DatabaseUser): void {
    informerFor(this.userInformers, user.metadata.namespace)?.store(user);
  }

  /** A credentials Secret as the API server just returned it from our write. */
  rememberCredentialsSecret(secret: KubeSecret): void {
    informerFor(this.credentialsInformers, secret.metadata?.namespace)?.store(secret);
  }
}

function firstOf<T>(informers: Iterable<{ get: (key: string) => T | undefined }>, key: string): T | undefined {
  for (const informer of informers) {
    const found = informer.get(key);
    if (found) return found;
  }
  return undefined;
}

/** The informer of the object's namespace, or the one for every namespace. */
function informerFor<T>(informers: ReadonlyMap<string | undefined, T>, namespace: string | undefined): T | undefined {
  return informers.get(namespace) ?? informers.get(undefined);
}

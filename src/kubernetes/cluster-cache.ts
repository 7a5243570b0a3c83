import type { DatabaseServer } from '../api/database-server.js';
import type { DatabaseUser, ObjectMeta } from '../api/database-user.js';
import type { Database } from '../api/database.js';
import { apiGroup, databaseKind, databases, databaseServers, databaseUsers, managedByLabel, managedByValue, shardKeyLabel } from '../api/names.js';
import type { KubeClient } from '../kube/kube-client.js';
import { objectKey } from '../kube/list-watch.js';
import type { KubeSecret } from '../kube/objects.js';
import { namespaces as namespacesType, resourcePath, secrets } from '../kube/paths.js';
import type { Logger } from '../runtime/logger.js';
import { projectCredentialsSecret, type CachedCredentialsSecret } from './credentials-secret.js';
import { Informer } from './informer.js';
import type { OwnWrites } from './own-writes.js';
import { StringTable } from './string-table.js';
import { UsersByDatabase } from './users-by-database.js';

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
  /** A Database was added (no previous), changed, or deleted (no current); the operator's own writes included. */
  onDatabaseChanged: (previous: Database | undefined, current: Database | undefined) => void;
  /** A DatabaseServer was added, changed or deleted. */
  onServerChanged: (server: DatabaseServer) => void;
  /** A namespace's labels may have changed (which servers it may use). */
  onNamespaceChanged: (name: string) => void;
}

/** A namespace as the servers' selectors need it: its name and labels. */
export interface NamespaceEntry {
  metadata: { name: string; resourceVersion: string; labels: Readonly<Record<string, string>> };
}

function projectNamespace(namespace: { metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> } }): NamespaceEntry {
  return {
    metadata: { name: namespace.metadata?.name ?? '', resourceVersion: namespace.metadata?.resourceVersion ?? '', labels: namespace.metadata?.labels ?? {} },
  };
}

export interface ClusterCacheOptions {
  http: KubeClient;
  logger: Logger;
  /** undefined: every namespace. */
  namespaces: readonly (string | undefined)[];
  /** A single Secret outside those namespaces to watch too (the default connection). */
  extraSecret: { namespace: string; name: string } | undefined;
  /** The operator's namespace: the DatabaseServers' admin Secrets are there. */
  operatorNamespace: string;
  /** A label selector of the DatabaseServers to watch (undefined: all). */
  serverSelector?: string | undefined;
  /** This instance's shard (ADR 25): a label selector of the DatabaseUsers to watch (undefined: all). Databases are all watched, being few. */
  userSelector?: string | undefined;
  ownWrites: OwnWrites;
}

const ourSecrets = `${managedByLabel}=${managedByValue}`;
const otherSecrets = `${managedByLabel}!=${managedByValue}`;

/**
 * Only what reconciles read: metadata without managedFields, labels or foreign annotations (a
 * kubectl last-applied annotation can be the largest part of an object), the spec and the status.
 */
export function projectDatabaseUser(user: DatabaseUser, strings?: StringTable): DatabaseUser {
  const { name, uid, resourceVersion, generation, deletionTimestamp, annotations, labels, ownerReferences } = user.metadata;
  const namespace = user.metadata.namespace === undefined ? undefined : (strings?.intern(user.metadata.namespace) ?? user.metadata.namespace);
  const creationTimestamp =
    user.metadata.creationTimestamp === undefined ? undefined : (strings?.intern(user.metadata.creationTimestamp) ?? user.metadata.creationTimestamp);
  const finalizers = strings === undefined ? user.metadata.finalizers : user.metadata.finalizers?.map((finalizer) => strings.intern(finalizer));
  if (strings !== undefined) internUserFields(user, strings);
  const ours = Object.entries(annotations ?? {}).filter(([key]) => key.startsWith(`${apiGroup}/`));
  // A Database's default user is known by its label and its controller (DESIGN §13); its shard key is compared with its Database's
  // (ADR 25); managed-by is part of the default user's manifest, so without it every Database pass would rewrite that user.
  const ourLabels = Object.entries(labels ?? {}).filter(([key]) => key.startsWith(`${apiGroup}/`) || key === shardKeyLabel || key === managedByLabel);
  const databaseOwners = (ownerReferences ?? []).filter((reference) => reference.kind === databaseKind.kind);
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
      ...(ourLabels.length === 0 ? {} : { labels: Object.fromEntries(ourLabels) }),
      ...(databaseOwners.length === 0 ? {} : { ownerReferences: databaseOwners }),
    },
    spec: user.spec,
    ...(user.status === undefined ? {} : { status: user.status }),
  };
}

/** The spec and status fields with few distinct values (strings the same for many users). */
function internUserFields(user: DatabaseUser, strings: StringTable): void {
  const spec = user.spec as { connection?: unknown } | undefined;
  strings.internFields(spec, ['database', 'passwordEncryption', 'deletionPolicy']);
  strings.internFields(spec?.connection, ['secretName']);
  const status = user.status;
  if (status === undefined) return;
  // The same text twice in one object: keep one copy (JSON.parse made two).
  if (status.username === (spec as { username?: unknown } | undefined)?.username) status.username = (spec as { username: string }).username;
  if (status.lastPasswordChange !== undefined && status.lastPasswordChange.at === status.passwordUpdatedAt)
    status.passwordUpdatedAt = status.lastPasswordChange.at;
  strings.internFields(status, ['passwordEncryption']);
  strings.internFields(status.lastPasswordChange, ['by', 'reason']);
  for (const condition of status.conditions ?? []) strings.internFields(condition, ['type', 'status', 'reason', 'lastTransitionTime']);
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
  private readonly databaseInformers = new Map<string | undefined, Informer<Database, Database>>();
  private readonly serverInformer: Informer<DatabaseServer, DatabaseServer>;
  private readonly namespaceInformer: Informer<NamespaceEntry, NamespaceEntry>;
  private readonly usersByDatabase = new UsersByDatabase();
  private readonly strings = new StringTable();
  private readonly ownWrites: OwnWrites;

  constructor(options: ClusterCacheOptions, handlers: ClusterCacheHandlers) {
    const { http, logger, namespaces, extraSecret, ownWrites, operatorNamespace } = options;
    this.ownWrites = ownWrites;
    // The index learns of every user before the operator's handlers do, so they can already ask it.
    const indexUser = (user: DatabaseUser): void => {
      this.usersByDatabase.set(user.metadata.namespace ?? '', user.metadata.name ?? '', databaseRefOf(user));
    };
    const userHandlers = {
      onAdd: (user: DatabaseUser) => {
        indexUser(user);
        handlers.onUserAdded(user);
      },
      onUpdate: (previous: DatabaseUser, user: DatabaseUser) => {
        indexUser(user);
        handlers.onUserChanged(previous, user);
      },
      onDelete: (user: DatabaseUser) => {
        this.usersByDatabase.remove(user.metadata.namespace ?? '', user.metadata.name ?? '');
        handlers.onUserDeleted(user);
      },
    };
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
          {
            name: `databaseusers/${where}`,
            client: http,
            path: resourcePath(databaseUsers, namespace),
            ...(options.userSelector === undefined ? {} : { labelSelector: options.userSelector }),
            logger,
            project: (user: DatabaseUser) => projectDatabaseUser(user, this.strings),
            notifyOwnWrites: true,
          },
          userHandlers,
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
            project: (secret: KubeSecret) => projectCredentialsSecret(secret, this.strings),
          },
          secretHandlers,
        ),
      );
      this.databaseInformers.set(
        namespace,
        new Informer<Database, Database>(
          { name: `databases/${where}`, client: http, path: resourcePath(databases, namespace), logger, project: projectKeepingSpec, notifyOwnWrites: true },
          {
            onAdd: (database: Database) => {
              handlers.onDatabaseChanged(undefined, database);
            },
            onUpdate: handlers.onDatabaseChanged,
            onDelete: (database: Database) => {
              handlers.onDatabaseChanged(database, undefined);
            },
          },
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
    const watched = (namespace: string): boolean => namespaces.includes(undefined) || namespaces.includes(namespace);
    // The DatabaseServers' admin Secrets, in the operator's own namespace (the default connection's too, when there).
    if (!watched(operatorNamespace)) {
      this.otherSecretInformers.push(
        new Informer(
          {
            name: `secrets/${operatorNamespace}`,
            client: http,
            path: resourcePath(secrets, operatorNamespace),
            metadataOnly: true,
            logger,
            project: projectSecretEntry,
          },
          secretHandlers,
        ),
      );
    }
    this.serverInformer = new Informer(
      {
        name: 'databaseservers',
        client: http,
        path: resourcePath(databaseServers),
        ...(options.serverSelector === undefined ? {} : { labelSelector: options.serverSelector }),
        logger,
        project: projectKeepingSpec,
      },
      changes(handlers.onServerChanged),
    );
    this.namespaceInformer = new Informer(
      { name: 'namespaces', client: http, path: resourcePath(namespacesType), metadataOnly: true, logger, project: projectNamespace },
      changes((namespace: NamespaceEntry) => {
        handlers.onNamespaceChanged(namespace.metadata.name);
      }),
    );
    if (extraSecret && !watched(extraSecret.namespace) && extraSecret.namespace !== operatorNamespace) {
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
    return [
      ...this.userInformers.values(),
      ...this.credentialsInformers.values(),
      ...this.otherSecretInformers,
      ...this.databaseInformers.values(),
      this.serverInformer,
      this.namespaceInformer,
    ];
  }

  database(namespace: string, name: string): Database | undefined {
    return firstOf(this.databaseInformers.values(), `${namespace}/${name}`);
  }

  databases(): Database[] {
    return [...this.databaseInformers.values()].flatMap((informer) => informer.list());
  }

  databaseServer(name: string): DatabaseServer | undefined {
    return this.serverInformer.get(name);
  }

  databaseServers(): DatabaseServer[] {
    return this.serverInformer.list();
  }

  /** The DatabaseUsers naming this Database in spec.databaseRef (from an index, not a scan). */
  usersOfDatabase(namespace: string, database: string): DatabaseUser[] {
    return this.usersByDatabase.users(namespace, database).flatMap((key) => this.user(key) ?? []);
  }

  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaceInformer.get(name)?.metadata.labels;
  }

  /** A Database as the API server just returned it from our write. */
  rememberDatabase(database: Database): void {
    informerFor(this.databaseInformers, database.metadata.namespace)?.store(database);
  }

  /** A DatabaseServer as the API server just returned it from our write. */
  rememberServer(server: DatabaseServer): void {
    this.serverInformer.store(server);
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
    this.ownWrites.stored(objectKey(secret), secret.metadata?.resourceVersion);
  }
}

/** Databases and DatabaseServers are few and small: kept as they are, but managedFields and foreign annotations. */
function projectKeepingSpec<T extends { metadata: ObjectMeta; spec?: unknown; status?: unknown }>(object: T): T {
  const { name, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, finalizers, labels, ownerReferences } =
    object.metadata as ObjectMeta & {
      ownerReferences?: unknown;
    };
  return {
    ...object,
    metadata: Object.fromEntries(
      Object.entries({ name, namespace, uid, resourceVersion, generation, creationTimestamp, deletionTimestamp, finalizers, labels, ownerReferences }).filter(
        ([, value]) => value !== undefined,
      ),
    ),
  };
}

/** spec.databaseRef.name of a DatabaseUser (its spec is not validated yet), or undefined. */
export function databaseRefOf(user: DatabaseUser): string | undefined {
  const name = (user.spec as { databaseRef?: { name?: unknown } } | undefined)?.databaseRef?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Informer handlers that report an object whenever it is added, changed or deleted. */
function changes<T>(onChange: (object: T) => void): { onAdd: (object: T) => void; onUpdate: (previous: T, object: T) => void; onDelete: (object: T) => void } {
  return {
    onAdd: onChange,
    onUpdate: (_previous, object) => {
      onChange(object);
    },
    onDelete: onChange,
  };
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

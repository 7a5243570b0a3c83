import { readyConditionOf } from '../api/database-user-view.js';
import type { ReadyReason } from '../api/conditions.js';
import type { DatabaseServerSpec } from '../api/database-server.js';
import type { DatabaseUser } from '../api/database-user.js';
import { defaultDatabaseName, type Database, type DatabaseSpec } from '../api/database.js';
import { apiGroup, apiVersion, databaseKind, defaultUserOfLabel, kind, managedByLabel, managedByValue, shardKeyLabel } from '../api/names.js';
import { ownerRoleName, type DesiredDatabase } from '../model/database-plan.js';
import { databaseLimitProblem, notAllowed, serverAllows } from './server-rules.js';

/** Everything one reconcile of a Database read (its spec already validated). */
export interface DatabaseObserved {
  namespace: string;
  name: string;
  uid: string;
  spec: DatabaseSpec;
  /** The database name already recorded in the status (the one created). */
  recordedName: string | undefined;
  server: { name: string; spec: DatabaseServerSpec; deleting: boolean } | undefined;
  namespaceLabels: Readonly<Record<string, string>> | undefined;
  /** The namespace's Databases on the same server, this one included. */
  siblings: readonly Database[];
  /** The DatabaseUser named as the default user (the Database's own name), if any. */
  defaultUser: DatabaseUser | undefined;
  /** Every DatabaseUser naming this Database in spec.databaseRef. */
  users: readonly DatabaseUser[];
  /** uid of kube-system: part of the database's ownership marker. */
  clusterId: string;
  /** The Database's shard key (label sharding.fluxcd.io/key), which its default user carries too (ADR 25). */
  shardKey?: string;
}

export interface DatabaseRefusal {
  kind: 'refuse';
  reason: ReadyReason;
  message: string;
}

export type DatabaseDecision =
  | DatabaseRefusal
  | {
      kind: 'apply';
      desired: DesiredDatabase;
      /** The default user to write (server-side apply), or undefined when it is as it should be. */
      defaultUser: DatabaseUser | undefined;
      /** Take over fields someone else set on it (it is ours: controlled by this Database). */
      forceDefaultUser: boolean;
      /** Whether the default user is Ready at its generation, and why not. */
      defaultUserReady: { ready: true } | { ready: false; message: string };
    };

/** The database name: the spec's, else the one the status recorded, else the provider-style default. */
export function databaseNameOf(observed: Pick<DatabaseObserved, 'spec' | 'recordedName' | 'name' | 'uid'>): string {
  return observed.spec.databaseName ?? observed.recordedName ?? defaultDatabaseName(observed.name, observed.uid);
}

/** The default user: a protected, read-write DatabaseUser named as the Database, controlled by it (DESIGN §13). */
export function defaultUserManifest(observed: Pick<DatabaseObserved, 'namespace' | 'name' | 'uid' | 'shardKey'>, databaseName: string): DatabaseUser {
  return {
    apiVersion: `${apiGroup}/${apiVersion}`,
    kind,
    metadata: {
      name: observed.name,
      namespace: observed.namespace,
      labels: {
        [managedByLabel]: managedByValue,
        [defaultUserOfLabel]: observed.name,
        // In its Database's shard, so that the shard reconciling the Database reconciles its default user.
        ...(observed.shardKey === undefined ? {} : { [shardKeyLabel]: observed.shardKey }),
      },
      ownerReferences: [{ apiVersion: `${apiGroup}/${apiVersion}`, kind: databaseKind.kind, name: observed.name, uid: observed.uid, controller: true }],
    },
    spec: { username: databaseName, databaseRef: { name: observed.name }, readOnly: false, protected: true, deletionPolicy: 'Delete' },
  };
}

/** Whether the DatabaseUser is this Database's (its controller owner reference). */
export function isDefaultUserOf(user: DatabaseUser, database: { uid: string }): boolean {
  return (user.metadata.ownerReferences ?? []).some(
    (reference) => reference.kind === databaseKind.kind && reference.uid === database.uid && reference.controller === true,
  );
}

/** Whether the stored default user already has what the manifest sets. */
function defaultUserMatches(stored: DatabaseUser, desired: DatabaseUser): boolean {
  const spec = stored.spec as Record<string, unknown> | undefined;
  const wanted = desired.spec as Record<string, unknown>;
  return (
    Object.entries(wanted).every(([key, value]) => JSON.stringify(spec?.[key]) === JSON.stringify(value)) &&
    Object.entries(desired.metadata.labels ?? {}).every(([key, value]) => stored.metadata.labels?.[key] === value)
  );
}

/**
 * What this reconcile of a Database must do. Pure. In order: the server exists and lets the namespace
 * use it, the namespace is within the server's count, the default user's name is not someone else's;
 * then the database to have and the default user to write.
 */
export function decideDatabase(observed: DatabaseObserved): DatabaseDecision {
  const refuse = (reason: ReadyReason, message: string): DatabaseRefusal => ({ kind: 'refuse', reason, message });
  const { server, namespace, name } = observed;
  const serverName = observed.spec.serverRef.name;
  if (server === undefined)
    return refuse('ServerNotFound', `DatabaseServer "${serverName}" is not registered: ask the platform team (kubectl get databaseservers)`);
  if (server.deleting && observed.recordedName === undefined)
    return refuse('ServerNotFound', `DatabaseServer "${serverName}" is being deleted: choose another server`);
  if (!serverAllows(server.spec, namespace, observed.namespaceLabels)) {
    const refusal = notAllowed(serverName, namespace);
    return refuse(refusal.reason, refusal.message);
  }
  const over = databaseLimitProblem(serverName, server.spec.limits, { name }, observed.siblings);
  if (over) return refuse(over.reason, over.message);
  if (observed.defaultUser !== undefined && !isDefaultUserOf(observed.defaultUser, observed)) {
    return refuse(
      'DatabaseConflict',
      `DatabaseUser "${name}" exists and is not this Database's default user: rename or delete it, then this Database creates its default user under that name`,
    );
  }
  const databaseName = databaseNameOf(observed);
  const desired: DesiredDatabase = {
    name: databaseName,
    owner: ownerRoleName(databaseName),
    marker: { cluster: observed.clusterId, namespace, name, uid: observed.uid },
  };
  const manifest = defaultUserManifest(observed, databaseName);
  const current = observed.defaultUser;
  const ready = current === undefined ? undefined : readyConditionOf(current);
  const readyNow = current !== undefined && ready?.status === 'True' && ready.observedGeneration === current.metadata.generation;
  return {
    kind: 'apply',
    desired,
    defaultUser: current !== undefined && defaultUserMatches(current, manifest) ? undefined : manifest,
    forceDefaultUser: current !== undefined,
    defaultUserReady: readyNow
      ? { ready: true }
      : {
          ready: false,
          message: `its default user "${databaseName}" is not Ready yet${ready?.reason === undefined ? '' : ` (${ready.reason}: ${ready.message})`}`,
        },
  };
}

/** What deleting a Database does next (DESIGN §13): wait for its other users, remove its default user, then keep or drop the database. */
export type DatabaseDeletion =
  | { kind: 'wait'; reason: Extract<ReadyReason, 'UsersRemain'>; message: string }
  | { kind: 'delete-default-user'; name: string; uid: string }
  | { kind: 'drop' }
  | { kind: 'retain' };

export function decideDatabaseDeletion(observed: Pick<DatabaseObserved, 'spec' | 'users' | 'uid' | 'name'>): DatabaseDeletion {
  const others = observed.users.filter((user) => !isDefaultUserOf(user, observed));
  if (others.length > 0) {
    const names = others.map((user) => user.metadata.name ?? '').sort();
    return {
      kind: 'wait',
      reason: 'UsersRemain',
      message: `waiting for its other users to be deleted first: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ` and ${String(names.length - 10)} more` : ''}`,
    };
  }
  const own = observed.users.find((user) => isDefaultUserOf(user, observed));
  if (own !== undefined) return { kind: 'delete-default-user', name: own.metadata.name ?? '', uid: own.metadata.uid ?? '' };
  return observed.spec.deletionPolicy === 'Delete' ? { kind: 'drop' } : { kind: 'retain' };
}

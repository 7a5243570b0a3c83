import { databaseServerSpecSchema } from '../api/database-server.js';
import { databaseSpecSchema, type Database, type DatabaseSpec, type DatabaseStatus } from '../api/database.js';
import { databaseKind, shardKeyLabel } from '../api/names.js';
import { isNotFound } from '../kube/api-error.js';
import { databaseOwnershipProblem, planDatabase } from '../model/database-plan.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { Logger } from '../runtime/logger.js';
import type { ConnectionResolver } from './connection-resolver.js';
import { decideDatabase, decideDatabaseDeletion, databaseNameOf, type DatabaseObserved } from './database-decision.js';
import { releaseFinalizer, withFinalizer, type FinalizerWriter } from './finalizer.js';
import type { DatabasePort, PlatformPort } from './ports.js';
import { problemOf, RaceLost, ReconcileProblem, type RetryPolicy } from './problems.js';
import { computeConditionedStatus, statusEquals, type Readiness } from './status.js';

export interface DatabaseReconcilerDependencies {
  kubernetes: PlatformPort;
  databases: DatabasePort;
  connections: ConnectionResolver;
  operatorNamespace: string;
  clusterId: string;
  now: () => Date;
}

interface Subject {
  user: Database;
  namespace: string;
  name: string;
  uid: string;
  logger: Logger;
}

const done: ReconcileResult = { kind: 'done' };

/**
 * A Database (DESIGN §13), one pass per key: observe (the caches) -> decideDatabase (pure) -> the
 * finalizer, the server marked in use, the database and its owner role under the database's lock, the
 * default user -> one status write when it changed. Deleting: decideDatabaseDeletion (pure) -> wait
 * for the other users, delete the default user, keep or drop the database -> release the finalizer.
 */
export class DatabaseReconciler {
  private readonly finalizers: FinalizerWriter<Database>;

  constructor(private readonly deps: DatabaseReconcilerDependencies) {
    this.finalizers = { setFinalizers: (database, finalizers) => deps.kubernetes.setDatabaseFinalizers(database, finalizers) };
  }

  async reconcile(key: string, logger: Logger): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const database = this.deps.kubernetes.database(namespace, name);
    if (database === undefined) return done;
    const subject: Subject = { user: database, namespace, name, uid: database.metadata.uid ?? '', logger };
    try {
      const spec = validSpec(database);
      return await withFinalizer(
        this.finalizers,
        subject,
        {
          apply: (ensureFinalizer) => this.apply(subject, spec, ensureFinalizer),
          cleanup: () => this.cleanup(subject, spec),
        },
        done,
      );
    } catch (error) {
      return this.fail(subject, error);
    }
  }

  private observe(subject: Subject, spec: DatabaseSpec): DatabaseObserved {
    const { kubernetes } = this.deps;
    const serverObject = kubernetes.databaseServer(spec.serverRef.name);
    const serverSpec = databaseServerSpecSchema.safeParse(serverObject?.spec);
    const shardKey = subject.user.metadata.labels?.[shardKeyLabel];
    const siblings = kubernetes
      .databases()
      .filter(
        (other) =>
          other.metadata.namespace === subject.namespace &&
          other.metadata.deletionTimestamp === undefined &&
          databaseSpecSchema.safeParse(other.spec).data?.serverRef.name === spec.serverRef.name,
      );
    return {
      namespace: subject.namespace,
      name: subject.name,
      uid: subject.uid,
      spec,
      recordedName: subject.user.status?.databaseName,
      server:
        serverObject === undefined || !serverSpec.success
          ? undefined
          : { name: spec.serverRef.name, spec: serverSpec.data, deleting: serverObject.metadata.deletionTimestamp !== undefined },
      namespaceLabels: kubernetes.namespaceLabels(subject.namespace),
      siblings: siblings.some((sibling) => sibling.metadata.uid === subject.uid) ? siblings : [...siblings, subject.user],
      defaultUser: kubernetes.user(`${subject.namespace}/${subject.name}`),
      users: kubernetes.usersOfDatabase(subject.namespace, subject.name),
      clusterId: this.deps.clusterId,
      ...(shardKey === undefined ? {} : { shardKey }),
    };
  }

  private async apply(subject: Subject, spec: DatabaseSpec, ensureFinalizer: () => Promise<void>): Promise<ReconcileResult> {
    const observed = this.observe(subject, spec);
    const decision = decideDatabase(observed);
    if (decision.kind === 'refuse') return this.report(subject, observed, { ready: false, reason: decision.reason, message: decision.message }, 'when-changed');
    const { kubernetes } = this.deps;
    await ensureFinalizer();
    await kubernetes.protectServer(spec.serverRef.name);
    const server = observed.server?.spec;
    if (server === undefined) throw new Error('decideDatabase applied without a server');
    const admin = await this.deps.connections.resolveSecret({ namespace: this.deps.operatorNamespace, name: server.adminSecretRef.name });
    await this.deps.databases.withDatabaseLock(admin, decision.desired, async (locked) => {
      const now = await locked.observe();
      const conflict = databaseOwnershipProblem(decision.desired, now);
      if (conflict !== undefined) throw new ReconcileProblem('DatabaseConflict', conflict, 'when-changed');
      await locked.execute(planDatabase(decision.desired, now));
    });
    // Recorded before the default user needs it: users wait for status.databaseName (placement.ts).
    if (subject.user.status?.databaseName !== decision.desired.name) {
      await this.writeStatus(subject, observed, { ready: false, reason: 'DefaultUserNotReady', message: 'creating its default user' });
    }
    if (decision.defaultUser !== undefined) await kubernetes.applyDefaultUser(decision.defaultUser, decision.forceDefaultUser);
    const readiness: Readiness = decision.defaultUserReady.ready
      ? { ready: true, message: `database "${decision.desired.name}" exists on "${spec.serverRef.name}" with its default user` }
      : { ready: false, reason: 'DefaultUserNotReady', message: decision.defaultUserReady.message };
    return this.report(subject, observed, readiness, 'when-changed');
  }

  private async cleanup(subject: Subject, spec: DatabaseSpec): Promise<{ release: boolean; result: ReconcileResult }> {
    const observed = this.observe(subject, spec);
    const deletion = decideDatabaseDeletion(observed);
    switch (deletion.kind) {
      case 'wait':
        return {
          release: false,
          result: await this.report(subject, observed, { ready: false, reason: deletion.reason, message: deletion.message }, 'when-changed'),
        };
      case 'delete-default-user':
        // Its finalizer drops the role (decideDeletion lets a default user go with its Database); its deletion queues this Database again.
        if (this.deps.kubernetes.user(`${subject.namespace}/${deletion.name}`)?.metadata.deletionTimestamp === undefined) {
          await this.deps.kubernetes.deleteUser(subject.namespace, deletion.name, deletion.uid);
        }
        return {
          release: false,
          result: await this.report(subject, observed, { ready: false, reason: 'UsersRemain', message: 'removing its default user' }, 'when-changed'),
        };
      case 'retain':
        return { release: true, result: done };
      case 'drop':
        await this.drop(subject, observed);
        return { release: true, result: done };
    }
  }

  /** deletionPolicy Delete: the database (its sessions ended) and its owner role, only if they are this Database's. */
  private async drop(subject: Subject, observed: DatabaseObserved): Promise<void> {
    const server = observed.server?.spec;
    const name = databaseNameOf(observed);
    if (server === undefined || observed.recordedName === undefined) {
      subject.logger.warn({ database: name }, 'no server or no database recorded: nothing to drop');
      return;
    }
    const admin = await this.deps.connections.resolveSecret({ namespace: this.deps.operatorNamespace, name: server.adminSecretRef.name });
    const decision = decideDatabase({ ...observed, defaultUser: undefined });
    if (decision.kind !== 'apply') return;
    await this.deps.databases.withDatabaseLock(admin, decision.desired, async (locked) => {
      const now = await locked.observe();
      if (now.database === undefined && now.ownerRole === undefined) return;
      const conflict = databaseOwnershipProblem(decision.desired, now);
      if (conflict !== undefined) throw new ReconcileProblem('DatabaseConflict', `${conflict}: it was not dropped`, 'when-changed');
      await locked.drop();
    });
    subject.logger.info({ database: name }, 'database dropped (deletionPolicy Delete)');
  }

  private async fail(subject: Subject, error: unknown): Promise<ReconcileResult> {
    const problem = problemOf(error);
    if (problem instanceof RaceLost) return { kind: 'retry' };
    if (problem.reason === 'InvalidSpec' && subject.user.metadata.deletionTimestamp !== undefined) {
      subject.logger.warn({ why: problem.message }, 'removing the finalizer without cleanup: the spec is invalid');
      await releaseFinalizer(this.finalizers, subject);
      return done;
    }
    try {
      return await this.report(subject, undefined, { ready: false, reason: problem.reason, message: problem.message }, problem.retry);
    } catch (reportError) {
      if (problemOf(reportError) instanceof RaceLost) return { kind: 'retry' };
      throw reportError;
    }
  }

  /** One status write when it changed, and a Warning Event when it newly turns not Ready. */
  private async report(subject: Subject, observed: DatabaseObserved | undefined, readiness: Readiness, retry: RetryPolicy): Promise<ReconcileResult> {
    const previousReason = subject.user.status?.conditions?.find((condition) => condition.type === 'Ready')?.reason;
    if (!readiness.ready && previousReason !== readiness.reason) {
      this.deps.kubernetes.recordEvent({
        namespace: subject.namespace,
        involved: { name: subject.name, uid: subject.uid, kind: databaseKind.kind },
        type: 'Warning',
        reason: readiness.reason,
        message: readiness.message,
      });
    }
    try {
      await this.writeStatus(subject, observed, readiness);
    } catch (error) {
      if (isNotFound(error)) return done;
      throw error;
    }
    return readiness.ready || retry === 'when-changed' ? done : { kind: 'retry' };
  }

  private async writeStatus(subject: Subject, observed: DatabaseObserved | undefined, readiness: Readiness): Promise<void> {
    const previous = subject.user.status;
    const applied: DatabaseStatus =
      observed === undefined
        ? {}
        : (() => {
            const databaseName = databaseNameOf(observed);
            const created = readiness.ready || readiness.reason === 'DefaultUserNotReady';
            return created
              ? {
                  databaseName,
                  server: observed.spec.serverRef.name,
                  owner: `dbuser-owner@${databaseName}`,
                  defaultUser: { name: subject.name, username: databaseName },
                  users: observed.users.length,
                }
              : { users: observed.users.length };
          })();
    const status = computeConditionedStatus<DatabaseStatus>({
      previous,
      generation: subject.user.metadata.generation,
      readiness,
      applied,
      now: this.deps.now().toISOString(),
    });
    if (statusEquals(previous, status)) return;
    await this.deps.kubernetes.writeDatabaseStatus(subject.user, status);
    subject.user = this.deps.kubernetes.database(subject.namespace, subject.name) ?? subject.user;
  }
}

function validSpec(database: Database): DatabaseSpec {
  const parsed = databaseSpecSchema.safeParse(database.spec);
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ReconcileProblem('InvalidSpec', message, 'when-changed');
  }
  return parsed.data;
}

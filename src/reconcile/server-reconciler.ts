import { databaseServerSpecSchema, type DatabaseServer, type DatabaseServerStatus } from '../api/database-server.js';
import { databaseSpecSchema } from '../api/database.js';
import { databaseServerKind, serverInUseFinalizer } from '../api/names.js';
import { isNotFound } from '../kube/api-error.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { Logger } from '../runtime/logger.js';
import type { ConnectionResolver } from './connection-resolver.js';
import type { DatabasePort, PlatformPort } from './ports.js';
import { problemOf, RaceLost, ReconcileProblem } from './problems.js';
import { computeConditionedStatus, statusEquals, type Readiness } from './status.js';

export interface ServerReconcilerDependencies {
  kubernetes: PlatformPort;
  databases: DatabasePort;
  connections: ConnectionResolver;
  /** The operator's namespace: the admin Secrets. */
  operatorNamespace: string;
  /** Where a server's Events go ("default", as for every cluster-scoped object), or undefined: none recorded. */
  eventNamespace: string | undefined;
  now: () => Date;
}

const done: ReconcileResult = { kind: 'done' };
/** How many Databases status.usedBy names. */
const usedByShown = 20;

/**
 * A DatabaseServer, one pass per name: who uses it (its Databases, from the cache), the in-use
 * finalizer kept exactly while it has Databases (as Crossplane's ProviderConfigUsage: it cannot be
 * deleted out from under them), and whether its admin credentials reach it (its version); one status
 * write when that changed.
 */
export class ServerReconciler {
  constructor(private readonly deps: ServerReconcilerDependencies) {}

  async reconcile(name: string, logger: Logger): Promise<ReconcileResult> {
    const { kubernetes } = this.deps;
    const server = kubernetes.databaseServer(name);
    if (server === undefined) return done;
    const databases = kubernetes.databases().filter((database) => databaseSpecSchema.safeParse(database.spec).data?.serverRef.name === name);
    const usedBy = databases.map((database) => `${database.metadata.namespace ?? ''}/${database.metadata.name ?? ''}`).sort();
    // As each Database counted them (status.users): with shards (ADR 25) its users are watched only by its own shard.
    const users = databases.reduce((count, database) => count + (database.status?.users ?? 0), 0);
    const finalizers = server.metadata.finalizers ?? [];
    const held = finalizers.includes(serverInUseFinalizer);
    const deleting = server.metadata.deletionTimestamp !== undefined;
    try {
      // In use exactly while it has Databases: an unused server is deleted at once; a used one waits.
      let current = server;
      if (usedBy.length === 0 && held)
        current = await kubernetes.setServerFinalizers(
          server,
          finalizers.filter((finalizer) => finalizer !== serverInUseFinalizer),
        );
      if (usedBy.length > 0 && !held && !deleting) current = await kubernetes.setServerFinalizers(server, [...finalizers, serverInUseFinalizer]);
      if (deleting) {
        if (usedBy.length === 0) return done;
        return await this.report(
          current,
          { usedBy, users },
          { ready: false, reason: 'InUse', message: `in use by ${String(usedBy.length)} Databases (status.usedBy): delete them first` },
        );
      }
      const spec = databaseServerSpecSchema.safeParse(server.spec);
      if (!spec.success) {
        const message = spec.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`).join('; ');
        return await this.report(current, { usedBy, users }, { ready: false, reason: 'InvalidSpec', message });
      }
      const reached = await this.reach(spec.data.adminSecretRef.name);
      return await this.report(current, { ...reached.status, usedBy, users }, reached.readiness);
    } catch (error) {
      const problem = problemOf(error);
      if (problem instanceof RaceLost) return { kind: 'retry' };
      logger.warn({ reason: problem.reason, detail: problem.message }, 'server not ready');
      return { kind: 'retry' };
    }
  }

  /** Whether its admin credentials reach it: its version, or why not (retried with backoff when transient). */
  private async reach(adminSecret: string): Promise<{ status: Partial<DatabaseServerStatus>; readiness: Readiness }> {
    try {
      const admin = await this.deps.connections.resolveSecret({ namespace: this.deps.operatorNamespace, name: adminSecret });
      const version = await this.deps.databases.serverVersion(admin);
      return {
        status: { reachable: true, serverVersion: version },
        readiness: { ready: true, message: `PostgreSQL ${version} reached with its admin credentials` },
      };
    } catch (error) {
      const problem = problemOf(error);
      if (!(problem instanceof ReconcileProblem)) throw error;
      return { status: { reachable: false }, readiness: { ready: false, reason: problem.reason, message: problem.message } };
    }
  }

  private async report(
    server: DatabaseServer,
    applied: Partial<DatabaseServerStatus> & { usedBy: string[]; users: number },
    readiness: Readiness,
  ): Promise<ReconcileResult> {
    const previous = server.status;
    const { usedBy, users, ...rest } = applied;
    const status = computeConditionedStatus<DatabaseServerStatus>({
      previous,
      generation: server.metadata.generation,
      readiness,
      applied: { ...rest, databases: usedBy.length, users, usedBy: usedBy.slice(0, usedByShown) },
      now: this.deps.now().toISOString(),
    });
    const previousReason = previous?.conditions?.find((condition) => condition.type === 'Ready')?.reason;
    if (!readiness.ready && previousReason !== readiness.reason && this.deps.eventNamespace !== undefined) {
      this.deps.kubernetes.recordEvent({
        namespace: this.deps.eventNamespace,
        involved: { name: server.metadata.name ?? '', uid: server.metadata.uid ?? '', kind: databaseServerKind.kind },
        type: 'Warning',
        reason: readiness.reason,
        message: readiness.message,
      });
    }
    if (!statusEquals(previous, status)) {
      try {
        await this.deps.kubernetes.writeServerStatus(server, status);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    // A server not reached is tried again with backoff; a reached one at the next resync.
    return readiness.ready || readiness.reason === 'InUse' || readiness.reason === 'InvalidSpec' ? done : { kind: 'retry' };
  }
}

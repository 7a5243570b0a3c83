import type { Database } from '../api/database.js';
import { credentialsSecretName, databaseUserSpecSchema, lifecycleRules, objectRules, type DatabaseUser, type DatabaseUserSpec } from '../api/database-user.js';
import { readyConditionOf } from '../api/database-user-view.js';
import { defaultUserOfLabel } from '../api/names.js';
import { isNotFound } from '../kube/api-error.js';
import { roleOwnershipProblem } from '../model/guards.js';
import { setsPassword, type PreparedVerifier, type RoleAction, type RoleActionKind } from '../model/role-actions.js';
import { verifierDigest } from '../model/password-verifier.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { Logger } from '../runtime/logger.js';
import type { ConnectionResolver } from './connection-resolver.js';
import { decide, markerOf, type DecideSettings, type Decision, type Observed } from './decide.js';
import { decideDeletion } from './deletion.js';
import { changeEvents, eventMessages, eventReasons } from './events.js';
import { releaseFinalizer, withFinalizer } from './finalizer.js';
import { observeUser } from './observation.js';
import type { KubernetesPort, PostgresPort } from './ports.js';
import { problemOf, RaceLost, ReconcileProblem, type RetryPolicy } from './problems.js';
import { resolveDatabase } from './placement.js';
import { applyRoleChanges } from './role-changes.js';
import { appliedStatus, computeStatus, statusEquals, type AppliedFields, type ClearedFields, type Readiness } from './status.js';

export interface ReconcilerDependencies extends DecideSettings {
  kubernetes: KubernetesPort;
  postgres: PostgresPort;
  connections: ConnectionResolver;
  /** The operator's namespace, where the DatabaseServers' admin Secrets are. */
  operatorNamespace: string;
  /** Whether a Database belongs to this instance's shard (ADR 25); absent: every one does. */
  databaseInShard?: (database: Database) => boolean;
  now: () => Date;
  generatePassword: () => string;
  /** Reports each reconcile's Ready reason and the PostgreSQL actions it ran (metrics). */
  onOutcome?: (reason: string, actions: RoleActionKind[]) => void;
  /** Reports how long each step of the critical path took, when it ran (metrics). */
  onStep?: (step: ReconcileStep, ms: number) => void;
}

/** The steps of a reconcile that run one after another; the Event is written beside them, not waited for. */
export type ReconcileStep = 'observe' | 'finalizer' | 'secret' | 'postgres' | 'status';

/** The DatabaseUser one reconcile works on; `user` moves on with each write the reconcile makes. */
interface Subject {
  user: DatabaseUser;
  namespace: string;
  name: string;
  uid: string;
  logger: Logger;
}

type Apply = Extract<Decision, { kind: 'apply' }>;

/** What a reconcile reports: readiness, the status fields it learned, the actions it ran. */
interface Outcome {
  readiness: Readiness;
  applied: AppliedFields;
  cleared: ClearedFields;
  actions: RoleAction[];
  retry: RetryPolicy;
}

const done: ReconcileResult = { kind: 'done' };

/**
 * The shell around the pure core, one pass per key: observe (watch caches, then PostgreSQL without a
 * lock) -> decide (pure) -> execute (finalizer, Secret first, then PostgreSQL under the role's lock)
 * -> report (one status write, only when the status changed); or, for a user being deleted,
 * decideDeletion (pure) -> clean up -> release the finalizer. Level-based: every pass reads the world
 * again; nothing is carried over.
 */
export class DatabaseUserReconciler {
  constructor(private readonly deps: ReconcilerDependencies) {}

  async reconcile(key: string, logger: Logger): Promise<ReconcileResult> {
    const user = this.deps.kubernetes.user(key);
    if (user === undefined) return done;
    const { namespace = '', name = '', uid = '' } = user.metadata;
    const subject: Subject = { user, namespace, name, uid, logger };
    try {
      const spec = validSpec(user);
      return await withFinalizer(
        this.deps.kubernetes,
        subject,
        {
          apply: (ensureFinalizer) => this.apply(subject, spec, ensureFinalizer),
          cleanup: () => this.cleanup(subject, spec),
          untouched: () => this.untouched(subject, spec),
        },
        done,
      );
    } catch (error) {
      return this.fail(subject, error);
    }
  }

  private async apply(subject: Subject, spec: DatabaseUserSpec, ensureFinalizer: () => Promise<void>): Promise<ReconcileResult> {
    const observed = await this.timed('observe', () => observeUser(this.deps, subject.user, spec));
    const decision = decide(observed, this.deps, this.deps.generatePassword);
    if (decision.kind === 'expire') return this.expire(subject, spec, decision.expiresAt);
    if (decision.kind === 'refuse') {
      return wakeAt(await this.report(subject, refused(decision.reason, decision.message, 'when-changed')), decision.expiresAt, observed.now);
    }
    const outcome = await this.execute(subject, observed, decision, ensureFinalizer);
    const { passwordRotatesAt, expiresAt } = decision.lifecycle;
    return wakeAt(await this.report(subject, outcome), earliest(passwordRotatesAt, expiresAt), observed.now);
  }

  /**
   * The connection Secret marked in use, the finalizer, then the Secret (a new password is stored
   * before any role has it), then PostgreSQL. The connection first: a user whose finalizer needs
   * PostgreSQL must still be able to reach it when its namespace (and the Secret) is deleted.
   */
  private async execute(subject: Subject, observed: Observed, decision: Apply, ensureFinalizer: () => Promise<void>): Promise<Outcome> {
    const { kubernetes, postgres } = this.deps;
    const connectionSecret = observed.spec.connection?.secretName;
    if (connectionSecret !== undefined) await kubernetes.protectConnectionSecret(subject.namespace, connectionSecret);
    const before = subject.user;
    const finalizerStarted = performance.now();
    await ensureFinalizer();
    if (subject.user !== before) this.deps.onStep?.('finalizer', performance.now() - finalizerStarted);
    // The new password's verifier is computed first, to be recorded with the Secret and set as is (ADR 28).
    const prepared = await this.prepareVerifier(decision);
    // The Secret write and PostgreSQL's lock and look run side by side: one round trip to each
    // instead of one after the other. No role changes before the Secret is written (rule 2).
    const secret = decision.secret && prepared ? { ...decision.secret, verifierDigest: verifierDigest(prepared.verifier) } : decision.secret;
    const secretWritten = secret ? this.timed('secret', () => kubernetes.writeCredentials(secret, decision.forceSecret)) : Promise.resolve();
    // Handled at once: a failed write must not be an unhandled rejection while PostgreSQL works.
    const secretOutcome = secretWritten.then(
      () => true,
      () => false,
    );
    let actions: RoleAction[] = [];
    try {
      if (decision.actions.length > 0) actions = await this.timed('postgres', () => applyRoleChanges(postgres, observed, decision, secretOutcome, prepared));
    } catch (error) {
      // When the Secret could not be written (PostgreSQL then gave up), that failure is the one to report.
      await secretWritten;
      throw error;
    }
    await secretWritten;
    await this.removeReplacedSecret(subject, observed);
    for (const event of changeEvents(observed.spec.username, decision, actions)) this.event(subject, event.type, event.reason, event.message);
    const { applied, cleared } = appliedStatus({ name: subject.name, observed, decision, actions, previous: subject.user.status, now: this.deps.now() });
    // One message whatever this pass changed (Events tell the changes): a message that said "updated"
    // would need a second status write on the next pass to say "matches".
    const message = `user "${observed.spec.username}": the role, its grants and its Secret match the spec`;
    return { readiness: { ready: true, message }, applied, cleared, actions, retry: 'when-changed' };
  }

  /**
   * The verifier of the password the Secret is about to get, when the plan sets the role's password to
   * it: a sealed Secret records its digest, and a later operator recognises the role's password by it.
   */
  private async prepareVerifier(decision: Apply): Promise<PreparedVerifier | undefined> {
    const secret = decision.secret;
    if (!secret?.sealed) return undefined;
    const { password } = secret.credentials;
    const { username, encryption } = decision.desired;
    if (!decision.actions.some((action) => setsPassword(action) && action.password === password && action.username === username)) return undefined;
    return { password, username, encryption, verifier: await this.deps.postgres.prepareVerifier(password, username, encryption) };
  }

  /** spec.secretName changed: the Secret written under the old name goes (only if it is ours). */
  private async removeReplacedSecret(subject: Subject, observed: Observed): Promise<void> {
    const old = subject.user.status?.secretName;
    if (old === undefined || old === credentialsSecretName(subject.name, observed.spec)) return;
    const lookup = this.deps.kubernetes.credentialsSecret(subject.namespace, old);
    if (lookup.kind === 'managed' && lookup.secret.databaseUser === subject.name) {
      await this.deps.kubernetes.deleteSecret(subject.namespace, old, lookup.secret.metadata.uid);
    }
  }

  /**
   * A user the operator never applied: no status of an apply, and no credentials Secret it owns (a
   * Secret kept by an earlier, retained user of the same name is not its own). The Secret is written,
   * owned by the user, before any role has its password, and the status right after the role: a role
   * changed for this user exists only where one of the two does. Such a user carries the finalizer
   * only because the API server put it on at create (ADR 23), and goes at once, as without that policy.
   */
  private untouched(subject: Subject, spec: DatabaseUserSpec): boolean {
    const { status } = subject.user;
    if (status?.username !== undefined || status?.secretName !== undefined) return false;
    const lookup = this.deps.kubernetes.credentialsSecret(subject.namespace, credentialsSecretName(subject.name, spec));
    return !(lookup.kind === 'managed' && lookup.secret.ownerUids.includes(subject.uid));
  }

  /** Deletion, as decideDeletion says: refused (the finalizer stays), the role retained, or dropped. */
  private async cleanup(subject: Subject, spec: DatabaseUserSpec): Promise<{ release: boolean; result: ReconcileResult }> {
    const { kubernetes } = this.deps;
    const credentials = kubernetes.credentialsSecret(subject.namespace, credentialsSecretName(subject.name, spec));
    const deletion = decideDeletion({ ...subject, spec, credentials, databaseGoing: this.databaseGoing(subject.user, spec) });
    switch (deletion.kind) {
      case 'refuse':
        return { release: false, result: await this.report(subject, refused(deletion.reason, deletion.message, 'when-changed')) };
      case 'retain':
        if (deletion.orphan) await kubernetes.writeCredentials(deletion.orphan, true);
        this.event(subject, 'Normal', eventReasons.Retained, eventMessages.retained(spec.username));
        return { release: true, result: done };
      case 'drop': {
        const dropped = await this.dropRole(subject, spec);
        if (deletion.secret) await kubernetes.deleteSecret(subject.namespace, deletion.secret.name, deletion.secret.uid);
        if (dropped === 'refused') this.event(subject, 'Warning', eventReasons.RoleNotDropped, eventMessages.notDropped(spec.username));
        else this.event(subject, 'Normal', eventReasons.Deleted, eventMessages.deleted(spec.username));
        return { release: true, result: done };
      }
    }
  }

  /** The ttl has ended: the DatabaseUser is deleted (only this one: uid precondition); its finalizer does the rest. */
  private async expire(subject: Subject, spec: DatabaseUserSpec, expiresAt: Date): Promise<ReconcileResult> {
    this.event(subject, 'Normal', eventReasons.Expired, eventMessages.expired(spec.username, expiresAt.toISOString()));
    subject.logger.info({ expiresAt: expiresAt.toISOString() }, 'ttl ended: deleting the DatabaseUser');
    await this.deps.kubernetes.deleteUser(subject.namespace, subject.name, subject.uid);
    return done;
  }

  /** A Database's default user whose Database is being deleted (or gone): it goes with it, protected or not. */
  private databaseGoing(user: DatabaseUser, spec: DatabaseUserSpec): boolean {
    const ref = spec.databaseRef?.name;
    if (ref === undefined || user.metadata.labels?.[defaultUserOfLabel] !== ref) return false;
    const database = this.deps.kubernetes.database(user.metadata.namespace ?? '', ref);
    return database === undefined || database.metadata.deletionTimestamp !== undefined;
  }

  /** Under the role's lock: gone already, not ours (left alone), or dropped without destroying data. */
  private async dropRole(subject: Subject, spec: DatabaseUserSpec): Promise<'dropped' | 'absent' | 'refused'> {
    // Whatever the server's rules say now: dropping a role only takes privileges away.
    const target =
      spec.databaseRef === undefined
        ? await (async () => {
            const connection = await this.deps.connections.resolve(subject.namespace, spec.connection?.secretName);
            return { connection, database: spec.database ?? connection.database, username: spec.username };
          })()
        : { ...(await resolveDatabase(this.deps, subject.namespace, spec.databaseRef.name)), username: spec.username };
    const marker = markerOf(this.deps.clusterId, subject);
    return this.deps.postgres.withRoleLock(target, async (role) => {
      const now = await role.observe(undefined);
      if (now.role === undefined) return 'absent';
      if (roleOwnershipProblem(spec.username, now, marker) !== undefined) return 'refused';
      await role.drop(now);
      return 'dropped';
    });
  }

  private async timed<T>(step: ReconcileStep, body: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await body();
    this.deps.onStep?.(step, performance.now() - started);
    return result;
  }

  private event(subject: Subject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const { resourceVersion } = subject.user.metadata;
    this.deps.kubernetes.recordEvent({
      namespace: subject.namespace,
      involved: { name: subject.name, uid: subject.uid, ...(resourceVersion ? { resourceVersion } : {}) },
      type,
      reason,
      message,
    });
  }

  /** A reconcile that threw: a lost race is retried quietly; anything else is reported. */
  private async fail(subject: Subject, error: unknown): Promise<ReconcileResult> {
    const problem = problemOf(error);
    if (problem instanceof RaceLost) {
      subject.logger.debug({ reason: problem.message }, 'retrying after a race');
      return { kind: 'retry' };
    }
    if (problem.reason === 'InvalidSpec' && subject.user.metadata.deletionTimestamp !== undefined) {
      subject.logger.warn({ why: problem.message }, 'removing the finalizer without cleanup: the spec is invalid');
      await releaseFinalizer(this.deps.kubernetes, subject);
      return done;
    }
    try {
      return await this.report(subject, refused(problem.reason, problem.message, problem.retry));
    } catch (reportError) {
      if (problemOf(reportError) instanceof RaceLost) return { kind: 'retry' };
      throw reportError;
    }
  }

  /**
   * The outcome, reported: one status write, only if the status differs from the stored one, and a
   * Warning Event when the object newly becomes not Ready (not on every retry).
   */
  private async report(subject: Subject, outcome: Outcome): Promise<ReconcileResult> {
    const { readiness, applied, cleared, actions, retry } = outcome;
    this.deps.onOutcome?.(
      readiness.ready ? 'Reconciled' : readiness.reason,
      actions.map((action) => action.kind),
    );
    const previous = subject.user.status;
    const status = computeStatus({ previous, generation: subject.user.metadata.generation, readiness, applied, cleared, now: this.deps.now().toISOString() });
    if (!readiness.ready && readyConditionOf(subject.user)?.reason !== readiness.reason) this.event(subject, 'Warning', readiness.reason, readiness.message);
    if (!readiness.ready) subject.logger.info({ reason: readiness.reason, detail: readiness.message }, 'not ready');
    if (!statusEquals(previous, status)) {
      try {
        await this.timed('status', () => this.deps.kubernetes.writeStatus(subject.user, status));
      } catch (error) {
        if (isNotFound(error)) return done;
        throw error;
      }
    }
    return readiness.ready || retry === 'when-changed' ? done : { kind: 'retry' };
  }
}

/** The spec, validated again (admission can be bypassed); an invalid one is an InvalidSpec problem. */
function validSpec(user: DatabaseUser): DatabaseUserSpec {
  const parsed = databaseUserSpecSchema.safeParse(user.spec);
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ReconcileProblem('InvalidSpec', message, 'when-changed');
  }
  const broken =
    objectRules.find((rule) => !rule.holds({ metadata: { name: user.metadata.name ?? '' }, spec: parsed.data })) ??
    lifecycleRules.find((rule) => !rule.holds(parsed.data));
  if (broken) throw new ReconcileProblem('InvalidSpec', broken.message, 'when-changed');
  return parsed.data;
}

/** The earlier of two instants that may be absent. */
function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  return b === undefined || a <= b ? a : b;
}

/** A finished reconcile that must run again at `at` (a rotation or the end of a ttl). */
function wakeAt(result: ReconcileResult, at: Date | undefined, now: Date): ReconcileResult {
  if (at === undefined || result.kind !== 'done') return result;
  return { kind: 'requeue', afterMs: Math.max(0, at.getTime() - now.getTime()) };
}

function refused(reason: Exclude<Readiness, { ready: true }>['reason'], message: string, retry: RetryPolicy): Outcome {
  return { readiness: { ready: false, reason, message }, applied: {}, cleared: [], actions: [], retry };
}

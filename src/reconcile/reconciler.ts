import { credentialsSecretName, databaseUserSpecSchema, lifecycleRules, objectRules, type DatabaseUser, type DatabaseUserSpec } from '../api/database-user.js';
import { finalizerName, requestedByAnnotation, resetPasswordAnnotation } from '../api/names.js';
import { isNotFound } from '../kubernetes/kube-api-error.js';
import { credentialsSecretManifest, sealedFieldsOf, type CredentialsSecret } from '../kubernetes/credentials-secret.js';
import type { CredentialsSeal } from '../kubernetes/credentials-seal.js';
import { roleOwnershipProblem } from '../model/guards.js';
import type { PasswordVerdict, RoleObservation } from '../model/observed.js';
import { encryptionOf } from '../model/password-encryption.js';
import { isGroupAction, setsPassword, type RoleAction, type RoleActionKind } from '../model/role-actions.js';
import type { RoleTarget } from '../postgres/role-target.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { Logger } from '../runtime/logger.js';
import type { ConnectionResolver } from './connection-resolver.js';
import { decide, markerOf, planFor, verdictFor, type Decision, type Observed } from './decide.js';
import { eventMessages, eventReasons } from './events.js';
import type { ChosenPassword } from './password-decision.js';
import { chosenPasswordFrom, type ReservedSecret } from './password-source.js';
import type { KubernetesPort, PostgresPort } from './ports.js';
import { problemOf, RaceLost, ReconcileProblem, type RetryPolicy } from './problems.js';
import { computeStatus, readyReasonOf, statusEquals, type AppliedFields, type ClearedFields, type Readiness } from './status.js';
import { candidateFor } from './stored-credentials.js';

export interface ReconcilerDependencies {
  kubernetes: KubernetesPort;
  postgres: PostgresPort;
  connections: ConnectionResolver;
  /** uid of kube-system: part of every ownership marker. */
  clusterId: string;
  now: () => Date;
  generatePassword: () => string;
  /** Seals the credentials the operator writes, and tells its seals from anyone else's writes. */
  seal: CredentialsSeal;
  /** Who the operator is to the API server (`by` of rotations). */
  operatorIdentity: string;
  /** The shortest spec.passwordRotation.every accepted. */
  minRotationMs: number;
  /** Reports each reconcile's Ready reason and the PostgreSQL actions it ran (metrics). */
  onOutcome?: (reason: string, actions: RoleActionKind[]) => void;
}

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
 * The shell around the pure core, one pass per key: observe (watch caches, then PostgreSQL without
 * a lock) -> decide (pure) -> execute (finalizer, Secret first, then PostgreSQL under the role's
 * lock) -> report (one status write, only when the status changed). Level-based: every pass reads
 * the world again; nothing is carried over.
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
      if (user.metadata.deletionTimestamp !== undefined) return await this.finalize(subject, spec);
      const observed = await this.observe(subject, spec);
      const decision = decide(observed, this.deps.generatePassword, (fields) => this.deps.seal.sign(fields));
      if (decision.kind === 'expire') return await this.expire(subject, spec, decision.expiresAt);
      if (decision.kind === 'refuse') {
        return wakeAt(await this.report(subject, refused(decision.reason, decision.message, 'when-changed')), decision.expiresAt, observed.now);
      }
      const { passwordRotatesAt, expiresAt } = decision.lifecycle;
      return wakeAt(await this.report(subject, await this.execute(subject, observed, decision)), earliest(passwordRotatesAt, expiresAt), observed.now);
    } catch (error) {
      return this.fail(subject, error);
    }
  }

  /** Reads only: the caches, the connection, the chosen password, and the role without a lock. */
  private async observe(subject: Subject, spec: DatabaseUserSpec): Promise<Observed> {
    const { kubernetes, postgres, connections } = this.deps;
    const connection = await connections.resolve(subject.namespace, spec.connection?.secretName);
    const database = spec.database ?? connection.database;
    const credentials = kubernetes.credentialsSecret(subject.namespace, credentialsSecretName(subject.name, spec));
    const credentialsSealed = credentials.kind === 'managed' && this.isSealed(credentials.secret);
    const chosen = await this.readChosenPassword(subject, spec);
    const candidate = candidateFor(credentials, subject.name, credentialsSealed, chosen);
    const encryption = encryptionOf(spec.passwordEncryption);
    const role = await postgres.observe(
      { connection, database, username: spec.username },
      candidate === undefined ? undefined : { value: candidate, encryption },
    );
    return {
      namespace: subject.namespace,
      name: subject.name,
      uid: subject.uid,
      spec,
      clusterId: this.deps.clusterId,
      resetRequest: subject.user.metadata.annotations?.[resetPasswordAnnotation],
      connection,
      database,
      credentials,
      credentialsSealed,
      chosen,
      candidate,
      role,
      createdAt: new Date(subject.user.metadata.creationTimestamp ?? 0),
      status: subject.user.status,
      requestedBy: subject.user.metadata.annotations?.[requestedByAnnotation],
      operatorIdentity: this.deps.operatorIdentity,
      minRotationMs: this.deps.minRotationMs,
      now: this.deps.now(),
    };
  }

  private isSealed(secret: CredentialsSecret): boolean {
    const fields = sealedFieldsOf(secret);
    return fields !== undefined && this.deps.seal.verifies(secret.seal, fields);
  }

  /** The chosen password, read only from a Secret that opted in as a password source (password-source.ts). */
  private async readChosenPassword(subject: Subject, spec: DatabaseUserSpec): Promise<ChosenPassword> {
    const ref = spec.passwordSecretRef;
    if (ref === undefined) return { kind: 'none' };
    const reserved: ReservedSecret =
      ref.name === spec.connection?.secretName || this.deps.connections.isDefault(subject.namespace, ref.name)
        ? 'connection'
        : this.deps.kubernetes.credentialsSecret(subject.namespace, ref.name).kind === 'managed'
          ? 'credentials'
          : undefined;
    const secret = reserved === undefined ? await this.deps.kubernetes.secretContents(subject.namespace, ref.name) : undefined;
    return chosenPasswordFrom(ref, secret, reserved);
  }

  /**
   * The connection Secret marked in use, the finalizer, then the Secret (a new password is stored
   * before any role has it), then PostgreSQL. The connection first: a user whose finalizer needs
   * PostgreSQL must still be able to reach it when its namespace (and the Secret) is deleted.
   */
  private async execute(subject: Subject, observed: Observed, decision: Apply): Promise<Outcome> {
    const connectionSecret = observed.spec.connection?.secretName;
    if (connectionSecret !== undefined) await this.deps.kubernetes.protectConnectionSecret(subject.namespace, connectionSecret);
    await this.ensureFinalizer(subject);
    if (decision.secret) await this.deps.kubernetes.applySecret(decision.secret, decision.forceSecret);
    const actions = decision.actions.length === 0 ? [] : await this.applyToRole(observed, decision);
    await this.removeReplacedSecret(subject, observed);
    this.recordChanges(subject, observed, decision, actions);

    const { spec, chosen } = observed;
    const { lifecycle } = decision;
    const encryption = encryptionOf(spec.passwordEncryption);
    const passwordSet = actions.some(setsPassword);
    const applied: AppliedFields = {
      username: spec.username,
      readOnly: spec.readOnly,
      protected: spec.protected,
      secretName: credentialsSecretName(subject.name, spec),
      passwordEncryption: passwordSet ? encryption : (observed.role.password.encryption ?? subject.user.status?.passwordEncryption ?? encryption),
      ...(passwordSet ? { passwordUpdatedAt: this.deps.now().toISOString() } : {}),
      ...(decision.password.resetToken === undefined ? {} : { lastPasswordReset: decision.password.resetToken }),
      ...(chosen.kind === 'value' ? { passwordSecretResourceVersion: chosen.resourceVersion } : {}),
      // The role has the Secret's password now, so the Secret's record of it is the role's.
      ...(lifecycle.lastPasswordChange === undefined ? {} : { lastPasswordChange: lifecycle.lastPasswordChange }),
      ...(lifecycle.passwordRotatesAt === undefined ? {} : { passwordRotatesAt: lifecycle.passwordRotatesAt.toISOString() }),
      ...(lifecycle.expiresAt === undefined ? {} : { expiresAt: lifecycle.expiresAt.toISOString() }),
    };
    const cleared: (keyof AppliedFields)[] = [
      ...(chosen.kind === 'value' ? [] : ['passwordSecretResourceVersion' as const]),
      ...(lifecycle.passwordRotatesAt === undefined ? ['passwordRotatesAt' as const] : []),
      ...(lifecycle.expiresAt === undefined ? ['expiresAt' as const] : []),
    ];
    // One message whatever this pass changed (Events tell the changes): a message that said "updated"
    // would need a second status write on the next pass to say "matches".
    const message = `user "${spec.username}": the role, its grants and its Secret match the spec`;
    return {
      readiness: { ready: true, message },
      applied,
      cleared,
      actions,
      retry: 'when-changed',
    };
  }

  /**
   * Under the role's lock, top to bottom: look again, plan again if anything changed since the
   * observation without the lock, and run the plan in one transaction. Changes to the database's
   * group roles take its lock too and look at the groups afresh. No Kubernetes call is made here.
   */
  private async applyToRole(observed: Observed, decision: Apply): Promise<RoleAction[]> {
    const { desired, password } = decision;
    const target: RoleTarget = { connection: observed.connection, database: observed.database, username: desired.username };
    const candidate = password.password === observed.candidate ? { value: password.password, encryption: desired.encryption } : undefined;
    const verdictOf = (observation: RoleObservation) => verdictFor(password.password, observed.candidate, observation);
    return this.deps.postgres.withRoleLock(target, async (role) => {
      let now = await role.observe(candidate);
      let actions = samePlanInputs(now, observed.role, verdictOf) ? decision.actions : plannedOrRefused(desired, now, verdictOf(now));
      if (actions.some(isGroupAction)) {
        await role.lockGroups();
        now = await role.observe(candidate);
        actions = plannedOrRefused(desired, now, verdictOf(now));
      }
      await role.execute(actions);
      return actions;
    });
  }

  private async ensureFinalizer(subject: Subject): Promise<void> {
    const finalizers = subject.user.metadata.finalizers ?? [];
    if (finalizers.includes(finalizerName)) return;
    subject.user = await this.deps.kubernetes.setFinalizers(subject.user, [...finalizers, finalizerName]);
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

  private recordChanges(subject: Subject, observed: Observed, decision: Apply, actions: RoleAction[]): void {
    const { username } = observed.spec;
    if (decision.rejectedSecretPassword && decision.secret) {
      this.event(subject, 'Warning', eventReasons.SecretPasswordRejected, eventMessages.secretPasswordRejected(decision.secret.metadata.name));
    }
    const passwordChanged = decision.password.kind === 'write' && decision.password.change !== 'initial';
    if (actions.some((action) => action.kind === 'createRole')) this.event(subject, 'Normal', eventReasons.Created, eventMessages.created(username));
    else if (decision.password.kind === 'write' && decision.password.change === 'rotation') {
      this.event(subject, 'Normal', eventReasons.PasswordRotated, eventMessages.rotated(username));
    } else if (actions.length > 0 || passwordChanged) this.event(subject, 'Normal', eventReasons.Updated, eventMessages.updated(username));
    else if (decision.secret) this.event(subject, 'Normal', eventReasons.SecretUpdated, eventMessages.secretUpdated(decision.secret.metadata.name));
  }

  /** Deletion: the role goes (Delete) or stays (Retain); then the finalizer is released. Protected users are kept. */
  private async finalize(subject: Subject, spec: DatabaseUserSpec): Promise<ReconcileResult> {
    const finalizers = subject.user.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizerName)) return done;
    if (spec.protected) {
      const message = `user "${spec.username}" is protected: the role was not dropped. To delete it, set spec.protected to false (kubectl patch dbu ${subject.name} --type merge -p '{"spec":{"protected":false}}')`;
      return this.report(subject, refused('DeletionBlocked', message, 'when-changed'));
    }
    const secretName = credentialsSecretName(subject.name, spec);
    const lookup = this.deps.kubernetes.credentialsSecret(subject.namespace, secretName);
    const secret = lookup.kind === 'managed' && lookup.secret.databaseUser === subject.name ? lookup.secret : undefined;
    const sealed = secret !== undefined && this.isSealed(secret);
    const ours = secret !== undefined && (sealed || secret.ownerUids.includes(subject.uid)) ? secret : undefined;
    if (spec.deletionPolicy === 'Retain') {
      // The credentials outlive the DatabaseUser: the same manifest without our owner reference,
      // sealed again only if the operator wrote its password (a later DatabaseUser of this name adopts it).
      if (ours?.credentials) {
        const manifest = credentialsSecretManifest({
          name: secretName,
          namespace: subject.namespace,
          databaseUserName: subject.name,
          owner: undefined,
          credentials: ours.credentials,
          resetToken: ours.resetToken,
          passwordChange: ours.passwordChange,
          seal: sealed ? (fields) => this.deps.seal.sign(fields) : undefined,
        });
        await this.deps.kubernetes.applySecret(manifest, true);
      }
      this.event(subject, 'Normal', eventReasons.Retained, eventMessages.retained(spec.username));
    } else {
      const dropped = await this.dropRole(subject, spec);
      if (ours) await this.deps.kubernetes.deleteSecret(subject.namespace, secretName, ours.metadata.uid);
      if (dropped === 'refused') this.event(subject, 'Warning', eventReasons.RoleNotDropped, eventMessages.notDropped(spec.username));
      else this.event(subject, 'Normal', eventReasons.Deleted, eventMessages.deleted(spec.username));
    }
    await this.releaseFinalizer(subject);
    return done;
  }

  /** The ttl has ended: the DatabaseUser is deleted (only this one: uid precondition); its finalizer does the rest. */
  private async expire(subject: Subject, spec: DatabaseUserSpec, expiresAt: Date): Promise<ReconcileResult> {
    this.event(subject, 'Normal', eventReasons.Expired, eventMessages.expired(spec.username, expiresAt.toISOString()));
    subject.logger.info({ expiresAt: expiresAt.toISOString() }, 'ttl ended: deleting the DatabaseUser');
    try {
      await this.deps.kubernetes.deleteUser(subject.namespace, subject.name, subject.uid);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return done;
  }

  /** Under the role's lock: gone already, not ours (left alone), or dropped without destroying data. */
  private async dropRole(subject: Subject, spec: DatabaseUserSpec): Promise<'dropped' | 'absent' | 'refused'> {
    const connection = await this.deps.connections.resolve(subject.namespace, spec.connection?.secretName);
    const target: RoleTarget = { connection, database: spec.database ?? connection.database, username: spec.username };
    const marker = markerOf({ clusterId: this.deps.clusterId, namespace: subject.namespace, name: subject.name, uid: subject.uid });
    return this.deps.postgres.withRoleLock(target, async (role) => {
      const now = await role.observe(undefined);
      if (now.role === undefined) return 'absent';
      if (roleOwnershipProblem(spec.username, now, marker) !== undefined) return 'refused';
      await role.drop(now);
      return 'dropped';
    });
  }

  private async releaseFinalizer(subject: Subject): Promise<void> {
    const finalizers = (subject.user.metadata.finalizers ?? []).filter((finalizer) => finalizer !== finalizerName);
    try {
      await this.deps.kubernetes.setFinalizers(subject.user, finalizers);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
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
      await this.releaseFinalizer(subject);
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
    if (!readiness.ready && readyReasonOf(previous) !== readiness.reason) this.event(subject, 'Warning', readiness.reason, readiness.message);
    if (!readiness.ready) subject.logger.info({ reason: readiness.reason, detail: readiness.message }, 'not ready');
    if (!statusEquals(previous, status)) {
      try {
        await this.deps.kubernetes.writeStatus(subject.user, status);
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

/** Whether the observation under the lock shows what the plan was made from. */
function samePlanInputs(now: RoleObservation, before: RoleObservation, verdictOf: (observation: RoleObservation) => PasswordVerdict): boolean {
  const inputs = (observation: RoleObservation) => JSON.stringify([observation.server, observation.database, observation.role, verdictOf(observation).matches]);
  return inputs(now) === inputs(before);
}

function plannedOrRefused(...args: Parameters<typeof planFor>): RoleAction[] {
  const plan = planFor(...args);
  if (!Array.isArray(plan)) throw new ReconcileProblem(plan.reason, plan.message, 'when-changed');
  return plan;
}

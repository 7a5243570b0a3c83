import type { ConnectionSettings } from '../api/connection.js';
import {
  credentialsSecretName,
  databaseUserSpecSchema,
  objectRules,
  type DatabaseUser,
  type DatabaseUserSpec,
  type DatabaseUserStatus,
} from '../api/database-user.js';
import { apiGroup, apiVersion, finalizerName, kind, passwordResetHandledAnnotation, resetPasswordAnnotation } from '../api/names.js';
import type { EventRecorder } from '../kubernetes/event-recorder.js';
import { isNotFound } from '../kubernetes/kube-api-error.js';
import type { KubeResources, SecretObject } from '../kubernetes/resources.js';
import type { PostgresGateway, UserTarget } from '../postgres/gateway.js';
import type { OwnershipMarker } from '../postgres/ownership-marker.js';
import type { PasswordEncryption } from '../postgres/password-hash.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { Logger } from '../runtime/logger.js';
import type { PostgresAction } from './actions.js';
import type { ConnectionResolver } from './connection-resolver.js';
import { credentialsSecretManifest, decodeSecretData, isOurSecret, secretMatches, type SecretManifest } from './credentials-secret.js';
import { groupOwnershipProblem, roleOwnershipProblem } from './guards.js';
import { decidePassword, type ChosenPassword, type PasswordDecision } from './password-decision.js';
import { planGroups, planRole, type DesiredRole } from './plan.js';
import { ReconcileProblem, toProblem } from './problem.js';
import { computeStatus, readyReasonOf, statusEquals, type AppliedFields, type ClearedFields, type Readiness } from './status.js';

export interface ReconcilerDependencies {
  resources: KubeResources;
  events: EventRecorder;
  gateway: PostgresGateway;
  connections: ConnectionResolver;
  /** uid of kube-system: part of every ownership marker. */
  clusterId: string;
  now: () => Date;
  generatePassword: () => string;
  /** Reports each reconcile's Ready reason and the PostgreSQL actions it ran (metrics). */
  onOutcome?: (reason: string, actions: PostgresAction['kind'][]) => void;
}

/** Everything one reconcile knows about the object it works on. */
interface Subject {
  user: DatabaseUser;
  namespace: string;
  name: string;
  uid: string;
  generation: number | undefined;
  logger: Logger;
}

const encryptionOf = (spec: DatabaseUserSpec): PasswordEncryption => (spec.passwordEncryption === 'md5' ? 'MD5' : 'SCRAM-SHA-256');

const done: ReconcileResult = { kind: 'done' };

/**
 * The shell around the pure core: observe (cache, API server, PostgreSQL) -> decide (password,
 * guards, plan) -> execute (Secret first, then PostgreSQL under a lock) -> one status write, only
 * when the status changed. Level-based: every pass re-reads the world; nothing is carried over.
 */
export class DatabaseUserReconciler {
  constructor(private readonly deps: ReconcilerDependencies) {}

  async reconcile(key: string, logger: Logger): Promise<ReconcileResult> {
    const [keyNamespace = '', keyName = ''] = key.split('/');
    // Read fresh, not from the informer cache: the status written next is built on this one, and a
    // cached copy can predate this operator's own last write.
    const user = await this.deps.resources.getDatabaseUser(keyNamespace, keyName);
    if (user === undefined) return done;
    const { namespace = '', name = '', uid = '', generation } = user.metadata;
    const subject: Subject = { user, namespace, name, uid, generation, logger };

    const parsed = databaseUserSpecSchema.safeParse(user.spec);
    const objectProblem = parsed.success ? objectRules.find((rule) => !rule.holds({ metadata: { name }, spec: parsed.data })) : undefined;
    if (!parsed.success || objectProblem) {
      const message = parsed.success
        ? (objectProblem?.message ?? 'invalid')
        : parsed.error.issues.map((issue) => `spec.${issue.path.join('.')}: ${issue.message}`).join('; ');
      if (user.metadata.deletionTimestamp) return this.releaseWithoutCleanup(subject, `the spec is invalid (${message})`);
      return this.finish(subject, { ready: false, reason: 'InvalidSpec', message }, {}, 'on-change');
    }
    const spec = parsed.data;
    try {
      if (user.metadata.deletionTimestamp) return await this.finalize(subject, spec);
      return await this.apply(subject, spec);
    } catch (error) {
      const problem = toProblem(error);
      if (problem.retry === 'now' && problem.reason === 'ReconcileError') {
        logger.debug({ reason: problem.message }, 'retrying after a race');
        return { kind: 'retry' };
      }
      return this.finish(subject, { ready: false, reason: problem.reason, message: problem.message }, {}, problem.retry);
    }
  }

  private marker(subject: Subject): OwnershipMarker {
    return { cluster: this.deps.clusterId, namespace: subject.namespace, name: subject.name, uid: subject.uid };
  }

  private async ensureFinalizer(subject: Subject): Promise<void> {
    const finalizers = subject.user.metadata.finalizers ?? [];
    if (finalizers.includes(finalizerName)) return;
    await this.deps.resources.setFinalizers(subject.namespace, subject.name, [...finalizers, finalizerName], subject.user.metadata.resourceVersion ?? '');
  }

  private async readChosenPassword(subject: Subject, spec: DatabaseUserSpec): Promise<ChosenPassword> {
    const ref = spec.passwordSecretRef;
    if (ref === undefined) return { kind: 'none' };
    const secret = await this.deps.resources.getSecret(subject.namespace, ref.name);
    if (secret === undefined) return { kind: 'unreadable', message: `password Secret "${ref.name}" not found` };
    const password = decodeSecretData(secret.data)[ref.key];
    if (password === undefined || password === '') return { kind: 'unreadable', message: `password Secret "${ref.name}" has no key "${ref.key}"` };
    return { kind: 'value', password, secretName: ref.name, resourceVersion: secret.metadata?.resourceVersion ?? '' };
  }

  private async apply(subject: Subject, spec: DatabaseUserSpec): Promise<ReconcileResult> {
    const { resources, gateway, connections } = this.deps;
    await this.ensureFinalizer(subject);
    const connection = await connections.resolve(subject.namespace, spec.connection?.secretName);
    const target: UserTarget = { connection, database: spec.database ?? connection.database, username: spec.username };
    const encryption = encryptionOf(spec);
    const secretName = credentialsSecretName(subject.name, spec);
    const applied: AppliedFields = { username: spec.username, readOnly: spec.readOnly, protected: spec.protected, secretName };

    const existing = await resources.getSecret(subject.namespace, secretName);
    if (existing && !isOurSecret(existing, subject.name)) {
      throw new ReconcileProblem('SecretConflict', `Secret "${secretName}" exists and was not written by dbuser-operator for this DatabaseUser; it was left untouched`, 'on-change');
    }
    const storedData = existing ? decodeSecretData(existing.data) : {};
    const stored = storedData.password ? { password: storedData.password, resetToken: existing?.metadata?.annotations?.[passwordResetHandledAnnotation] } : undefined;

    const observed = await gateway.observe(target, stored ? { value: stored.password, encryption } : undefined);
    const marker = this.marker(subject);
    const conflict = roleOwnershipProblem(spec.username, observed.role, observed.server, marker) ?? groupOwnershipProblem(observed.database);
    if (conflict) throw new ReconcileProblem('RoleConflict', conflict, 'on-change');

    const chosen = await this.readChosenPassword(subject, spec);
    const decision = decidePassword(
      {
        protected: spec.protected,
        roleExists: observed.role !== undefined,
        chosen,
        stored,
        resetRequest: subject.user.metadata.annotations?.[resetPasswordAnnotation],
      },
      this.deps.generatePassword,
    );
    if (decision.kind === 'refuse') throw new ReconcileProblem(decision.reason, decision.message, 'on-change');
    if (decision.kind === 'write' && decision.mustMatchRole) {
      const check = await gateway.observe(target, { value: decision.password, encryption });
      if (check.password.matches === false) {
        throw new ReconcileProblem('PasswordChangeRefused', 'the user is protected and the password in its Secret is not the one the role has: restore the previous password', 'on-change');
      }
    }

    // Secret first: the new password is stored before any role has it, so a crash never loses it.
    const manifest = credentialsSecretManifest({
      name: secretName,
      namespace: subject.namespace,
      databaseUserName: subject.name,
      owner: { apiVersion: `${apiGroup}/${apiVersion}`, kind, name: subject.name, uid: subject.uid },
      credentials: { username: spec.username, password: decision.password, host: connection.host, port: connection.port, database: target.database, sslMode: connection.sslMode },
      resetToken: decision.resetToken,
    });
    const secretWritten = existing === undefined || !secretMatches(existing, manifest);
    if (secretWritten) await resources.applySecret(manifest);

    const desired: DesiredRole = { username: spec.username, readOnly: spec.readOnly, password: decision.password, encryption, marker };
    const passwordObservation = decision.kind === 'write' ? { matches: false, encryption: observed.password.encryption } : observed.password;
    const prePlan = [...planGroups(observed.database), ...planRole(desired, observed.database, observed.role, passwordObservation, observed.server)];
    const actions =
      prePlan.length === 0
        ? []
        : await gateway.applyLocked(target, { value: decision.password, encryption }, async (underLock) => {
            const again = roleOwnershipProblem(spec.username, underLock.role, underLock.server, marker) ?? groupOwnershipProblem(underLock.database);
            if (again) throw new ReconcileProblem('RoleConflict', again, 'on-change');
            const plan = [...planGroups(underLock.database), ...planRole(desired, underLock.database, underLock.role, underLock.password, underLock.server)];
            // A password read from the Secret earlier is re-checked; one this pass just wrote is the
            // Secret's (a second writer needs a second leader; the next pass would repair it).
            if (!secretWritten && plan.some(setsPassword)) await this.assertSecretHolds(subject, secretName, decision.password);
            return plan;
          });

    const passwordSet = actions.some(setsPassword);
    const now = this.deps.now().toISOString();
    const previous = subject.user.status;
    Object.assign(applied, {
      passwordEncryption: passwordSet ? encryption : (observed.password.encryption ?? previous?.passwordEncryption ?? encryption),
      ...(passwordSet ? { passwordUpdatedAt: now } : {}),
      ...(decision.resetToken === undefined ? {} : { lastPasswordReset: decision.resetToken }),
      ...(chosen.kind === 'value' ? { passwordSecretResourceVersion: chosen.resourceVersion } : {}),
    });
    this.recordChanges(subject, spec, actions, decision, secretWritten);
    await this.removeReplacedSecret(subject, previous, secretName);
    // One message whatever this pass changed (Events tell the changes): a message that said "updated"
    // would need a second status write on the next pass to say "matches".
    const message = `user "${spec.username}": the role, its grants and its Secret match the spec`;
    return this.finish(subject, { ready: true, message }, applied, 'on-change', actions, chosen.kind === 'value' ? [] : ['passwordSecretResourceVersion']);
  }

  /**
   * Under the lock, the password about to be set must still be the Secret's: another writer (a
   * second replica) may have stored a newer one, which then wins and is applied on the next pass.
   */
  private async assertSecretHolds(subject: Subject, secretName: string, password: string): Promise<void> {
    const current = await this.deps.resources.getSecret(subject.namespace, secretName);
    if (decodeSecretData(current?.data).password !== password) {
      throw new ReconcileProblem('ReconcileError', 'the credentials Secret changed while applying the password', 'now');
    }
  }

  private recordChanges(subject: Subject, spec: DatabaseUserSpec, actions: PostgresAction[], decision: PasswordDecision, secretWritten: boolean): void {
    const created = actions.some((action) => action.kind === 'createRole');
    const passwordChanged = decision.kind === 'write' && decision.change !== 'initial';
    if (created) this.event(subject, 'Normal', 'Created', `User "${spec.username}" created.`);
    else if (actions.length > 0 || passwordChanged) this.event(subject, 'Normal', 'Updated', `User "${spec.username}" updated.`);
    else if (secretWritten) this.event(subject, 'Normal', 'SecretUpdated', `Secret "${credentialsSecretName(subject.name, spec)}" updated.`);
  }

  /** spec.secretName changed: the Secret written under the old name goes (only if it is ours). */
  private async removeReplacedSecret(subject: Subject, previous: DatabaseUserStatus | undefined, secretName: string): Promise<void> {
    const old = previous?.secretName;
    if (old === undefined || old === secretName) return;
    const secret = await this.deps.resources.getSecret(subject.namespace, old);
    if (secret?.metadata?.uid && isOurSecret(secret, subject.name)) await this.deps.resources.deleteSecret(subject.namespace, old, secret.metadata.uid);
  }

  private async finalize(subject: Subject, spec: DatabaseUserSpec): Promise<ReconcileResult> {
    const finalizers = subject.user.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizerName)) return done;
    if (spec.protected) {
      return this.finish(
        subject,
        {
          ready: false,
          reason: 'DeletionBlocked',
          message: `user "${spec.username}" is protected: the role was not dropped. To delete it, set spec.protected to false (kubectl patch dbu ${subject.name} --type merge -p '{"spec":{"protected":false}}')`,
        },
        {},
        'on-change',
      );
    }
    const secretName = credentialsSecretName(subject.name, spec);
    const secret = await this.deps.resources.getSecret(subject.namespace, secretName);
    const ours = secret !== undefined && isOurSecret(secret, subject.name) ? secret : undefined;
    if (spec.deletionPolicy === 'Retain') {
      if (ours) await this.orphanSecret(subject, ours, secretName);
      this.event(subject, 'Normal', 'Retained', `User "${spec.username}" kept in PostgreSQL (deletionPolicy Retain).`);
    } else {
      const connection = await this.deps.connections.resolve(subject.namespace, spec.connection?.secretName);
      const dropped = await this.dropRole(subject, spec, connection);
      if (ours?.metadata?.uid) await this.deps.resources.deleteSecret(subject.namespace, secretName, ours.metadata.uid);
      if (dropped !== 'refused') this.event(subject, 'Normal', 'Deleted', `User "${spec.username}" deleted.`);
    }
    await this.releaseFinalizer(subject);
    return done;
  }

  private async dropRole(subject: Subject, spec: DatabaseUserSpec, connection: ConnectionSettings): Promise<'dropped' | 'absent' | 'refused'> {
    const target: UserTarget = { connection, database: spec.database ?? connection.database, username: spec.username };
    const marker = this.marker(subject);
    const result = await this.deps.gateway.dropRole(target, (observation) => roleOwnershipProblem(spec.username, observation.role, observation.server, marker) === undefined);
    if (result === 'refused') {
      this.event(subject, 'Warning', 'RoleNotDropped', `User "${spec.username}" was not dropped: the role is not managed by this DatabaseUser.`);
    }
    return result;
  }

  /** deletionPolicy Retain: the credentials outlive the DatabaseUser, so drop our owner reference. */
  private async orphanSecret(subject: Subject, secret: SecretObject, secretName: string): Promise<void> {
    const manifest: SecretManifest = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: secretName,
        namespace: subject.namespace,
        labels: Object.fromEntries(
          Object.entries(secret.metadata?.labels ?? {}).filter(([label]) => label === 'app.kubernetes.io/managed-by' || label === 'dbuser.dev/databaseuser'),
        ),
        ...(secret.metadata?.annotations?.[passwordResetHandledAnnotation] === undefined
          ? {}
          : { annotations: { [passwordResetHandledAnnotation]: secret.metadata.annotations[passwordResetHandledAnnotation] } }),
      },
      type: 'Opaque',
      data: secret.data ?? {},
    };
    await this.deps.resources.applySecret(manifest);
  }

  private async releaseWithoutCleanup(subject: Subject, why: string): Promise<ReconcileResult> {
    subject.logger.warn({ why }, 'removing the finalizer without cleanup');
    await this.releaseFinalizer(subject);
    return done;
  }

  private async releaseFinalizer(subject: Subject): Promise<void> {
    const finalizers = (subject.user.metadata.finalizers ?? []).filter((finalizer) => finalizer !== finalizerName);
    try {
      await this.deps.resources.setFinalizers(subject.namespace, subject.name, finalizers, subject.user.metadata.resourceVersion ?? '');
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private event(subject: Subject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.events.record({
      namespace: subject.namespace,
      involved: { name: subject.name, uid: subject.uid, ...(subject.user.metadata.resourceVersion ? { resourceVersion: subject.user.metadata.resourceVersion } : {}) },
      type,
      reason,
      message,
    });
  }

  /**
   * Reports the outcome: one status write, only if the status differs from the stored one, and a
   * Warning Event when the object newly becomes not Ready (not on every retry).
   */
  private async finish(
    subject: Subject,
    readiness: Readiness,
    applied: AppliedFields,
    retry: 'on-change' | 'backoff' | 'now',
    actions: PostgresAction[] = [],
    cleared: ClearedFields = [],
  ): Promise<ReconcileResult> {
    this.deps.onOutcome?.(readiness.ready ? 'Reconciled' : readiness.reason, actions.map((action) => action.kind));
    const previous = subject.user.status;
    const status = computeStatus({ previous, generation: subject.generation, readiness, applied, cleared, now: this.deps.now().toISOString() });
    if (!readiness.ready && readyReasonOf(previous) !== readiness.reason) {
      this.event(subject, 'Warning', readiness.reason, readiness.message);
    }
    if (!readiness.ready) subject.logger.info({ reason: readiness.reason, detail: readiness.message }, 'not ready');
    if (!statusEquals(previous, status)) {
      try {
        await this.deps.resources.writeDatabaseUserStatus(subject.namespace, subject.name, status, previous);
      } catch (error) {
        if (isNotFound(error)) return done;
        throw error;
      }
    }
    if (readiness.ready || retry === 'on-change') return done;
    return { kind: 'retry' };
  }
}

function setsPassword(action: PostgresAction): boolean {
  return action.kind === 'createRole' || action.kind === 'setPassword';
}


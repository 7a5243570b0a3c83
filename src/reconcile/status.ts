import { conditionTypes, isTerminalReadyReason, type Condition, type ReadyReason } from '../api/conditions.js';
import type { DatabaseUserStatus } from '../api/database-user.js';

export type Readiness = { ready: true; message: string } | { ready: false; reason: ReadyReason; message: string };

/** Status fields that describe what is applied in PostgreSQL; kept from the previous status when unknown. */
export type AppliedFields = Pick<
  DatabaseUserStatus,
  | 'username'
  | 'readOnly'
  | 'protected'
  | 'passwordEncryption'
  | 'secretName'
  | 'passwordUpdatedAt'
  | 'lastPasswordReset'
  | 'passwordSecretResourceVersion'
  | 'lastPasswordChange'
  | 'passwordRotatesAt'
  | 'expiresAt'
>;

/** Applied fields that no longer apply (e.g. no chosen-password Secret any more): removed from the status. */
export type ClearedFields = readonly (keyof AppliedFields)[];

const ownTypes: readonly string[] = Object.values(conditionTypes);

/**
 * Ready, plus the kstatus pair: Stalled=True for a terminal reason, Reconciling=True while a transient
 * failure is retried; neither when Ready (removed, so a converged status stays exactly what it was).
 * A change being applied needs no condition of its own: observedGeneration behind metadata.generation
 * already says "in progress", and writing one before the work would double the status writes.
 */
function ownConditions(readiness: Readiness, generation: number | undefined, previous: readonly Condition[], now: string): Condition[] {
  const condition = (type: string, status: Condition['status'], reason: string, message: string): Condition => {
    const before = previous.find((candidate) => candidate.type === type);
    return {
      type,
      status,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      // Per API conventions the transition time moves only when the status does.
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
      reason,
      message,
    };
  };
  if (readiness.ready) return [condition(conditionTypes.Ready, 'True', 'Reconciled', readiness.message)];
  const { reason, message } = readiness;
  const kstatusType = isTerminalReadyReason(reason) ? conditionTypes.Stalled : conditionTypes.Reconciling;
  return [condition(conditionTypes.Ready, 'False', reason, message), condition(kstatusType, 'True', reason, message)];
}

/** The status to write: previous applied fields overlaid with what this reconcile knows. Pure. */
export function computeStatus(options: {
  previous: DatabaseUserStatus | undefined;
  generation: number | undefined;
  readiness: Readiness;
  applied: AppliedFields;
  cleared?: ClearedFields;
  now: string;
}): DatabaseUserStatus {
  const { previous, generation, readiness, applied, cleared = [], now } = options;
  const previousConditions = previous?.conditions ?? [];
  const otherConditions = previousConditions.filter((condition) => !ownTypes.includes(condition.type));
  const kept = Object.fromEntries(Object.entries(previous ?? {}).filter(([key]) => !(cleared as readonly string[]).includes(key)));
  const merged: DatabaseUserStatus = {
    ...kept,
    ...Object.fromEntries(Object.entries(applied).filter(([, value]) => value !== undefined)),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    conditions: [...ownConditions(readiness, generation, previousConditions, now), ...otherConditions],
  };
  return merged;
}

/** Structural equality, so an unchanged status is never written (the operator would loop on its own events). */
export function statusEquals(a: DatabaseUserStatus | undefined, b: DatabaseUserStatus | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.fromEntries(Object.entries(node).sort(([x], [y]) => x.localeCompare(y))) : node,
  );
}

export function readyReasonOf(status: DatabaseUserStatus | undefined): string | undefined {
  return status?.conditions?.find((condition) => condition.type === conditionTypes.Ready)?.reason;
}

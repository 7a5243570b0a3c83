import type { Condition, ReadyReason } from '../api/conditions.js';
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

const readyType = 'Ready';

function readyCondition(readiness: Readiness, generation: number | undefined, previous: Condition | undefined, now: string): Condition {
  const status = readiness.ready ? 'True' : 'False';
  return {
    type: readyType,
    status,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    // Per API conventions the transition time moves only when the status does.
    lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : now,
    reason: readiness.ready ? 'Reconciled' : readiness.reason,
    message: readiness.message,
  };
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
  const previousReady = previous?.conditions?.find((condition) => condition.type === readyType);
  const otherConditions = (previous?.conditions ?? []).filter((condition) => condition.type !== readyType);
  const kept = Object.fromEntries(Object.entries(previous ?? {}).filter(([key]) => !(cleared as readonly string[]).includes(key)));
  const merged: DatabaseUserStatus = {
    ...kept,
    ...Object.fromEntries(Object.entries(applied).filter(([, value]) => value !== undefined)),
    ...(generation === undefined ? {} : { observedGeneration: generation }),
    conditions: [readyCondition(readiness, generation, previousReady, now), ...otherConditions],
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
  return status?.conditions?.find((condition) => condition.type === readyType)?.reason;
}

import type { DatabaseUser } from '../api/database-user.js';
import { finalizerName, resetPasswordAnnotation } from '../api/names.js';

/**
 * What the operator keeps in memory of a DatabaseUser: enough to decide whether an update needs a
 * reconcile, to index its Secrets and to count users by state. Reconciles read the object itself.
 */
export interface UserSummary {
  metadata: { name: string; namespace: string; resourceVersion: string };
  generation: number | undefined;
  deleting: boolean;
  resetRequest: string | undefined;
  hasFinalizer: boolean;
  /** The spec as given (unvalidated), for the Secret index; small. */
  spec: unknown;
  ready: 'True' | 'False' | undefined;
}

export function summarize(user: DatabaseUser): UserSummary {
  const { name = '', namespace = '', resourceVersion = '' } = user.metadata;
  const ready = user.status?.conditions?.find((condition) => condition.type === 'Ready')?.status;
  return {
    metadata: { name, namespace, resourceVersion },
    generation: user.metadata.generation,
    deleting: user.metadata.deletionTimestamp !== undefined,
    resetRequest: user.metadata.annotations?.[resetPasswordAnnotation],
    hasFinalizer: (user.metadata.finalizers ?? []).includes(finalizerName),
    spec: user.spec,
    ready: ready === 'True' || ready === 'False' ? ready : undefined,
  };
}

/** Whether an update needs a reconcile: status-only changes (the operator's own writes) do not. */
export function needsReconcile(previous: UserSummary, current: UserSummary): boolean {
  return (
    previous.generation !== current.generation ||
    previous.deleting !== current.deleting ||
    previous.resetRequest !== current.resetRequest ||
    (!current.hasFinalizer && !current.deleting)
  );
}

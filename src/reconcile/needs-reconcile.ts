import type { DatabaseUser } from '../api/database-user.js';
import { finalizerName, resetPasswordAnnotation } from '../api/names.js';

const hasFinalizer = (user: DatabaseUser): boolean => (user.metadata.finalizers ?? []).includes(finalizerName);

/**
 * Whether an update needs a reconcile: a new generation (spec), deletion, a reset request, or our
 * finalizer removed by someone. Status-only changes (the operator's own writes) do not.
 */
export function needsReconcile(previous: DatabaseUser, current: DatabaseUser): boolean {
  return (
    previous.metadata.generation !== current.metadata.generation ||
    previous.metadata.deletionTimestamp !== current.metadata.deletionTimestamp ||
    previous.metadata.annotations?.[resetPasswordAnnotation] !== current.metadata.annotations?.[resetPasswordAnnotation] ||
    (hasFinalizer(previous) && !hasFinalizer(current))
  );
}

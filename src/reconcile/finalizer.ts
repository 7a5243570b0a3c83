import type { DatabaseUser } from '../api/database-user.js';
import { finalizerName } from '../api/names.js';
import { isNotFound } from '../kube/api-error.js';
import type { KubernetesPort } from './ports.js';

/** The DatabaseUser a reconcile works on; `user` moves on with each write the reconcile makes. */
export interface FinalizedObject {
  user: DatabaseUser;
}

/**
 * The finalizer protocol in one place (as kube-rs's finalizer()): an object being deleted is cleaned
 * up and then released, and only when it carries our finalizer (an object refused before any change
 * never got it, and goes at once); any other object is applied, with `ensure` to add the finalizer
 * just before its first change (not before: a refused object keeps none).
 */
export async function withFinalizer<T>(
  kubernetes: Pick<KubernetesPort, 'setFinalizers'>,
  subject: FinalizedObject,
  handlers: {
    apply: (ensure: () => Promise<void>) => Promise<T>;
    /** `release` removes the finalizer; otherwise it stays (and the object with it, until a later pass). */
    cleanup: () => Promise<{ release: boolean; result: T }>;
  },
  nothingToDo: T,
): Promise<T> {
  const finalizers = (): string[] => subject.user.metadata.finalizers ?? [];
  if (subject.user.metadata.deletionTimestamp === undefined) {
    return handlers.apply(async () => {
      if (finalizers().includes(finalizerName)) return;
      subject.user = await kubernetes.setFinalizers(subject.user, [...finalizers(), finalizerName]);
    });
  }
  if (!finalizers().includes(finalizerName)) return nothingToDo;
  const { release, result } = await handlers.cleanup();
  if (release) await releaseFinalizer(kubernetes, subject);
  return result;
}

/** Removes our finalizer; an object already gone is fine. */
export async function releaseFinalizer(kubernetes: Pick<KubernetesPort, 'setFinalizers'>, subject: FinalizedObject): Promise<void> {
  const finalizers = (subject.user.metadata.finalizers ?? []).filter((finalizer) => finalizer !== finalizerName);
  try {
    subject.user = await kubernetes.setFinalizers(subject.user, finalizers);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

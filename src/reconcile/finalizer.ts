import type { ObjectMeta } from '../api/database-user.js';
import { finalizerName } from '../api/names.js';
import { isNotFound } from '../kube/api-error.js';

/** The object a reconcile works on (kept in `user`); it moves on with each write the reconcile makes. */
export interface FinalizedObject<T extends { metadata: ObjectMeta }> {
  user: T;
}

/** How the finalizer list of such an object is written (409 if it changed since it was read). */
export interface FinalizerWriter<T> {
  setFinalizers(object: T, finalizers: string[]): Promise<T>;
}

/**
 * The finalizer protocol in one place (as kube-rs's finalizer()): an object being deleted is cleaned
 * up and then released, and only when it carries our finalizer (an object refused before any change
 * never got it, and goes at once); any other object is applied, with `ensure` to add the finalizer
 * just before its first change (not before: a refused object keeps none). Where the API server puts
 * the finalizer on at create (ADR 23), `ensure` finds it there and writes nothing, and `untouched`
 * tells an object that carries it but that the operator never changed anything for: released without
 * cleanup, as one without the finalizer would go at once.
 */
export async function withFinalizer<O extends { metadata: ObjectMeta }, T>(
  kubernetes: FinalizerWriter<O>,
  subject: FinalizedObject<O>,
  handlers: {
    apply: (ensure: () => Promise<void>) => Promise<T>;
    /** `release` removes the finalizer; otherwise it stays (and the object with it, until a later pass). */
    cleanup: () => Promise<{ release: boolean; result: T }>;
    /** Nothing the cleanup undoes can exist for the object: no change of the operator's ever reached the world. */
    untouched?: () => boolean;
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
  if (handlers.untouched?.() === true) {
    await releaseFinalizer(kubernetes, subject);
    return nothingToDo;
  }
  const { release, result } = await handlers.cleanup();
  if (release) await releaseFinalizer(kubernetes, subject);
  return result;
}

/** Removes our finalizer; an object already gone is fine. */
export async function releaseFinalizer<O extends { metadata: ObjectMeta }>(kubernetes: FinalizerWriter<O>, subject: FinalizedObject<O>): Promise<void> {
  const finalizers = (subject.user.metadata.finalizers ?? []).filter((finalizer) => finalizer !== finalizerName);
  try {
    subject.user = await kubernetes.setFinalizers(subject.user, finalizers);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

import { isTerminalReadyReason, type Condition } from '../api/conditions.js';
import { readyConditionOf } from '../api/database-user-view.js';
import type { DatabaseUser } from '../api/database-user.js';
import type { PersonClient } from './person-client.js';
import { formatDuration } from '../api/duration.js';

/** How a wait for the operator ends. */
export interface Applied {
  kind: 'applied';
  user: DatabaseUser;
}
export interface Refused {
  kind: 'refused';
  reason: string;
  message: string;
}
export interface Gone {
  kind: 'gone';
}
export interface TimedOut {
  kind: 'timed-out';
  last: DatabaseUser | undefined;
}
/** The person stopped waiting (Ctrl-C): what was written stays, and the operator goes on. */
export interface Interrupted {
  kind: 'interrupted';
  last: DatabaseUser | undefined;
}

/** What a front end may add to a wait: a word when it starts, and a way to stop it (Ctrl-C). */
export interface WaitHooks {
  /** Called once, when the wait for the operator starts (the writes are done). */
  onWaiting?: () => void;
  /** Aborted: the wait ends as 'interrupted' (at once, if it aborted before the wait started). */
  interrupt?: AbortSignal;
}

/** Looks at the DatabaseUser (undefined: it does not exist) and concludes, or not yet (undefined). */
export type Decider<O> = (user: DatabaseUser | undefined) => O | undefined;

/** What the command waits for once it has written its change. */
export interface Goal {
  /** Besides Ready=True at the current generation: what shows that this change was applied. */
  applied: (user: DatabaseUser) => boolean;
  /**
   * The Ready condition before the change. A refusal identical to it (same generation, reason and
   * message) is the operator's old answer, not one to this change, and is not taken as final.
   */
  before?: Condition | undefined;
}

function sameCondition(a: Condition, b: Condition | undefined): boolean {
  return a.status === b?.status && a.reason === b.reason && a.message === b.message && a.observedGeneration === b.observedGeneration;
}

/** A refusal the operator reported for the current generation, if it is final and news. */
function refusal(user: DatabaseUser, before: Condition | undefined): Refused | undefined {
  const ready = readyConditionOf(user);
  if (!ready || ready.status === 'True' || ready.observedGeneration !== user.metadata.generation) return undefined;
  if (!isTerminalReadyReason(ready.reason) || sameCondition(ready, before)) return undefined;
  return { kind: 'refused', reason: ready.reason, message: ready.message };
}

/** Ready=True at the current generation with the goal met; or a final refusal; or the object is gone. */
export function untilApplied(goal: Goal): Decider<Applied | Refused | Gone> {
  return (user) => {
    if (user === undefined) return { kind: 'gone' };
    const ready = readyConditionOf(user);
    const current = user.status?.observedGeneration === user.metadata.generation && ready?.observedGeneration === user.metadata.generation;
    if (current && ready?.status === 'True' && goal.applied(user)) return { kind: 'applied', user };
    return refusal(user, goal.before);
  };
}

/** The object is gone (its finalizer released); or the operator refuses to delete it (DeletionBlocked). */
export function untilGone(before: Condition | undefined): Decider<Gone | Refused> {
  return (user) => {
    if (user === undefined) return { kind: 'gone' };
    const refused = refusal(user, before);
    return refused?.reason === 'DeletionBlocked' ? refused : undefined;
  };
}

/** Follows the DatabaseUser until `decide` concludes, for at most `timeoutMs`, or until `hooks.interrupt` aborts. */
export async function awaitOutcome<O>(
  client: PersonClient,
  name: string,
  decide: Decider<O>,
  timeoutMs: number,
  hooks: WaitHooks = {},
): Promise<O | TimedOut | Interrupted> {
  let last: DatabaseUser | undefined;
  const timeout = AbortSignal.timeout(timeoutMs);
  const { interrupt } = hooks;
  const signal = interrupt ? AbortSignal.any([timeout, interrupt]) : timeout;
  hooks.onWaiting?.();
  try {
    return await client.awaitUser(
      name,
      (user) => {
        last = user;
        return decide(user);
      },
      signal,
    );
  } catch (error) {
    if (interrupt?.aborted) return { kind: 'interrupted', last } satisfies Interrupted;
    if (signal.aborted) return { kind: 'timed-out', last } satisfies TimedOut;
    throw error;
  }
}

/** "after 60s; last: Ready=False ServerUnavailable: …" for a timeout message. */
export function describeTimeout(outcome: { last: DatabaseUser | undefined }, timeoutMs: number): string {
  const ready = readyConditionOf(outcome.last);
  const last = !outcome.last
    ? 'the DatabaseUser was not found'
    : ready === undefined
      ? 'the operator has not reported on it yet'
      : `Ready=${ready.status} ${ready.reason}: ${ready.message}`;
  return `timed out after ${formatDuration(timeoutMs)}; last seen: ${last}`;
}

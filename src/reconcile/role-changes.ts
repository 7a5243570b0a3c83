import type { PasswordVerdict, RoleObservation } from '../model/observed.js';
import { isGroupAction, withVerifier, type PreparedVerifier, type RoleAction } from '../model/role-actions.js';
import type { RoleTarget } from '../model/role-target.js';
import { planFor, verdictFor, type Decision, type Observed } from './decide.js';
import type { PostgresPort } from './ports.js';
import { ReconcileProblem } from './problems.js';

type Apply = Extract<Decision, { kind: 'apply' }>;

/**
 * Under the role's lock, top to bottom: look again, plan again if anything changed since the
 * observation without the lock, and run the plan in one transaction. Changes to the database's
 * group roles take its lock too and look at the groups afresh. No Kubernetes call is made here.
 * The plan runs only once `secretWritten` says the Secret was written (the new password is in it);
 * if it was not, nothing is changed, the transaction rolls back and SecretNotWritten is thrown (the
 * caller reports the write's own failure). A `prepared` verifier is what the role gets for that password,
 * whichever plan runs. Returns the actions run.
 */
export async function applyRoleChanges(
  postgres: PostgresPort,
  observed: Observed,
  decision: Apply,
  secretWritten: Promise<boolean>,
  prepared?: PreparedVerifier,
): Promise<RoleAction[]> {
  const { desired, password } = decision;
  const target: RoleTarget = { connection: observed.connection, database: observed.database, username: desired.username };
  const candidate = password.password === observed.candidate ? { value: password.password, encryption: desired.encryption } : undefined;
  const verdictOf = (observation: RoleObservation) => verdictFor(password.password, observed.candidate, observation);
  return postgres.withRoleLock(target, async (role) => {
    let now = await role.observe(candidate);
    let actions = samePlanInputs(now, observed.role, verdictOf) ? decision.actions : plannedOrRefused(desired, now, verdictOf(now));
    if (actions.some(isGroupAction)) {
      await role.lockGroups();
      now = await role.observe(candidate);
      actions = plannedOrRefused(desired, now, verdictOf(now));
    }
    if (!(await secretWritten)) throw new SecretNotWritten();
    actions = withVerifier(actions, prepared);
    await role.execute(actions);
    return actions;
  });
}

/** The Secret the plan depends on was not written: the plan is given up (no role change without it). */
export class SecretNotWritten extends Error {
  constructor() {
    super('the credentials Secret was not written; no role change');
  }
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

import type { RoleObservation } from './observed.js';
import type { RoleAction } from './role-actions.js';
import type { CandidatePassword } from './role-target.js';

/** One role, under its advisory lock: what may be done to it while the lock is held. */
export interface LockedRole {
  /** Reads the role again; after lockGroups(), its database's groups are read afresh too. */
  observe(candidate: CandidatePassword | undefined): Promise<RoleObservation>;
  /** Takes the database's lock as well (group role changes); always after the role's: no deadlock. */
  lockGroups(): Promise<void>;
  /**
   * Runs the actions in order and commits them, in one round trip: the last call of a lock's body
   * (the role's lock is released once the lock's transaction ends; nothing may follow).
   */
  execute(actions: readonly RoleAction[]): Promise<void>;
  /**
   * Drops the role without destroying data: in every database where it owns objects or holds
   * privileges (pg_shdepend), what it owns goes to that database's owner (or to the admin, when the
   * admin may not act as that owner) and only then are its remaining privileges dropped; then the role.
   */
  drop(observation: RoleObservation): Promise<void>;
}

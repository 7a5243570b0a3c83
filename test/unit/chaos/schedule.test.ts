import { describe, expect, it } from '@jest/globals';
import { SeededRandom } from '../../../chaos/random.js';
import { buildSchedule, describeSchedule, type ChaosSize } from '../../../chaos/schedule.js';
import { usernameSchema } from '../../../src/api/database-user.js';
import { passwordPolicyViolation } from '../../../src/api/password-policy.js';

const size: ChaosSize = { users: 200, kills: 10, postgresRestarts: 2, apiServerRestarts: 2, cuts: 6, namespaces: 2 };

describe('the chaos schedule', () => {
  it('is the same for the same seed, and another for another seed', () => {
    expect(JSON.stringify(buildSchedule(42, size))).toBe(JSON.stringify(buildSchedule(42, size)));
    expect(JSON.stringify(buildSchedule(43, size))).not.toBe(JSON.stringify(buildSchedule(42, size)));
    expect(new SeededRandom(7).next()).toBe(new SeededRandom(7).next());
  });

  it('has every fault once, spread over the operations, none after the last segment', () => {
    const schedule = buildSchedule(1, size);
    const counts = describeSchedule(schedule);
    expect(counts).toMatchObject({ create: 200, delete: 50, kill: 10, restartPostgres: 2, restartApiServer: 2, cutConnections: 6 });
    expect(schedule.segments).toHaveLength(21);
    expect(schedule.segments.at(-1)?.fault).toBeUndefined();
    expect(schedule.segments.every((segment) => segment.operations.length > 0)).toBe(true);
  });

  it('creates a user before anything else happens to it, and deletes it last', () => {
    const schedule = buildSchedule(2, size);
    const seen = new Set<number>();
    const deleted = new Set<number>();
    for (const operation of schedule.segments.flatMap((segment) => segment.operations)) {
      expect(deleted.has(operation.user)).toBe(false);
      if (operation.kind === 'create') seen.add(operation.user);
      else expect(seen.has(operation.user)).toBe(true);
      if (operation.kind === 'delete') deleted.add(operation.user);
    }
    expect([...deleted].every((user) => schedule.expected[user]?.deleted)).toBe(true);
  });

  it('resets only generated passwords, edits only chosen ones, and every name and password is one the API accepts', () => {
    const schedule = buildSchedule(3, size);
    for (const operation of schedule.segments.flatMap((segment) => segment.operations)) {
      const user = schedule.users[operation.user];
      if (operation.kind === 'reset') expect(user?.chosenPassword).toBeUndefined();
      if (operation.kind === 'editChosen') {
        expect(user?.chosenPassword).toBeDefined();
        expect(passwordPolicyViolation(operation.password)).toBeUndefined();
      }
    }
    for (const user of schedule.users) {
      expect(usernameSchema.safeParse(user.username).success).toBe(true);
      if (user.chosenPassword !== undefined) expect(passwordPolicyViolation(user.chosenPassword)).toBeUndefined();
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { inProviderOrder } from '../../../src/client/user-order.js';

function user(name: string, username: string, createdAt: string, extra: Record<string, unknown> = {}): DatabaseUser {
  return { metadata: { name, creationTimestamp: createdAt }, spec: { username, ...extra } };
}

const usernames = (users: readonly DatabaseUser[]) => inProviderOrder(users).map((entry) => (entry.spec as { username: string }).username);

describe('inProviderOrder', () => {
  it('lists the protected default user first, then the others as they were created, not by name', () => {
    const users = [
      user('zeta', 'zeta_user', '2026-01-01T10:00:03Z'),
      user('alpha', 'alpha_user', '2026-01-01T10:00:05Z'),
      user('my-app', 'my_app_4553', '2026-01-01T10:00:04Z', { protected: true }),
      user('middle', 'middle_user', '2026-01-01T10:00:01Z'),
    ];
    expect(usernames(users)).toEqual(['my_app_4553', 'middle_user', 'zeta_user', 'alpha_user']);
  });

  it('orders users created in the same second by metadata.name, by code point', () => {
    const second = '2026-01-01T10:00:00Z';
    const users = [user('b-user', 'b_user', second), user('a-user', 'a_user', second), user('B-user', 'B_user', second)];
    expect(usernames(users)).toEqual(['B_user', 'a_user', 'b_user']);
  });

  it('orders several protected users by creation too, and does not change its input', () => {
    const users = [
      user('late-owner', 'late_owner', '2026-01-01T10:00:09Z', { protected: true }),
      user('plain', 'plain_user', '2026-01-01T10:00:00Z'),
      user('early-owner', 'early_owner', '2026-01-01T10:00:02Z', { protected: true }),
    ];
    const copy = [...users];
    expect(usernames(users)).toEqual(['early_owner', 'late_owner', 'plain_user']);
    expect(users).toEqual(copy);
  });

  it('gives one order for any arrival order (the list and the dashboard agree whatever the API server returns)', () => {
    const arbitraryUser = fc
      .record({ name: fc.stringMatching(/^[a-z]{1,3}$/), second: fc.integer({ min: 0, max: 3 }), protected: fc.boolean() })
      .map((entry) => user(entry.name, `${entry.name}_user`, `2026-01-01T10:00:0${entry.second}Z`, { protected: entry.protected }));
    const usersAndArrival = fc
      .uniqueArray(arbitraryUser, { selector: (entry) => entry.metadata.name })
      .chain((users) => fc.tuple(fc.constant(users), fc.shuffledSubarray(users, { minLength: users.length, maxLength: users.length })));
    fc.assert(
      fc.property(usersAndArrival, ([users, arrived]) => {
        expect(inProviderOrder(arrived)).toEqual(inProviderOrder(users));
      }),
    );
  });
});

describe("inProviderOrder with a Database's default user", () => {
  it('lists the default user first, before other protected users created earlier', () => {
    const users = [
      user('owner', 'old_owner', '2026-01-01T10:00:00Z', { protected: true }),
      {
        ...user('my-app', 'my_app_4553', '2026-01-01T10:00:05Z', { protected: true }),
        metadata: { name: 'my-app', creationTimestamp: '2026-01-01T10:00:05Z', labels: { 'dbuser.dev/default-user-of': 'my-app' } },
      },
      user('rw', 'my_app_4553_rw', '2026-01-01T10:00:01Z'),
    ];
    expect(usernames(users)).toEqual(['my_app_4553', 'old_owner', 'my_app_4553_rw']);
  });
});

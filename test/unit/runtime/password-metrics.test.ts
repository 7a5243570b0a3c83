import { describe, expect, it } from '@jest/globals';
import { OperatorMetrics, type PasswordTimes } from '../../../src/runtime/metrics.js';

const day = 86_400_000;

function metricsWith(users: PasswordTimes[], perUserMetrics: boolean, notReady: Record<string, number> = {}): OperatorMetrics {
  return new OperatorMetrics(
    {
      usersByState: () => ({ ready: 0, not_ready: 0, unknown: 0 }),
      usersNotReady: () => notReady,
      queueDepth: () => 0,
      isLeader: () => true,
      kubeRequests: () => [],
      passwordTimes: () => users,
      postgresConnections: () => [],
    },
    { perUserMetrics },
  );
}

describe('password metrics', () => {
  const now = Date.now();
  const users: PasswordTimes[] = [
    { namespace: 'shop', name: 'a', changedAt: now - 2 * day, rotatesAt: now + 5 * day, expiresAt: undefined },
    { namespace: 'shop', name: 'b', changedAt: now - 40 * day, rotatesAt: undefined, expiresAt: now + day },
    { namespace: 'shop', name: 'c', changedAt: undefined, rotatesAt: undefined, expiresAt: undefined },
  ];

  it('are histograms over all users by default: no series per user', async () => {
    const text = await metricsWith(users, false).registry.metrics();
    expect(text).toContain('dbuser_operator_password_age_seconds_count 2');
    expect(text).toContain('dbuser_operator_password_age_seconds_bucket{le="604800"} 1');
    expect(text).toContain('dbuser_operator_password_age_seconds_bucket{le="7776000"} 2');
    expect(text).toContain('dbuser_operator_password_rotation_due_seconds_count 1');
    expect(text).not.toContain('name="a"');
  });

  it('recount at every scrape instead of accumulating', async () => {
    const metrics = metricsWith(users, false);
    await metrics.registry.metrics();
    expect(await metrics.registry.metrics()).toContain('dbuser_operator_password_age_seconds_count 2');
  });

  it('add one series per user only when asked for', async () => {
    const text = await metricsWith(users, true).registry.metrics();
    expect(text).toMatch(/dbuser_operator_user_password_age_seconds\{namespace="shop",name="b"\} 345600\d/);
    expect(text).toMatch(/dbuser_operator_user_password_rotation_due_seconds\{namespace="shop",name="a"\} 4(31999|32000)/);
    expect(text).not.toContain('name="c"');
  });
});

describe('what alerts need', () => {
  const now = Date.now();

  it('counts users whose rotation or expiry time has passed, not those still ahead', async () => {
    const text = await metricsWith(
      [
        { namespace: 'shop', name: 'late', changedAt: now - 40 * day, rotatesAt: now - 60_000, expiresAt: now - 1000 },
        { namespace: 'shop', name: 'later', changedAt: now - 40 * day, rotatesAt: now - day, expiresAt: undefined },
        { namespace: 'shop', name: 'ahead', changedAt: now, rotatesAt: now + day, expiresAt: now + day },
      ],
      false,
    ).registry.metrics();
    expect(text).toContain('dbuser_operator_password_rotations_overdue 2');
    expect(text).toContain('dbuser_operator_users_expired 1');
  });

  it('reports not-Ready users by reason, and drops a reason once no user has it', async () => {
    const notReady: Record<string, number> = { RoleConflict: 2, NotReconciled: 1 };
    const metrics = metricsWith([], false, notReady);
    const first = await metrics.registry.metrics();
    expect(first).toContain('dbuser_operator_users_not_ready{reason="RoleConflict"} 2');
    expect(first).toContain('dbuser_operator_users_not_ready{reason="NotReconciled"} 1');
    delete notReady.RoleConflict;
    expect(await metrics.registry.metrics()).not.toContain('reason="RoleConflict"');
  });

  it("read every user's times once per scrape, however many collectors need them, and afresh at the next", async () => {
    let reads = 0;
    const now = Date.now();
    const users: PasswordTimes[] = [
      { namespace: 'shop', name: 'a', changedAt: now - 2 * day, rotatesAt: now + 5 * day, expiresAt: undefined },
      { namespace: 'shop', name: 'b', changedAt: now - 40 * day, rotatesAt: undefined, expiresAt: now + day },
    ];
    const metrics = new OperatorMetrics(
      {
        usersByState: () => ({ ready: 0, not_ready: 0, unknown: 0 }),
        usersNotReady: () => ({}),
        queueDepth: () => 0,
        isLeader: () => true,
        kubeRequests: () => [],
        passwordTimes: () => {
          reads++;
          return users;
        },
        postgresConnections: () => [],
      },
      { perUserMetrics: true },
    );
    await metrics.registry.metrics();
    expect(reads).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await metrics.registry.metrics()).toContain('dbuser_operator_password_age_seconds_count 2');
    expect(reads).toBe(2);
  });
});

import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/runtime/config.js';
import { parseDuration } from '../../../src/api/duration.js';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({}, [], 'host');
    expect(config).toMatchObject({
      watchNamespaces: [],
      operatorNamespace: 'dbuser-system',
      defaultConnection: undefined,
      serverSelector: undefined,
      resyncIntervalMs: 600_000,
      workers: 8,
      workersMax: 32,
      httpPort: 8080,
      leaderElection: { enabled: true, leaseName: 'dbuser-operator', leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      postgres: { maxConnectionsPerServer: 10, connectionWaitMs: 10_000, idleTimeoutMs: 30_000 },
    });
    expect(config.identity).toMatch(/^host-\d+$/);
  });

  it('reads the environment, and flags override it', () => {
    const config = loadConfig(
      { WATCH_NAMESPACES: 'a, b', DEFAULT_CONNECTION_SECRET: 'pg-admin', RESYNC_INTERVAL: '1m30s', LEADER_ELECT: 'false', POD_NAME: 'pod-1' },
      ['--workers=3', '--resync-interval=2s'],
      'host',
    );
    expect(config).toMatchObject({
      watchNamespaces: ['a', 'b'],
      defaultConnection: { namespace: 'dbuser-system', name: 'pg-admin' },
      resyncIntervalMs: 2_000,
      workers: 3,
      identity: 'pod-1',
      leaderElection: { enabled: false },
    });
    expect(loadConfig({ DEFAULT_CONNECTION_SECRET: 'db/admin' }, [], 'h').defaultConnection).toEqual({ namespace: 'db', name: 'admin' });
    expect(loadConfig({ WORKERS: 'auto', WORKERS_MAX: '16' }, [], 'h')).toMatchObject({ workers: 'auto', workersMax: 16 });
    expect(loadConfig({ SERVER_SELECTOR: 'team=platform' }, [], 'h').serverSelector).toBe('team=platform');
  });

  it.each([
    [{ RESYNC_INTERVAL: 'banana' }, [], 'RESYNC_INTERVAL: expected a duration such as 30s, 10m or 1h (1ms to 596h), got "banana"'],
    [{ WORKERS: '0' }, [], 'WORKERS: expected a whole number from 1 to 256 or "auto", got "0"'],
    [{ WORKERS_MAX: '1' }, [], 'WORKERS_MAX: expected a whole number from 2 to 256, got "1"'],
    [{ LEADER_ELECT: 'maybe' }, [], 'LEADER_ELECT: expected true or false'],
    // One reconcile nests three connections to a server (connection-bound.ts): fewer could never serve it.
    [{ PG_MAX_CONNECTIONS_PER_SERVER: '2' }, [], 'PG_MAX_CONNECTIONS_PER_SERVER: expected a whole number from 3 to 10000, got "2"'],
    [{ LOG_LEVEL: 'loud' }, [], 'LOG_LEVEL'],
    [{ LEASE_RENEW_DEADLINE: '20s' }, [], 'LEASE_RENEW_DEADLINE: must be shorter than LEASE_DURATION'],
    [{}, ['--workers'], 'unrecognised argument "--workers"'],
    [
      {},
      ['--watch-label-selector=sharding.fluxcd.io/key in (shard1'],
      'WATCH_LABEL_SELECTOR: not a label selector: "sharding.fluxcd.io/key in (shard1" is not a requirement',
    ],
    [{ RECONCILE_SERVERS: 'sometimes' }, [], 'RECONCILE_SERVERS: expected true or false'],
  ])('refuses %j %j with one clear line', (env, argv, message) => {
    expect(() => loadConfig(env, argv, 'h')).toThrow(message);
  });
});

describe('sharding (ADR 25)', () => {
  it('without a selector: every object, the Lease it always had, and the servers', () => {
    const config = loadConfig({}, [], 'h');
    expect(config.watchLabelSelector).toBeUndefined();
    expect(config.leaderElection.leaseName).toBe('dbuser-operator');
    expect(config.reconcileServers).toBe(true);
  });

  it('a shard: its selector, a Lease of its own derived from the selector, and no servers', () => {
    const shard1 = loadConfig({}, ['--watch-label-selector=sharding.fluxcd.io/key in (shard1)'], 'h');
    const shard2 = loadConfig({ WATCH_LABEL_SELECTOR: 'sharding.fluxcd.io/key in (shard2)' }, [], 'h');
    expect(shard1.watchLabelSelector).toEqual({
      text: 'sharding.fluxcd.io/key in (shard1)',
      selector: { matchExpressions: [{ key: 'sharding.fluxcd.io/key', operator: 'In', values: ['shard1'] }] },
    });
    expect(shard1.leaderElection.leaseName).toMatch(/^dbuser-operator-[0-9a-f]{10}$/);
    expect(shard1.leaderElection.leaseName).not.toBe(shard2.leaderElection.leaseName);
    expect(loadConfig({}, ['--watch-label-selector=sharding.fluxcd.io/key in (shard1)'], 'other').leaderElection.leaseName).toBe(
      shard1.leaderElection.leaseName,
    );
    expect(shard1.reconcileServers).toBe(false);
    expect(
      loadConfig({ WATCH_LABEL_SELECTOR: 'sharding.fluxcd.io/key in (shard1)', LEASE_NAME: 'dbuser-operator-shard1' }, [], 'h').leaderElection.leaseName,
    ).toBe('dbuser-operator-shard1');
  });

  it('the instance taking the objects without a shard key writes the servers, unless told otherwise', () => {
    expect(loadConfig({ WATCH_LABEL_SELECTOR: '!sharding.fluxcd.io/key' }, [], 'h').reconcileServers).toBe(true);
    expect(loadConfig({ WATCH_LABEL_SELECTOR: '!sharding.fluxcd.io/key', RECONCILE_SERVERS: 'false' }, [], 'h').reconcileServers).toBe(false);
    expect(loadConfig({ WATCH_LABEL_SELECTOR: 'team=a', RECONCILE_SERVERS: 'true' }, [], 'h').reconcileServers).toBe(true);
    expect(loadConfig({ WATCH_LABEL_SELECTOR: '  ' }, [], 'h').watchLabelSelector).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['10', undefined],
    ['s', undefined],
    ['-5s', undefined],
  ])('%s -> %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('findings of the fuzzers (test/unit/fuzz/cli-arguments.fuzz.test.ts)', () => {
  it('timer-duration-out-of-range: RESYNC_INTERVAL=600h is refused (a longer timer fires at once: a resync every millisecond)', () => {
    expect(() => loadConfig({ RESYNC_INTERVAL: '600h' }, [], 'host')).toThrow(
      'RESYNC_INTERVAL: expected a duration such as 30s, 10m or 1h (1ms to 596h), got "600h"',
    );
    expect(loadConfig({ RESYNC_INTERVAL: '596h' }, [], 'host').resyncIntervalMs).toBe(596 * 3_600_000);
  });

  it('timer-duration-out-of-range: PG_LOCK_TIMEOUT=0.5ms is 1 ms, not 0 (PostgreSQL reads 0 as no timeout at all)', () => {
    expect(loadConfig({ PG_LOCK_TIMEOUT: '0.5ms' }, [], 'host').postgres.lockTimeoutMs).toBe(1);
  });
});

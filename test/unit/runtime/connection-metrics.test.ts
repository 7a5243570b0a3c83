// Issue 24: what the dashboard's connection panels and the DbuserConnectionLimitReached alert read.
import { describe, expect, it } from '@jest/globals';
import { OperatorMetrics } from '../../../src/runtime/metrics.js';

function metricsWith(options: { maxConnectionsPerServer?: number }): OperatorMetrics {
  return new OperatorMetrics(
    {
      usersByState: () => ({ ready: 0, not_ready: 0, unknown: 0 }),
      usersNotReady: () => ({}),
      queueDepth: () => 0,
      isLeader: () => true,
      kubeRequests: () => [],
      passwordTimes: () => [],
      postgresConnections: () => [{ server: 'db:5432', open: 3, idle: 1, waiting: 2 }],
    },
    options,
  );
}

describe('connection metrics', () => {
  it('export the bound beside the connections in use and idle', async () => {
    const text = await metricsWith({ maxConnectionsPerServer: 7 }).registry.metrics();
    expect(text).toContain('dbuser_operator_postgres_max_connections_per_server 7');
    expect(text).toContain('dbuser_operator_postgres_connections{server="db:5432",state="in_use"} 2');
    expect(text).toContain('dbuser_operator_postgres_connections{server="db:5432",state="idle"} 1');
  });

  it("start a server's wait counters at 0 when it is first seen, and never reset them when it is seen again", async () => {
    const metrics = metricsWith({});
    expect(await metrics.registry.metrics()).not.toContain('dbuser_operator_postgres_connection_wait_timeouts_total{');
    metrics.postgresServerSeen('db:5432');
    let text = await metrics.registry.metrics();
    expect(text).toContain('dbuser_operator_postgres_connection_waits_total{server="db:5432"} 0');
    expect(text).toContain('dbuser_operator_postgres_connection_wait_timeouts_total{server="db:5432"} 0');
    metrics.postgresConnectionWaitTimeouts.inc({ server: 'db:5432' });
    metrics.postgresServerSeen('db:5432');
    text = await metrics.registry.metrics();
    expect(text).toContain('dbuser_operator_postgres_connection_wait_timeouts_total{server="db:5432"} 1');
  });
});

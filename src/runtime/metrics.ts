import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** Managed users by Ready state, read at scrape time from the informer cache. */
  usersByState: () => Record<'ready' | 'not_ready' | 'unknown', number>;
  queueDepth: () => number;
  isLeader: () => boolean;
  kubeRequests: () => Iterable<{ verb: string; resource: string; count: number }>;
}

/** The operator's Prometheus metrics, prefixed dbuser_operator_. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram<'result'>;
  readonly reconcileFailures: Counter<'reason'>;
  readonly queueWait: Histogram;
  readonly postgresStatements: Counter<'action'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.reconciles = new Counter({
      name: 'dbuser_operator_reconcile_total',
      help: 'Reconciles by result: done, retry (handled failure), error (unexpected).',
      labelNames: ['result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: 'dbuser_operator_reconcile_duration_seconds',
      help: 'Time spent in one reconcile, by result.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.reconcileFailures = new Counter({
      name: 'dbuser_operator_reconcile_errors_total',
      help: 'Reconciles that left a DatabaseUser not Ready, by condition reason.',
      labelNames: ['reason'],
      registers,
    });
    this.queueWait = new Histogram({
      name: 'dbuser_operator_workqueue_wait_seconds',
      help: 'Time a key waited in the work queue before a worker took it.',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.postgresStatements = new Counter({
      name: 'dbuser_operator_postgres_actions_total',
      help: 'Changes applied to PostgreSQL, by action kind.',
      labelNames: ['action'],
      registers,
    });
    new Gauge({
      name: 'dbuser_operator_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      registers,
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: 'dbuser_operator_managed_users',
      help: 'DatabaseUsers watched by the operator, by Ready state.',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, count] of Object.entries(sources.usersByState())) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'dbuser_operator_leader',
      help: '1 if this replica is the leader (reconciles), else 0.',
      registers,
      collect() {
        this.set(sources.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dbuser_operator_kubernetes_requests',
      help: 'Requests this process made to the Kubernetes API server, by Kubernetes verb and resource (a running total).',
      labelNames: ['verb', 'resource'],
      registers,
      collect() {
        for (const { verb, resource, count } of sources.kubeRequests()) this.set({ verb, resource }, count);
      },
    });
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricSources {
  /** Managed users by Ready state, read at scrape time from the informer cache. */
  usersByState: () => Record<'ready' | 'not_ready' | 'unknown', number>;
  queueDepth: () => number;
  isLeader: () => boolean;
  kubeRequests: () => Iterable<{ verb: string; resource: string; count: number }>;
  /** Users whose Ready condition is not True, by its reason (NotReconciled: no Ready condition yet), at scrape time. */
  usersNotReady: () => Record<string, number>;
  /** Each managed user's password times (ms since the epoch), from the informer cache at scrape time. */
  passwordTimes: () => Iterable<PasswordTimes>;
  /** Per PostgreSQL server ("host:port"): connections open, of which idle, and requests waiting for one. */
  postgresConnections: () => Iterable<{ server: string; open: number; idle: number; waiting: number }>;
}

export interface PasswordTimes {
  namespace: string;
  name: string;
  changedAt: number | undefined;
  rotatesAt: number | undefined;
  /** status.expiresAt of a temporary user (spec.ttl). */
  expiresAt: number | undefined;
}

const hour = 3_600;
const day = 24 * hour;
/** Password ages and rotation horizons worth telling apart: an hour to a year. */
const lifetimeBuckets = [hour, 6 * hour, day, 7 * day, 30 * day, 90 * day, 180 * day, 365 * day];

/** Steps take from a fraction of a millisecond (a quiet host) to seconds (a saturated one). */
const stepBuckets = [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096];

/** The operator's Prometheus metrics, prefixed dbuser_operator_. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram<'result'>;
  readonly reconcileErrors: Counter<'reason'>;
  readonly workqueueWait: Histogram;
  readonly reconcileStep: Histogram<'step'>;
  readonly postgresActions: Counter<'action'>;
  readonly postgresConnectionWaits: Counter<'server'>;
  readonly postgresConnectionWaitTimeouts: Counter<'server'>;
  readonly passwordChecks: Counter<'how'>;
  readonly workersLimit: Gauge;

  constructor(sources: MetricSources, options: { perUserMetrics?: boolean; maxConnectionsPerServer?: number } = {}) {
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
    this.reconcileErrors = new Counter({
      name: 'dbuser_operator_reconcile_errors_total',
      help: 'Reconciles that left a DatabaseUser not Ready, by condition reason.',
      labelNames: ['reason'],
      registers,
    });
    this.workqueueWait = new Histogram({
      name: 'dbuser_operator_workqueue_wait_seconds',
      help: 'Time a key waited in the work queue before a worker took it.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.reconcileStep = new Histogram({
      name: 'dbuser_operator_reconcile_step_duration_seconds',
      help: "Time of each step on a reconcile's critical path (observe, finalizer, secret, postgres, status), and of the Event write, which no reconcile waits for.",
      labelNames: ['step'],
      buckets: stepBuckets,
      registers,
    });
    this.postgresActions = new Counter({
      name: 'dbuser_operator_postgres_actions_total',
      help: 'Changes applied to PostgreSQL, by action kind.',
      labelNames: ['action'],
      registers,
    });
    this.postgresConnectionWaits = new Counter({
      name: 'dbuser_operator_postgres_connection_waits_total',
      help: "Requests for a PostgreSQL connection that waited for a slot under the server's bound (PG_MAX_CONNECTIONS_PER_SERVER).",
      labelNames: ['server'],
      registers,
    });
    this.workersLimit = new Gauge({
      name: 'dbuser_operator_workers_limit',
      help: 'Reconciles that may run at once: WORKERS, or with WORKERS=auto the limit as it follows the status write latency (ADR 29).',
      registers,
    });
    this.passwordChecks = new Counter({
      name: 'dbuser_operator_password_checks_total',
      help: "Comparisons of a role's stored password with the one it should have, by how: recorded (the sealed verifier record in the credentials Secret), remembered, recomputed (the hash, 4,096 PBKDF2 rounds for SCRAM), login.",
      labelNames: ['how'],
      registers,
    });
    this.postgresConnectionWaitTimeouts = new Counter({
      name: 'dbuser_operator_postgres_connection_wait_timeouts_total',
      help: 'Requests for a PostgreSQL connection that found no slot within PG_CONNECTION_WAIT (the reconcile is retried).',
      labelNames: ['server'],
      registers,
    });
    if (options.maxConnectionsPerServer !== undefined) {
      new Gauge({
        name: 'dbuser_operator_postgres_max_connections_per_server',
        help: "The bound on this process's connections to each PostgreSQL server (PG_MAX_CONNECTIONS_PER_SERVER), for dbuser_operator_postgres_connections to be read against.",
        registers,
      }).set(options.maxConnectionsPerServer);
    }
    new Gauge({
      name: 'dbuser_operator_postgres_connections',
      help: "The operator's connections to each PostgreSQL server, by state (in_use, idle); at most PG_MAX_CONNECTIONS_PER_SERVER together.",
      labelNames: ['server', 'state'],
      registers,
      collect() {
        this.reset();
        for (const { server, open, idle } of sources.postgresConnections()) {
          this.set({ server, state: 'in_use' }, open - idle);
          this.set({ server, state: 'idle' }, idle);
        }
      },
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
      name: 'dbuser_operator_users_not_ready',
      help: 'DatabaseUsers whose Ready condition is not True, by its reason (NotReconciled: none yet).',
      labelNames: ['reason'],
      registers,
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(sources.usersNotReady())) this.set({ reason }, count);
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
    // Four collectors (six with per-user series) read every user's times: once per scrape, not once each.
    const passwordTimes = oncePerScrape(() => [...sources.passwordTimes()]);
    this.registerPasswordMetrics(passwordTimes, options.perUserMetrics ?? false);
    this.registerOverdueCounts(passwordTimes);
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

  /**
   * A server's wait counters start at 0 when the operator first connects to it, not at their first
   * increment: the dashboard's and the alert's rate() and increase() then count the first wait too.
   */
  postgresServerSeen(server: string): void {
    this.postgresConnectionWaits.inc({ server }, 0);
    this.postgresConnectionWaitTimeouts.inc({ server }, 0);
  }

  /** What alerts need beyond the histograms: users whose rotation or expiry time has passed and who are still waiting for it. */
  private registerOverdueCounts(passwordTimes: () => readonly PasswordTimes[]): void {
    const registers = [this.registry];
    const counts: { name: string; help: string; at: (times: PasswordTimes) => number | undefined }[] = [
      {
        name: 'dbuser_operator_password_rotations_overdue',
        help: 'Users with spec.passwordRotation whose rotation time (status.passwordRotatesAt) has passed.',
        at: ({ rotatesAt }) => rotatesAt,
      },
      {
        name: 'dbuser_operator_users_expired',
        help: 'Temporary users (spec.ttl) still present after their expiry (status.expiresAt).',
        at: ({ expiresAt }) => expiresAt,
      },
    ];
    for (const { name, help, at } of counts) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const now = Date.now();
          let overdue = 0;
          for (const times of passwordTimes()) {
            const when = at(times);
            if (when !== undefined && when <= now) overdue++;
          }
          this.set(overdue);
        },
      });
    }
  }

  /**
   * Password age and time to the next rotation as histograms over all users (a fixed number of
   * series however many users there are); one series per user only when asked for (PER_USER_METRICS).
   * Both are recomputed from the informer cache at each scrape.
   */
  private registerPasswordMetrics(passwordTimes: () => readonly PasswordTimes[], perUser: boolean): void {
    const registers = [this.registry];
    const measures: { name: string; help: string; userHelp: string; seconds: (times: PasswordTimes) => number | undefined }[] = [
      {
        name: 'password_age_seconds',
        help: 'Age of the password each managed user has, since it was last set (status.lastPasswordChange.at).',
        userHelp: "Age of one user's password (PER_USER_METRICS: one series per DatabaseUser).",
        seconds: ({ changedAt }) => (changedAt === undefined ? undefined : (Date.now() - changedAt) / 1000),
      },
      {
        name: 'password_rotation_due_seconds',
        help: 'Time until the next scheduled rotation of each user with spec.passwordRotation (0 when overdue).',
        userHelp: "Time until one user's next rotation (PER_USER_METRICS: one series per DatabaseUser with spec.passwordRotation).",
        seconds: ({ rotatesAt }) => (rotatesAt === undefined ? undefined : (rotatesAt - Date.now()) / 1000),
      },
    ];
    for (const { name, help, userHelp, seconds } of measures) {
      new Histogram({
        name: `dbuser_operator_${name}`,
        help,
        buckets: lifetimeBuckets,
        registers,
        collect() {
          this.reset();
          for (const times of passwordTimes()) {
            const value = seconds(times);
            if (value !== undefined) this.observe(Math.max(0, value));
          }
        },
      });
      if (!perUser) continue;
      new Gauge({
        name: `dbuser_operator_user_${name}`,
        help: userHelp,
        labelNames: ['namespace', 'name'],
        registers,
        collect() {
          this.reset();
          for (const times of passwordTimes()) {
            const value = seconds(times);
            if (value !== undefined) this.set({ namespace: times.namespace, name: times.name }, value);
          }
        },
      });
    }
  }
}

/**
 * `read` once for all the collectors of one scrape: they run one after another within the same turn
 * of the event loop, and the value is dropped after it (it holds an entry per user).
 */
function oncePerScrape<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (cached === undefined) {
      cached = { value: read() };
      setImmediate(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

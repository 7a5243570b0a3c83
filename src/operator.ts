import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseUser } from './api/database-user.js';
import type { ClusterConfig } from './kubernetes/cluster-config.js';
import { EventRecorder } from './kubernetes/event-recorder.js';
import { Informer, objectKey } from './kubernetes/informer.js';
import { KubeHttp } from './kubernetes/kube-http.js';
import { KubeLeaseStore } from './kubernetes/lease-store.js';
import { OwnWrites } from './kubernetes/own-writes.js';
import { databaseUsersPath, KubeResources, secretsPath, type SecretObject } from './kubernetes/resources.js';
import { PostgresGateway } from './postgres/gateway.js';
import { PostgresPools } from './postgres/pools.js';
import { ConnectionResolver } from './reconcile/connection-resolver.js';
import { generatePassword } from './reconcile/password.js';
import { DatabaseUserReconciler } from './reconcile/reconciler.js';
import { SecretIndex } from './reconcile/secret-index.js';
import { needsReconcile, summarize, type UserSummary } from './reconcile/user-summary.js';
import type { OperatorConfig } from './runtime/config.js';
import { Controller } from './runtime/controller.js';
import { startHttpServer } from './runtime/http-server.js';
import { LeaderElector } from './runtime/leader-election.js';
import type { Logger } from './runtime/logger.js';
import { OperatorMetrics } from './runtime/metrics.js';
import { WorkQueue } from './runtime/work-queue.js';

/**
 * Wires the operator: informers for DatabaseUsers (cached) and Secrets (watch-only), the dependency
 * index from Secrets to users, the work queue and workers, the periodic resync, leader election and
 * the HTTP endpoints. Only the leader runs workers; every replica keeps its caches warm.
 */
export class Operator {
  private readonly userInformers = new Map<string | undefined, Informer<DatabaseUser, UserSummary>>();
  private readonly secretInformers: Informer<SecretObject>[] = [];
  private readonly queue: WorkQueue;
  private controller: Controller | undefined;
  private readonly index: SecretIndex;
  private readonly connections: ConnectionResolver;
  private readonly pools: PostgresPools;
  private readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  private elector: LeaderElector | undefined;
  private server: Server | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private workersRunning = false;

  private constructor(
    private readonly config: OperatorConfig,
    private readonly http: KubeHttp,
    private readonly resources: KubeResources,
    private readonly ownWrites: OwnWrites,
    private readonly logger: Logger,
    private readonly onFatal: (reason: string) => void,
  ) {
    this.queue = new WorkQueue({ initialMs: 500, maxMs: config.retryBackoffMaxMs }, {
      onWait: (ms) => {
        this.metrics.queueWait.observe(ms / 1000);
      },
    });
    this.metrics = new OperatorMetrics({
      usersByState: () => this.usersByState(),
      queueDepth: () => this.queue.length,
      isLeader: () => this.workersRunning,
      kubeRequests: () => this.http.requestCounts,
    });
    this.connections = new ConnectionResolver(resources, config.defaultConnection);
    this.index = new SecretIndex(config.defaultConnection);
    this.pools = new PostgresPools(
      { maxConnections: Math.max(4, config.workers * 2), connectTimeoutMs: config.postgres.connectTimeoutMs, applicationName: 'dbuser-operator' },
      logger,
    );
    this.events = new EventRecorder(resources, logger);
  }

  private createController(clusterId: string): Controller {
    const reconciler = new DatabaseUserReconciler({
      resources: this.resources,
      events: this.events,
      gateway: new PostgresGateway(this.pools, this.config.postgres),
      connections: this.connections,
      clusterId,
      now: () => new Date(),
      generatePassword: () => generatePassword(),
      onOutcome: (reason, actions) => {
        if (reason !== 'Reconciled') this.metrics.reconcileFailures.inc({ reason });
        for (const action of actions) this.metrics.postgresStatements.inc({ action });
      },
    });
    return new Controller(this.queue, (key, log) => reconciler.reconcile(key, log), this.logger, {
      onReconcile: (result, ms) => {
        this.metrics.reconciles.inc({ result });
        this.metrics.reconcileDuration.observe({ result }, ms / 1000);
      },
    });
  }

  /** Builds the operator; nothing runs until run(). */
  static create(config: OperatorConfig, cluster: ClusterConfig, logger: Logger, onFatal: (reason: string) => void): Operator {
    const http = KubeHttp.create(cluster);
    const ownWrites = new OwnWrites();
    return new Operator(config, http, new KubeResources(http, ownWrites), ownWrites, logger, onFatal);
  }

  private allUsers(): UserSummary[] {
    return [...this.userInformers.values()].flatMap((informer) => informer.list());
  }

  private usersByState(): Record<'ready' | 'not_ready' | 'unknown', number> {
    const counts = { ready: 0, not_ready: 0, unknown: 0 };
    for (const user of this.allUsers()) {
      if (user.ready === 'True') counts.ready++;
      else if (user.ready === 'False') counts.not_ready++;
      else counts.unknown++;
    }
    return counts;
  }

  /** Ready once every informer has listed. */
  get ready(): boolean {
    const informers = [...this.userInformers.values(), ...this.secretInformers];
    return informers.length > 0 && informers.every((informer) => informer.hasSynced);
  }

  private enqueue(key: string): void {
    this.queue.add(key);
  }

  private watchUsers(namespace: string | undefined): void {
    const informer = new Informer<DatabaseUser, UserSummary>(
      {
        name: `databaseusers/${namespace ?? '*'}`,
        http: this.http,
        path: databaseUsersPath(namespace),
        cache: true,
        logger: this.logger,
        project: summarize,
      },
      {
        onAdd: (user) => {
          this.indexUser(user);
          this.enqueue(objectKey(user));
        },
        onUpdate: (previous, user) => {
          this.indexUser(user);
          if (needsReconcile(previous, user)) this.enqueue(objectKey(user));
        },
        onDelete: (user) => {
          this.index.remove(objectKey(user));
        },
      },
    );
    this.userInformers.set(namespace, informer);
  }

  private indexUser(user: UserSummary): void {
    const { namespace, name } = user.metadata;
    this.index.set(objectKey(user), this.index.secretsOf(namespace, name, user.spec));
  }

  private watchSecrets(namespace: string | undefined, fieldSelector?: string): void {
    const changed = (secret: SecretObject): void => {
      const key = objectKey(secret);
      this.ownWrites.observe(key, secret.metadata?.resourceVersion, () => {
        this.connections.invalidate(key);
        for (const user of this.index.usersOf(key)) this.enqueue(user);
      });
    };
    this.secretInformers.push(
      new Informer<SecretObject>(
        {
          name: `secrets/${namespace ?? '*'}`,
          http: this.http,
          path: secretsPath(namespace),
          cache: false,
          metadataOnly: true,
          logger: this.logger,
          ...(fieldSelector ? { fieldSelector } : {}),
        },
        {
          onUpdate: (_previous, secret) => {
            changed(secret);
          },
          onDelete: changed,
          onGap: () => {
            this.connections.invalidate();
            for (const user of this.index.allUsers()) this.enqueue(user);
          },
        },
      ),
    );
  }

  /** Starts the HTTP endpoints, the caches, then (as leader) the workers. Resolves once caches are synced. */
  async run(): Promise<void> {
    // Health and metrics first: /healthz answers and /readyz says "not yet" while the caches fill.
    this.server = await startHttpServer(this.config.httpPort, this.metrics.registry, { isReady: () => this.ready }, this.logger);
    const clusterId = await this.readClusterId();
    if (clusterId === undefined) this.logger.warn('cannot read namespace kube-system: roles retained by deleted DatabaseUsers will not be re-adopted');
    this.controller = this.createController(clusterId ?? 'unknown-cluster');
    const namespaces: (string | undefined)[] = this.config.watchNamespaces.length > 0 ? this.config.watchNamespaces : [undefined];
    for (const namespace of namespaces) {
      this.watchUsers(namespace);
      this.watchSecrets(namespace);
    }
    const fallback = this.config.defaultConnection;
    if (fallback && namespaces[0] !== undefined && !namespaces.includes(fallback.namespace)) {
      this.watchSecrets(fallback.namespace, `metadata.name=${fallback.name}`);
    }
    const informers = [...this.userInformers.values(), ...this.secretInformers];
    for (const informer of informers) informer.start();
    await Promise.all(informers.map((informer) => informer.waitForSync()));
    this.logger.info({ users: this.allUsers().length, namespaces: this.config.watchNamespaces }, 'caches synced');

    if (this.config.leaderElection.enabled) {
      const { leaseName, ...timing } = this.config.leaderElection;
      this.elector = new LeaderElector(
        new KubeLeaseStore(this.http, this.config.operatorNamespace, leaseName),
        this.config.identity,
        timing,
        {
          onStartedLeading: () => {
            this.startWorkers();
          },
          onStoppedLeading: () => {
            this.onFatal('leader election lost');
          },
        },
        this.logger,
      );
      this.elector.start();
    } else {
      this.startWorkers();
    }
  }

  private startWorkers(): void {
    this.workersRunning = true;
    this.controller?.start(this.config.workers);
    for (const user of this.allUsers()) this.enqueue(objectKey(user));
    this.scheduleResync();
    this.sweepTimer = setInterval(() => {
      void this.pools.sweep(10 * 60_000);
    }, 60_000);
    this.sweepTimer.unref();
    this.logger.info({ workers: this.config.workers }, 'reconciling');
  }

  /** kube-system's uid, retried with backoff while the API server cannot be reached. */
  private async readClusterId(): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.resources.namespaceUid('kube-system');
      } catch (error) {
        const delay = Math.min(30_000, 500 * 2 ** attempt);
        this.logger.warn({ err: error instanceof Error ? error.message : String(error), retryInMs: delay }, 'cannot reach the API server yet');
        await sleep(delay);
      }
    }
  }

  /** Every resync interval (±10 %), every user is reconciled: catches drift made directly in PostgreSQL. */
  private scheduleResync(): void {
    const delay = Math.round(this.config.resyncIntervalMs * (0.9 + Math.random() * 0.2));
    this.resyncTimer = setTimeout(() => {
      const users = this.allUsers();
      this.logger.debug({ users: users.length }, 'periodic resync');
      for (const user of users) this.enqueue(objectKey(user));
      this.scheduleResync();
    }, delay);
    this.resyncTimer.unref();
  }

  /** Stops taking work, finishes in-flight reconciles (bounded), releases the lease. */
  async stop(): Promise<void> {
    clearTimeout(this.resyncTimer);
    clearInterval(this.sweepTimer);
    const inFlight = this.controller?.stop() ?? Promise.resolve();
    const bounded = await Promise.race([inFlight.then(() => true), sleep(this.config.shutdownTimeoutMs).then(() => false)]);
    if (!bounded) this.logger.warn({ timeoutMs: this.config.shutdownTimeoutMs }, 'in-flight reconciles did not finish in time');
    await this.elector?.stop();
    await Promise.all([...this.userInformers.values(), ...this.secretInformers].map((informer) => informer.stop()));
    await this.events.flush();
    await new Promise<void>((resolve) => {
      if (this.server) {
        this.server.close(() => {
          resolve();
        });
        // Idle keep-alive connections (a Prometheus scraper) would otherwise hold close() open.
        this.server.closeAllConnections();
      } else {
        resolve();
      }
    });
    await this.pools.end();
    await this.http.close();
  }
}

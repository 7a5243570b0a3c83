import { connectionInUseFinalizer, managedByValue } from './api/names.js';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { readyConditionOf } from './api/database-user-view.js';
import { databaseServerSpecSchema } from './api/database-server.js';
import type { DatabaseUser } from './api/database-user.js';
import { databaseSpecSchema, type Database } from './api/database.js';
import { selectorMatches } from './api/label-selector.js';
import { ClusterCache, databaseRefOf } from './kubernetes/cluster-cache.js';
import type { ClusterConfig } from './kube/cluster-config.js';
import { EventRecorder } from './kubernetes/event-recorder.js';
import { objectKey } from './kube/list-watch.js';
import { KubernetesAdapter } from './kubernetes/kubernetes-adapter.js';
import { KubeClient } from './kube/kube-client.js';
import { KubeLeaseStore } from './kubernetes/lease-store.js';
import { OwnWrites } from './kubernetes/own-writes.js';
import { OperatorApi } from './kubernetes/operator-api.js';
import { SecretReader } from './kubernetes/secret-reader.js';
import { CredentialsSeal } from './model/credentials-seal.js';
import { generatePassword } from './model/password-generator.js';
import { readOrCreateSealKey } from './kubernetes/seal-key.js';
import { PostgresPools } from './postgres/pools.js';
import { PostgresDatabases } from './postgres/databases.js';
import { PostgresRoles } from './postgres/postgres-roles.js';
import { ConnectionProtection } from './reconcile/connection-protection.js';
import { ConnectionResolver } from './reconcile/connection-resolver.js';
import { concernsDatabase, databaseChangeEffects, needsReconcile } from './reconcile/needs-reconcile.js';
import { DatabaseReconciler } from './reconcile/database-reconciler.js';
import { DatabaseUserReconciler } from './reconcile/reconciler.js';
import { ServerReconciler } from './reconcile/server-reconciler.js';
import { SecretIndex } from './reconcile/secret-index.js';
import type { OperatorConfig } from './runtime/config.js';
import { defaultWorkerLimit, WorkerLimit } from './runtime/worker-limit.js';
import { Controller } from './runtime/controller.js';
import { describeError } from './runtime/describe-error.js';
import { startHttpServer } from './runtime/http-server.js';
import { LeaderElector } from './runtime/leader-election.js';
import type { Logger } from './runtime/logger.js';
import { OperatorMetrics, type PasswordTimes } from './runtime/metrics.js';
import { WorkQueue } from './runtime/work-queue.js';

/**
 * Wires the operator: the watch caches (DatabaseUsers and Secrets), the index from Secrets to the
 * users that depend on them, the work queue and workers, a second queue releasing connection
 * Secrets no user names any more, the periodic resync, leader election and the HTTP endpoints.
 * Only the leader runs workers; every replica keeps its caches warm.
 */
export class Operator {
  private readonly queue: WorkQueue;
  /** Connection Secrets (namespace/name) that may have lost their last user. */
  private readonly connectionQueue: WorkQueue;
  /** Databases (namespace/name) and DatabaseServers (name), DESIGN §13. */
  private readonly databaseQueue: WorkQueue;
  private readonly serverQueue: WorkQueue;
  private readonly cache: ClusterCache;
  private readonly index: SecretIndex;
  private readonly events: EventRecorder;
  private readonly pools: PostgresPools;
  private readonly resources: OperatorApi;
  readonly metrics: OperatorMetrics;
  private controller: Controller | undefined;
  /** With WORKERS=auto: how many reconciles run at once, following the status write's latency (ADR 29). */
  private workerLimit: WorkerLimit | undefined;
  private connectionController: Controller | undefined;
  private databaseController: Controller | undefined;
  private serverController: Controller | undefined;
  private elector: LeaderElector | undefined;
  private server: Server | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private workersRunning = false;

  private constructor(
    private readonly config: OperatorConfig,
    private readonly http: KubeClient,
    private readonly logger: Logger,
    private readonly onFatal: (reason: string) => void,
  ) {
    this.queue = new WorkQueue(
      { initialMs: 500, maxMs: config.retryBackoffMaxMs },
      {
        onWait: (ms) => {
          this.metrics.workqueueWait.observe(ms / 1000);
        },
      },
    );
    this.metrics = new OperatorMetrics(
      {
        usersByState: () => this.usersByState(),
        usersNotReady: () => this.usersNotReady(),
        queueDepth: () => this.queue.length,
        isLeader: () => this.workersRunning,
        kubeRequests: () => this.http.requestCounts.values(),
        passwordTimes: () => this.passwordTimes(),
        postgresConnections: () => this.pools.connectionCounts(),
      },
      { perUserMetrics: config.perUserMetrics, maxConnectionsPerServer: config.postgres.maxConnectionsPerServer },
    );
    this.connectionQueue = new WorkQueue({ initialMs: 500, maxMs: config.retryBackoffMaxMs });
    this.databaseQueue = new WorkQueue({ initialMs: 500, maxMs: config.retryBackoffMaxMs });
    this.serverQueue = new WorkQueue({ initialMs: 500, maxMs: config.retryBackoffMaxMs });
    const ownWrites = new OwnWrites();
    this.resources = new OperatorApi(http, ownWrites, config.identity);
    this.index = new SecretIndex(config.defaultConnection);
    const namespaces: (string | undefined)[] = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
    this.cache = new ClusterCache(
      {
        http,
        logger,
        namespaces,
        extraSecret: config.defaultConnection,
        operatorNamespace: config.operatorNamespace,
        serverSelector: config.serverSelector,
        userSelector: config.watchLabelSelector?.text,
        ownWrites,
      },
      {
        onUserAdded: (user) => {
          this.indexUser(user);
          this.queue.add(objectKey(user));
          this.enqueueDatabaseOf(user);
        },
        onUserChanged: (previous, user) => {
          this.indexUser(user);
          if (needsReconcile(previous, user)) this.queue.add(objectKey(user));
          if (concernsDatabase(previous, user)) this.enqueueDatabaseOf(user);
        },
        onUserDeleted: (user) => {
          const connection = this.index.remove(objectKey(user));
          if (connection) this.connectionQueue.add(connection);
          this.enqueueDatabaseOf(user);
        },
        onSecretChanged: (key) => {
          for (const user of this.index.usersOf(key)) this.queue.add(user);
          if (this.carriesInUseFinalizer(key)) this.connectionQueue.add(key);
          for (const server of this.serversWithAdminSecret(key)) this.enqueueServerAndDependents(server);
        },
        onDatabaseChanged: (previous, current) => {
          const database = current ?? previous;
          if (database === undefined) return;
          const effects = databaseChangeEffects(previous, current);
          const { namespace = '', name = '' } = database.metadata;
          if (effects.database) this.databaseQueue.add(`${namespace}/${name}`);
          if (effects.users) for (const user of this.cache.usersOfDatabase(namespace, name)) this.queue.add(objectKey(user));
          const server = serverOf(database);
          if (effects.server && server !== undefined) this.enqueueServer(server);
        },
        onServerChanged: (server) => {
          this.enqueueServerAndDependents(server.metadata.name ?? '');
        },
        onNamespaceChanged: (namespace) => {
          for (const database of this.cache.databases()) if (database.metadata.namespace === namespace) this.enqueueDatabaseAndUsers(database);
        },
      },
    );
    this.pools = new PostgresPools(
      {
        maxConnectionsPerServer: config.postgres.maxConnectionsPerServer,
        connectionWaitMs: config.postgres.connectionWaitMs,
        idleTimeoutMs: config.postgres.idleTimeoutMs,
        connectTimeoutMs: config.postgres.connectTimeoutMs,
        applicationName: 'dbuser-operator',
        onServer: (server) => {
          this.metrics.postgresServerSeen(server);
        },
        onWait: (server) => {
          this.metrics.postgresConnectionWaits.inc({ server });
        },
        onWaitTimeout: (server) => {
          this.metrics.postgresConnectionWaitTimeouts.inc({ server });
        },
      },
      logger,
    );
    this.events = new EventRecorder(this.resources, logger, (ms) => {
      this.metrics.reconcileStep.observe({ step: 'event' }, ms / 1000);
    });
  }

  /** Builds the operator; nothing runs until run(). */
  static create(config: OperatorConfig, cluster: ClusterConfig, logger: Logger, onFatal: (reason: string) => void): Operator {
    return new Operator(config, KubeClient.create(cluster), logger, onFatal);
  }

  private createControllers(clusterId: string, operatorIdentity: string, seal: CredentialsSeal): void {
    const secrets = new SecretReader(
      (namespace, name) => this.resources.getSecret(namespace, name),
      (namespace, name) => this.cache.secretVersion(namespace, name),
    );
    const kubernetes = new KubernetesAdapter(this.cache, this.resources, secrets, this.events, seal);
    const connections = new ConnectionResolver((namespace, name) => secrets.contents(namespace, name), this.config.defaultConnection);
    const databases = new PostgresDatabases(this.pools, this.config.postgres);
    const reconciler = new DatabaseUserReconciler({
      kubernetes,
      postgres: new PostgresRoles(this.pools, this.config.postgres, (how) => {
        this.metrics.passwordChecks.inc({ how });
      }),
      connections,
      operatorNamespace: this.config.operatorNamespace,
      clusterId,
      operatorIdentity,
      minRotationMs: this.config.minPasswordRotationMs,
      databaseInShard: (database) => this.inShard(database),
      now: () => new Date(),
      generatePassword: () => generatePassword(),
      onOutcome: (reason, actions) => {
        if (reason !== 'Reconciled') this.metrics.reconcileErrors.inc({ reason });
        for (const action of actions) this.metrics.postgresActions.inc({ action });
      },
      onStep: (step, ms) => {
        this.metrics.reconcileStep.observe({ step }, ms / 1000);
        // The status write is the one round trip every changing reconcile makes: the limit's signal.
        if (step === 'status') this.workerLimit?.observe(ms);
      },
    });
    const { workers, workersMax } = this.config;
    this.workerLimit =
      workers === 'auto'
        ? new WorkerLimit({ ...defaultWorkerLimit, max: workersMax }, (limit) => {
            this.metrics.workersLimit.set(limit);
          })
        : undefined;
    if (workers !== 'auto') this.metrics.workersLimit.set(workers);
    this.controller = new Controller(
      this.queue,
      (key, log) => reconciler.reconcile(key, log),
      this.logger,
      {
        onReconcile: (result, ms) => {
          this.metrics.reconciles.inc({ result });
          this.metrics.reconcileDuration.observe({ result }, ms / 1000);
        },
      },
      this.workerLimit,
    );
    const databaseReconciler = new DatabaseReconciler({
      kubernetes,
      databases,
      connections,
      operatorNamespace: this.config.operatorNamespace,
      clusterId,
      now: () => new Date(),
    });
    this.databaseController = new Controller(
      this.databaseQueue,
      // Every instance watches every Database (a user's may be in another shard); only its shard's are reconciled here.
      (key, log) => (this.databaseKeyInShard(key) ? databaseReconciler.reconcile(key, log) : Promise.resolve({ kind: 'done' as const })),
      this.logger.child({ controller: 'databases' }),
    );
    const serverReconciler = new ServerReconciler({
      kubernetes,
      databases,
      connections,
      operatorNamespace: this.config.operatorNamespace,
      // Events of cluster-scoped objects live in "default" (the API server's rule); a namespaced install has no right there.
      eventNamespace: watchesNamespace(this.config.watchNamespaces, 'default') ? 'default' : undefined,
      now: () => new Date(),
    });
    // One writer of the servers' status and in-use finalizer per cluster (ADR 25): with shards, the instance that takes the unlabelled objects.
    if (this.config.reconcileServers)
      this.serverController = new Controller(
        this.serverQueue,
        (name, log) => serverReconciler.reconcile(name, log),
        this.logger.child({ controller: 'databaseservers' }),
      );
    const protection = new ConnectionProtection({
      isInUse: (key) => this.index.isConnectionInUse(key) || (this.config.watchLabelSelector !== undefined && this.usedByAnotherShard(key)),
      release: (namespace, name) => kubernetes.releaseConnectionSecret(namespace, name),
    });
    this.connectionController = new Controller(
      this.connectionQueue,
      (key) => protection.reconcile(key),
      this.logger.child({ controller: 'connection-secrets' }),
    );
  }

  /** Whether an object's labels put it in this instance's shard (ADR 25); without a selector, everything is. */
  private inShard(object: { metadata: { labels?: Record<string, string> } }): boolean {
    const shard = this.config.watchLabelSelector;
    return shard === undefined || selectorMatches(shard.selector, object.metadata.labels ?? {});
  }

  private databaseKeyInShard(key: string): boolean {
    const [namespace = '', name = ''] = key.split('/');
    const database = this.cache.database(namespace, name);
    return database === undefined || this.inShard(database);
  }

  /** A connection Secret no user of this shard names: do the users the other shards watch name it? */
  private usedByAnotherShard(secretKey: string): Promise<boolean> {
    const [namespace = '', name = ''] = secretKey.split('/');
    return this.resources.anyUserNamesConnection(namespace, name);
  }

  private indexUser(user: DatabaseUser): void {
    const { namespace = '', name = '' } = user.metadata;
    const previousConnection = this.index.set(namespace, name, user.spec);
    if (previousConnection) this.connectionQueue.add(previousConnection);
  }

  /** A DatabaseUser's Database (its users count, its default user's readiness), and through it its server. */
  private enqueueDatabaseOf(user: DatabaseUser): void {
    const database = databaseRefOf(user);
    if (database !== undefined) this.databaseQueue.add(`${user.metadata.namespace ?? ''}/${database}`);
  }

  private enqueueDatabaseAndUsers(database: Database): void {
    const { namespace = '', name = '' } = database.metadata;
    this.databaseQueue.add(`${namespace}/${name}`);
    for (const user of this.cache.usersOfDatabase(namespace, name)) this.queue.add(objectKey(user));
  }

  /** A server changed (its rules, its admin Secret): it, its Databases and their users are decided again. */
  private enqueueServerAndDependents(server: string): void {
    this.enqueueServer(server);
    for (const database of this.cache.databases()) if (serverOf(database) === server) this.enqueueDatabaseAndUsers(database);
  }

  /** Only where servers are reconciled (RECONCILE_SERVERS): elsewhere no worker would ever take the key. */
  private enqueueServer(name: string): void {
    if (this.config.reconcileServers) this.serverQueue.add(name);
  }

  /** The servers whose admin Secret is namespace/name (in the operator's namespace). */
  private serversWithAdminSecret(secretKey: string): string[] {
    const [namespace = '', name = ''] = secretKey.split('/');
    if (namespace !== this.config.operatorNamespace) return [];
    return this.cache
      .databaseServers()
      .filter((server) => databaseServerSpecSchema.safeParse(server.spec).data?.adminSecretRef.name === name)
      .map((server) => server.metadata.name ?? '');
  }

  private carriesInUseFinalizer(secretKey: string): boolean {
    const [namespace = '', name = ''] = secretKey.split('/');
    return this.cache.otherSecret(namespace, name)?.metadata.finalizers?.includes(connectionInUseFinalizer) ?? false;
  }

  private usersByState(): Record<'ready' | 'not_ready' | 'unknown', number> {
    const counts = { ready: 0, not_ready: 0, unknown: 0 };
    for (const user of this.cache.users()) {
      const ready = readyConditionOf(user)?.status;
      if (ready === 'True') counts.ready++;
      else if (ready === 'False') counts.not_ready++;
      else counts.unknown++;
    }
    return counts;
  }

  private usersNotReady(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const user of this.cache.users()) {
      const ready = user.status?.conditions?.find((condition) => condition.type === 'Ready');
      if (ready?.status === 'True') continue;
      const reason = ready?.reason ?? 'NotReconciled';
      counts[reason] = (counts[reason] ?? 0) + 1;
    }
    return counts;
  }

  private *passwordTimes(): Iterable<PasswordTimes> {
    const time = (text: string | undefined) => (text === undefined ? undefined : Date.parse(text));
    for (const user of this.cache.users()) {
      const { namespace = '', name = '' } = user.metadata;
      const status = user.status;
      yield {
        namespace,
        name,
        changedAt: time(status?.lastPasswordChange?.at ?? status?.passwordUpdatedAt),
        rotatesAt: time(status?.passwordRotatesAt),
        expiresAt: time(status?.expiresAt),
      };
    }
  }

  /** Starts the HTTP endpoints, the caches, then (as leader) the workers. Resolves once caches are synced. */
  async run(): Promise<void> {
    // Health and metrics first: /healthz answers and /readyz says "not yet" while the caches fill.
    this.server = await startHttpServer(this.config.httpPort, this.metrics.registry, { isReady: () => this.cache.synced }, this.logger);
    const clusterId = await this.readClusterId();
    if (clusterId === undefined) this.logger.warn('cannot read namespace kube-system: roles retained by deleted DatabaseUsers will not be re-adopted');
    this.createControllers(clusterId ?? 'unknown-cluster', await this.readOwnIdentity(), new CredentialsSeal(await this.readSealKey()));
    this.cache.start();
    await this.cache.waitForSync();
    this.logger.info(
      {
        users: this.cache.users().length,
        namespaces: this.config.watchNamespaces,
        watchLabelSelector: this.config.watchLabelSelector?.text,
        reconcileServers: this.config.reconcileServers,
        lease: this.config.leaderElection.enabled ? this.config.leaderElection.leaseName : undefined,
      },
      'caches synced',
    );

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
    this.controller?.start(this.config.workers === 'auto' ? this.config.workersMax : this.config.workers);
    this.connectionController?.start(1);
    this.databaseController?.start(2);
    this.serverController?.start(1);
    this.enqueueEveryUser();
    // Users deleted while no leader ran may have left their connection Secrets marked in use.
    for (const secret of this.cache.otherSecretsWithFinalizer(connectionInUseFinalizer)) this.connectionQueue.add(objectKey(secret));
    this.scheduleResync();
    this.sweepTimer = setInterval(() => {
      this.pools.sweep();
    }, 60_000);
    this.sweepTimer.unref();
    this.logger.info({ workers: this.config.workers, ...(this.workerLimit ? { workersMax: this.config.workersMax } : {}) }, 'reconciling');
  }

  private enqueueEveryUser(): void {
    for (const user of this.cache.users()) this.queue.add(objectKey(user));
    for (const database of this.cache.databases()) if (this.inShard(database)) this.databaseQueue.add(objectKey(database));
    for (const server of this.cache.databaseServers()) this.enqueueServer(server.metadata.name ?? '');
  }

  /** The operator's user name as the API server sees it: recorded as `by` of rotations. */
  private async readOwnIdentity(): Promise<string> {
    try {
      return (await this.resources.ownUsername()) ?? managedByValue;
    } catch (error) {
      this.logger.warn(
        { err: describeError(error) },
        `cannot read the operator's own identity (SelfSubjectReview): rotations are recorded as by "${managedByValue}"`,
      );
      return managedByValue;
    }
  }

  /** The seal key (ADR 16), retried with backoff: without it no credentials Secret can be trusted or written. */
  private async readSealKey(): Promise<Buffer> {
    const { operatorNamespace, sealSecret } = this.config;
    for (let attempt = 1; ; attempt++) {
      try {
        return await readOrCreateSealKey(this.resources, operatorNamespace, sealSecret);
      } catch (error) {
        const delay = Math.min(30_000, 500 * 2 ** attempt);
        this.logger.error({ err: describeError(error), secret: `${operatorNamespace}/${sealSecret}`, retryInMs: delay }, 'cannot read or create the seal key');
        await sleep(delay);
      }
    }
  }

  /** kube-system's uid, retried with backoff while the API server cannot be reached. */
  private async readClusterId(): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.resources.namespaceUid('kube-system');
      } catch (error) {
        const delay = Math.min(30_000, 500 * 2 ** attempt);
        this.logger.warn({ err: describeError(error), retryInMs: delay }, 'cannot reach the API server yet');
        await sleep(delay);
      }
    }
  }

  /** Every resync interval (±10 %), every user is reconciled: catches drift made directly in PostgreSQL. */
  private scheduleResync(): void {
    const delay = Math.round(this.config.resyncIntervalMs * (0.9 + Math.random() * 0.2));
    this.resyncTimer = setTimeout(() => {
      this.logger.debug({ users: this.cache.users().length }, 'periodic resync');
      this.enqueueEveryUser();
      this.scheduleResync();
    }, delay);
    this.resyncTimer.unref();
  }

  /** Stops taking work, finishes in-flight reconciles (bounded), releases the lease. */
  async stop(): Promise<void> {
    clearTimeout(this.resyncTimer);
    clearInterval(this.sweepTimer);
    const inFlight = Promise.all([this.controller?.stop(), this.connectionController?.stop(), this.databaseController?.stop(), this.serverController?.stop()]);
    const bounded = await Promise.race([inFlight.then(() => true), sleep(this.config.shutdownTimeoutMs).then(() => false)]);
    if (!bounded) this.logger.warn({ timeoutMs: this.config.shutdownTimeoutMs }, 'in-flight reconciles did not finish in time');
    await this.elector?.stop();
    await this.cache.stop();
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

/** The DatabaseServer a Database names (its spec not yet validated), or undefined. */
function serverOf(database: Database): string | undefined {
  return databaseSpecSchema.safeParse(database.spec).data?.serverRef.name;
}

/** Whether an operator watching these namespaces (none listed: all) has its namespaced rights in `namespace`. */
function watchesNamespace(watchNamespaces: readonly string[], namespace: string): boolean {
  return watchNamespaces.length === 0 || watchNamespaces.includes(namespace);
}

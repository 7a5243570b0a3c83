import { admits, maxNestingDepth, minConnectionBound } from './connection-bound.js';

/** What the pool needs of a connection: a way to close it. */
export interface Closable {
  end(): Promise<void>;
}

export interface ServerConnectionsOptions {
  /** Connections open to the server at most: idle, in use, being opened or closed. */
  bound: number;
  /** How long a request waits for a slot before it fails with ConnectionBoundReached. */
  waitMs: number;
  /** An idle connection is closed after this long. */
  idleMs: number;
}

export interface ConnectionWaitEvents {
  /** A request found no slot free and waits. */
  onWait?: () => void;
  /** A request waited `waitMs` for nothing. */
  onWaitTimeout?: () => void;
}

/** No slot to the server became free within the wait: transient, the reconcile is retried with backoff. */
export class ConnectionBoundReached extends Error {
  constructor(
    readonly server: string,
    readonly bound: number,
    readonly waitedMs: number,
  ) {
    super(`the operator's connection bound to ${server} (${bound}) was reached: no connection free after ${waitedMs} ms`);
    this.name = 'ConnectionBoundReached';
  }
}

const closeTimeoutMs = 5_000;

interface Idle<C> {
  connection: C;
  key: string;
  database: string;
  timer: NodeJS.Timeout;
}

interface Held {
  key: string;
  database: string;
  level: number;
  /** Closed when released rather than kept idle (one-off connections, a database about to be dropped). */
  discard: boolean;
}

interface Waiter {
  level: number;
  grant: () => void;
  refuse: (error: Error) => void;
}

export interface AcquireRequest<C> {
  /** Connections with the same key are interchangeable (credentials, database, startup options). */
  key: string;
  database: string;
  /** 1 for a reconcile's first connection to the server, one more for each it holds (connection-bound.ts). */
  level: number;
  /** Opens a new connection. */
  connect: () => Promise<C>;
  /** false: a one-off connection, never taken from or returned to the idle ones. */
  reuse: boolean;
}

/**
 * Every connection the operator has open to one PostgreSQL server (host and port), whatever the
 * database or credentials, counted against one bound. A request is admitted by the nesting rule
 * (connection-bound.ts), deeper levels first, then FIFO, and waits at most `waitMs`; it reuses an
 * idle connection of its key, or opens one, closing the least recently used idle connection (of any
 * database) to make room. A slot is freed only once its connection has closed, so the server never
 * sees more than the bound.
 */
export class ServerConnections<C extends Closable> {
  /** Least recently used first. */
  private readonly idle: Idle<C>[] = [];
  private readonly held = new Map<C, Held>();
  private opening = 0;
  private closing = 0;
  /** Admitted requests per nesting level (`[0]` is level 1), with or without their connection yet. */
  private readonly inUse: number[] = new Array<number>(maxNestingDepth).fill(0);
  private readonly waiters: Waiter[] = [];
  private readonly slotWaiters: (() => void)[] = [];
  private ended = false;

  constructor(
    readonly server: string,
    private readonly options: ServerConnectionsOptions,
    private readonly events: ConnectionWaitEvents = {},
  ) {
    if (options.bound < minConnectionBound) throw new RangeError(`a connection bound below ${minConnectionBound} cannot serve one reconcile`);
  }

  /** Connections open now (idle, in use, opening, closing): never above the bound. */
  get open(): number {
    return this.idle.length + this.held.size + this.opening + this.closing;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /** Requests admitted (holding or opening a connection). */
  get inUseCount(): number {
    return this.inUse.reduce((sum, count) => sum + count, 0);
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Nothing open and nobody waiting: the entry can be forgotten. */
  get unused(): boolean {
    return this.open === 0 && this.waiters.length === 0 && this.inUseCount === 0;
  }

  /** The nesting level of a connection checked out from here, or undefined. */
  levelOf(connection: unknown): number | undefined {
    return this.held.get(connection as C)?.level;
  }

  async acquire(request: AcquireRequest<C>): Promise<C> {
    await this.admit(request.level);
    try {
      const reused = request.reuse ? this.takeIdle(request) : undefined;
      return reused ?? (await this.openNew(request));
    } catch (error) {
      this.inUse[request.level - 1] = (this.inUse[request.level - 1] ?? 1) - 1;
      this.admitWaiters();
      throw error;
    }
  }

  /** Gives a connection back: kept idle for its key, or closed (`discard`, one-off, ended). */
  release(connection: C, discard = false): void {
    const held = this.held.get(connection);
    if (held === undefined) return;
    this.held.delete(connection);
    this.inUse[held.level - 1] = (this.inUse[held.level - 1] ?? 1) - 1;
    if (discard || held.discard || this.ended) void this.close(connection);
    else this.park(connection, held);
    this.admitWaiters();
  }

  /** Closes the idle connections to `database` now, and those in use when they come back. */
  closeDatabase(database: string): Promise<void> {
    for (const held of this.held.values()) if (held.database === database) held.discard = true;
    return this.closeIdle((idle) => idle.database === database);
  }

  /** A connection that failed while idle (server restart) is dropped from the idle ones. */
  forgetBroken(connection: C): void {
    const index = this.idle.findIndex((idle) => idle.connection === connection);
    if (index < 0) return;
    const [broken] = this.idle.splice(index, 1);
    if (broken) {
      clearTimeout(broken.timer);
      void this.close(broken.connection);
    }
  }

  /** Closes everything idle, refuses the waiting requests; connections in use close when released. */
  async end(): Promise<void> {
    this.ended = true;
    for (const waiter of this.waiters.splice(0)) waiter.refuse(new Error(`connections to ${this.server} are closing`));
    await this.closeIdle(() => true);
  }

  private admit(level: number): Promise<void> {
    if (this.ended) return Promise.reject(new Error(`connections to ${this.server} are closing`));
    const ahead = this.waiters.some((waiter) => waiter.level >= level);
    if (!ahead && admits(this.options.bound, this.inUse, level)) {
      this.inUse[level - 1] = (this.inUse[level - 1] ?? 0) + 1;
      return Promise.resolve();
    }
    this.events.onWait?.();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.events.onWaitTimeout?.();
        reject(new ConnectionBoundReached(this.server, this.options.bound, this.options.waitMs));
      }, this.options.waitMs);
      const waiter: Waiter = {
        level,
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
        refuse: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Deeper levels first (they finish reconciles already holding connections), then in order of arrival. */
  private admitWaiters(): void {
    const byPriority = [...this.waiters].sort((a, b) => b.level - a.level);
    for (const waiter of byPriority) {
      if (!admits(this.options.bound, this.inUse, waiter.level)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      this.inUse[waiter.level - 1] = (this.inUse[waiter.level - 1] ?? 0) + 1;
      waiter.grant();
    }
  }

  /** The most recently used idle connection of the key, checked out. */
  private takeIdle(request: AcquireRequest<C>): C | undefined {
    for (let index = this.idle.length - 1; index >= 0; index--) {
      const idle = this.idle[index];
      if (idle?.key !== request.key) continue;
      this.idle.splice(index, 1);
      clearTimeout(idle.timer);
      this.held.set(idle.connection, { key: request.key, database: request.database, level: request.level, discard: false });
      return idle.connection;
    }
    return undefined;
  }

  /** A new connection, once a slot is free: the least recently used idle connection is closed for it. */
  private async openNew(request: AcquireRequest<C>): Promise<C> {
    while (this.open >= this.options.bound) {
      const leastRecent = this.idle.shift();
      if (leastRecent) {
        clearTimeout(leastRecent.timer);
        void this.close(leastRecent.connection);
      }
      // Admission keeps in-use requests within the bound, so a slot is closing: wait for it.
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.opening++;
    try {
      const connection = await request.connect();
      this.held.set(connection, { key: request.key, database: request.database, level: request.level, discard: !request.reuse });
      return connection;
    } catch (error) {
      this.slotFreed();
      throw error;
    } finally {
      this.opening--;
    }
  }

  private park(connection: C, held: Held): void {
    const timer = setTimeout(() => {
      const index = this.idle.findIndex((idle) => idle.connection === connection);
      if (index < 0) return;
      this.idle.splice(index, 1);
      void this.close(connection);
    }, this.options.idleMs);
    timer.unref();
    this.idle.push({ connection, key: held.key, database: held.database, timer });
    // A request waiting for a slot can now close this one.
    this.slotFreed();
  }

  /** Its slot is free once the connection has closed, or after closeTimeoutMs (a close that hangs must not shrink the bound for good). */
  private close(connection: C): Promise<void> {
    this.closing++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, closeTimeoutMs);
      timer.unref();
    });
    return Promise.race([connection.end().catch(() => undefined), timeout]).finally(() => {
      clearTimeout(timer);
      this.closing--;
      this.slotFreed();
    });
  }

  private async closeIdle(matches: (idle: Idle<C>) => boolean): Promise<void> {
    const closing: Promise<void>[] = [];
    for (let index = this.idle.length - 1; index >= 0; index--) {
      const idle = this.idle[index];
      if (idle === undefined || !matches(idle)) continue;
      this.idle.splice(index, 1);
      clearTimeout(idle.timer);
      closing.push(this.close(idle.connection));
    }
    await Promise.all(closing);
  }

  private slotFreed(): void {
    for (const wake of this.slotWaiters.splice(0)) wake();
  }
}

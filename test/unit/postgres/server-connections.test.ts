import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionBoundReached, ServerConnections, type AcquireRequest } from '../../../src/postgres/server-connections.js';

/** Stands in for a PostgreSQL session: counts the sessions alive, as pg_stat_activity would. */
class FakeServer {
  live = 0;
  peak = 0;
  opened: FakeConnection[] = [];

  connect(database: string): () => Promise<FakeConnection> {
    return async () => {
      await sleep(1);
      this.live++;
      this.peak = Math.max(this.peak, this.live);
      const connection = new FakeConnection(database, this);
      this.opened.push(connection);
      return connection;
    };
  }
}

class FakeConnection {
  ended = false;
  constructor(
    readonly database: string,
    private readonly server: FakeServer,
  ) {}

  async end(): Promise<void> {
    // The session lives until the close is through: a slot must not be reused before.
    await sleep(2);
    if (!this.ended) this.server.live--;
    this.ended = true;
  }
}

function request(server: FakeServer, database: string, level = 1, reuse = true): AcquireRequest<FakeConnection> {
  return { key: database, database, level, reuse, connect: server.connect(database) };
}

function pool(bound: number, waitMs = 5_000, idleMs = 60_000): ServerConnections<FakeConnection> {
  return new ServerConnections<FakeConnection>('db:5432', { bound, waitMs, idleMs });
}

describe('ServerConnections', () => {
  it('reuses an idle connection of the same database', async () => {
    const server = new FakeServer();
    const connections = pool(4);
    const first = await connections.acquire(request(server, 'a'));
    connections.release(first);
    const second = await connections.acquire(request(server, 'a'));
    expect(second).toBe(first);
    expect(server.opened).toHaveLength(1);
    connections.release(second);
    await connections.end();
  });

  it('closes the least recently used idle connection of another database to make room, and the server never sees more than the bound', async () => {
    const server = new FakeServer();
    const connections = pool(3);
    for (const database of ['a', 'b', 'c']) connections.release(await connections.acquire(request(server, database)));
    expect(connections.idleCount).toBe(3);
    const d = await connections.acquire(request(server, 'd'));
    expect(server.opened.map((c) => [c.database, c.ended])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
      ['d', false],
    ]);
    expect(server.peak).toBe(3);
    connections.release(d);
    await connections.end();
    expect(server.live).toBe(0);
  });

  it('fails a request that finds no slot within the wait, with the server and its bound', async () => {
    const server = new FakeServer();
    const connections = pool(3, 20);
    const held = await connections.acquire(request(server, 'a'));
    const refused = connections.acquire(request(server, 'b'));
    await expect(refused).rejects.toBeInstanceOf(ConnectionBoundReached);
    await expect(refused).rejects.toThrow("the operator's connection bound to db:5432 (3) was reached");
    expect(connections.waiting).toBe(0);
    connections.release(held);
    await connections.end();
  });

  it('admits a nested request ahead of waiting first requests, so a reconcile holding a connection finishes', async () => {
    const server = new FakeServer();
    const connections = pool(4);
    const lockA = await connections.acquire(request(server, 'postgres'));
    const lockB = await connections.acquire(request(server, 'postgres'));
    // Level 1 is full (4 - 2 deeper levels): a third reconcile waits...
    const third = connections.acquire(request(server, 'postgres'));
    await sleep(5);
    expect(connections.waiting).toBe(1);
    // ...while the first ones take their nested connections.
    const workA = await connections.acquire(request(server, 'a', 2));
    const loginA = await connections.acquire(request(server, 'a', 3, false));
    connections.release(loginA);
    connections.release(workA);
    connections.release(lockA);
    const lockC = await third;
    for (const connection of [lockB, lockC]) connections.release(connection);
    await connections.end();
    expect(server.peak).toBeLessThanOrEqual(4);
  });

  it('closes idle connections after the idle timeout', async () => {
    const server = new FakeServer();
    const connections = pool(4, 1_000, 10);
    connections.release(await connections.acquire(request(server, 'a')));
    expect(connections.idleCount).toBe(1);
    while (connections.open > 0) await sleep(5);
    expect(server.live).toBe(0);
    expect(connections.unused).toBe(true);
  });

  it('closes the connections of a database to be dropped: idle ones now, those in use when released', async () => {
    const server = new FakeServer();
    const connections = pool(4);
    const inUse = await connections.acquire(request(server, 'a'));
    const idle = await connections.acquire(request(server, 'a'));
    connections.release(idle);
    await connections.closeDatabase('a');
    expect(idle.ended).toBe(true);
    connections.release(inUse);
    while (!inUse.ended) await sleep(1);
    expect(connections.idleCount).toBe(0);
  });

  it('one-off connections are closed when released', async () => {
    const server = new FakeServer();
    const connections = pool(4);
    const once = await connections.acquire(request(server, 'other', 1, false));
    connections.release(once);
    while (!once.ended) await sleep(1);
    expect(connections.idleCount).toBe(0);
  });

  // Many reconciles over many databases, each nesting up to three connections as the operator's do:
  // all finish (no deadlock on the bound) and the server never sees more sessions than the bound.
  it.each([3, 4, 10])('keeps %i reconciles over 30 databases within the bound, and all finish', async (bound) => {
    const server = new FakeServer();
    const connections = pool(bound, 30_000, 50);
    let seed = bound;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const reconcile = async (index: number) => {
      const database = `db${index % 30}`;
      const lock = await connections.acquire(request(server, 'postgres'));
      const work = await connections.acquire(request(server, database, 2));
      if (random() < 0.5) {
        const login = await connections.acquire(request(server, database, 3, false));
        await sleep(random() * 3);
        connections.release(login);
      }
      await sleep(random() * 3);
      connections.release(work, random() < 0.1);
      connections.release(lock);
    };
    await Promise.all(Array.from({ length: 120 }, (_, index) => reconcile(index)));
    expect(server.peak).toBeLessThanOrEqual(bound);
    expect(server.peak).toBeGreaterThanOrEqual(Math.min(bound, 3));
    await connections.end();
    expect(server.live).toBe(0);
  });
});

import net from 'node:net';

const begin = Buffer.from('BEGIN');
const transactionEnds = [Buffer.from('COMMIT'), Buffer.from('ROLLBACK')];

/**
 * A TCP proxy between the operator and PostgreSQL that the chaos run controls. `cutInTransaction`
 * waits for the next connection that sends BEGIN (the operator opens every change that way), lets
 * BEGIN through and then drops that connection, both ways, at one of the next messages, and at the
 * latest at the one carrying COMMIT: the transaction is open when the connection dies, so the server
 * rolls it back (advisory lock included) and the operator sees its connection fail under a query.
 * Plaintext only (the run's connection Secrets say sslmode=disable), so the statements are visible.
 */
export class CuttingProxy {
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  /** Set while a cut waits for a BEGIN: how many messages to let through after it, and what to do then. */
  private armed: { messagesAfterBegin: number; cut: (pair: [net.Socket, net.Socket]) => void } | undefined;
  private readonly server: net.Server;
  /** Connections destroyed by a cut. */
  connectionsCut = 0;

  private constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {
    this.server = net.createServer((client) => {
      this.carry(client);
    });
  }

  static async start(upstreamHost: string, upstreamPort: number): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(upstreamHost, upstreamPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  private carry(client: net.Socket): void {
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    /** Set once this connection's BEGIN was picked for a cut: messages still to pass, and the cut. */
    let doomed: { remaining: number; cut: (pair: [net.Socket, net.Socket]) => void } | undefined;
    client.on('data', (chunk: Buffer) => {
      if (doomed) {
        if (doomed.remaining <= 0 || transactionEnds.some((end) => chunk.includes(end))) {
          doomed.cut(pair);
          return;
        }
        doomed.remaining -= 1;
      } else if (this.armed && chunk.includes(begin)) {
        doomed = { remaining: this.armed.messagesAfterBegin, cut: this.armed.cut };
        this.armed = undefined;
      }
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.pipe(client);
    const close = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }

  private destroy(pair: [net.Socket, net.Socket]): void {
    if (!this.pairs.has(pair)) return;
    this.pairs.delete(pair);
    this.connectionsCut += 1;
    for (const socket of pair) socket.destroy();
  }

  /**
   * Cuts the next connection that begins a transaction, at the `messagesAfterBegin`-th message after
   * its BEGIN (or at its COMMIT if that comes first); if none begins within `waitMs` (an idle
   * operator), cuts every open connection instead. Resolves with which it was.
   */
  cutInTransaction(messagesAfterBegin: number, waitMs: number): Promise<'in-transaction' | 'idle'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.armed = undefined;
        for (const pair of [...this.pairs]) this.destroy(pair);
        resolve('idle');
      }, waitMs);
      this.armed = {
        messagesAfterBegin,
        cut: (pair) => {
          clearTimeout(timer);
          this.destroy(pair);
          resolve('in-transaction');
        },
      };
    });
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) for (const socket of pair) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

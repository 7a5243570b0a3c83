import net from 'node:net';

/**
 * A TCP proxy that holds every new connection until opened: the operator behind it cannot reach the
 * API server, so what it reports before its first list can be observed. TLS passes through untouched.
 * It counts the connections it accepted, and can freeze the ones it carries (a peer gone silent).
 */
export class GatedProxy {
  private open = false;
  private readonly held: (() => void)[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs: [net.Socket, net.Socket][] = [];
  private readonly server: net.Server;
  /** Connections accepted so far. */
  connections = 0;

  private constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {
    this.server = net.createServer((client) => {
      this.connections += 1;
      this.sockets.add(client);
      if (this.open) this.connect(client);
      else
        this.held.push(() => {
          this.connect(client);
        });
    });
  }

  private connect(client: net.Socket): void {
    const upstream = net.connect(this.upstreamPort, this.upstreamHost);
    this.sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    this.pairs.push([client, upstream]);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  }

  static async start(upstreamHost: string, upstreamPort: number): Promise<GatedProxy> {
    const proxy = new GatedProxy(upstreamHost, upstreamPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  openGate(): void {
    this.open = true;
    for (const connect of this.held.splice(0)) connect();
  }

  /** Every connection carried so far stops passing bytes either way, without closing; new ones pass. */
  freeze(): void {
    for (const [client, upstream] of this.pairs.splice(0)) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

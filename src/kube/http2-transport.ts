import http from 'node:http';
import http2 from 'node:http2';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { ClusterConfig } from './cluster-config.js';
import { ResponseBody } from './response-body.js';
import { Http1Transport, tlsOptions, type IncomingResponse, type OutgoingRequest, type Transport } from './transport.js';

export interface Http2Timing {
  pingIntervalMs: number;
  pingTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * As client-go: a ping every 30 s, the connection given up when one goes 15 s unanswered. Every
 * request and watch shares the connection, so a silently dead one must be noticed: its streams then
 * fail, and the informers' watches resume on a new one.
 */
const defaultTiming: Http2Timing = { pingIntervalMs: 30_000, pingTimeoutMs: 15_000, connectTimeoutMs: 10_000 };
/** Receive windows as client-go's: a large list arrives without waiting on window updates. */
const streamWindowBytes = 4 * 1024 * 1024;
const sessionWindowBytes = 32 * 1024 * 1024;

/** A request that never left: safe to send again on a new connection. */
class NotSent extends Error {}

/**
 * One HTTP/2 connection: counts its open streams (the process may exit only without any; the server
 * takes only so many at once) and pings.
 */
class Connection {
  private openStreams = 0;
  /** Streams promised to callers that have not opened them yet (they resume a tick later). */
  private reserved = 0;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly session: http2.ClientHttp2Session,
    private readonly timing: Http2Timing,
    /** Called once, when the connection takes no more requests (GOAWAY, closed, failed). */
    onGone: () => void,
  ) {
    // Referenced until its first stream closes: a command waiting for the server's settings, with
    // nothing else to keep Node running, would otherwise exit before its request is sent.
    let gone = false;
    const end = (): void => {
      if (gone) return;
      gone = true;
      clearInterval(this.pinger);
      onGone();
    };
    session.on('goaway', end);
    session.on('close', end);
    // Its streams fail with it and report that to their callers.
    session.on('error', end);
    session.once('connect', () => {
      session.setLocalWindowSize(sessionWindowBytes);
    });
    this.pinger = setInterval(() => {
      this.ping();
    }, timing.pingIntervalMs).unref();
  }

  private ping(): void {
    if (this.session.destroyed) return;
    const timer = setTimeout(() => {
      this.session.destroy(new Error('the API server did not answer an HTTP/2 ping'));
    }, this.timing.pingTimeoutMs).unref();
    this.session.ping((error) => {
      clearTimeout(timer);
      if (error) this.session.destroy(error);
    });
  }

  /** Sends on a place taken by reserve(). */
  send({ method, url, headers, body, signal }: OutgoingRequest): Promise<IncomingResponse> {
    this.reserved -= 1;
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.session.request(
          { ':method': method, ':path': `${url.pathname}${url.search}`, ...headers },
          { endStream: body === undefined, ...(signal ? { signal } : {}) },
        );
      } catch (error) {
        // A session that is closing refuses new streams synchronously.
        reject(new NotSent(String(error)));
        return;
      }
      if (this.openStreams++ === 0) this.session.ref();
      stream.once('close', () => {
        if (--this.openStreams === 0) this.session.unref();
      });
      const received = new ResponseBody(stream);
      // Before the response: the request failed. After it: the reader of the body sees the error.
      stream.on('error', reject);
      stream.once('response', (responseHeaders) => {
        const status = responseHeaders[':status'] ?? 0;
        resolve({ status, statusText: http.STATUS_CODES[status] ?? '', body: received });
      });
      if (body !== undefined) stream.end(body);
    });
  }

  get usable(): boolean {
    return !this.session.destroyed && !this.session.closed;
  }

  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS: 100 for kube-apiserver by default. */
  get streamLimit(): number {
    return this.session.remoteSettings.maxConcurrentStreams ?? 100;
  }

  /**
   * Takes a place for one more stream, if there is one. Streams beyond the limit would wait in
   * nghttp2 until one closes, and a watch closes only after minutes: requests queued behind watches
   * would stall.
   */
  reserve(): boolean {
    if (this.openStreams + this.reserved >= this.streamLimit) return false;
    this.reserved += 1;
    return true;
  }

  destroy(): void {
    this.session.destroy();
  }
}

/**
 * HTTP/2 to the API server, as client-go speaks it: every request and watch a stream on one TLS
 * connection, and a further connection only when one holds the server's stream limit. Measured
 * against the real API server, it costs the client less CPU per request than HTTP/1.1 keep-alive and
 * the server no more (ADR 4). A server that does not offer h2 in ALPN (some proxies) gets HTTP/1.1
 * for the life of the process.
 */
export class Http2Transport implements Transport {
  /** Open connections; another is added when every one is at the server's stream limit (as Go's transport). */
  private readonly connections = new Set<Connection>();
  private connecting: Promise<Connection | 'http/1.1'> | undefined;
  private fallback: Http1Transport | undefined;
  private closed = false;

  constructor(
    private readonly config: ClusterConfig,
    private readonly timing: Http2Timing = defaultTiming,
  ) {}

  async send(request: OutgoingRequest): Promise<IncomingResponse> {
    for (let attempt = 1; ; attempt++) {
      if (this.fallback) return this.fallback.send(request);
      const connection = await this.connectionWithRoom();
      if (connection === 'http/1.1') {
        this.fallback ??= new Http1Transport(this.config);
        return this.fallback.send(request);
      }
      try {
        return await connection.send(request);
      } catch (error) {
        if (!(error instanceof NotSent)) throw error;
        this.connections.delete(connection);
        if (attempt >= 3) throw new Error(`HTTP/2 request not sent: ${error.message}`, { cause: error });
      }
    }
  }

  private async connectionWithRoom(): Promise<Connection | 'http/1.1'> {
    for (;;) {
      if (this.closed) throw new Error('the API client is closed');
      for (const connection of this.connections) {
        // A connection that just failed may not have said so yet (its events come a tick later).
        if (!connection.usable) this.connections.delete(connection);
        else if (connection.reserve()) return connection;
      }
      if (this.connecting === undefined) {
        const attempt = this.connect((gone) => this.connections.delete(gone)).then((connection) => {
          if (connection !== 'http/1.1') this.connections.add(connection);
          return connection;
        });
        this.connecting = attempt;
        const settled = (): void => {
          if (this.connecting === attempt) this.connecting = undefined;
        };
        attempt.then(settled, settled);
      }
      const connection = await this.connecting;
      if (connection === 'http/1.1') return connection;
      // A server that allows no stream at all (a limit of 0) must not make this open connections forever.
      if (connection.streamLimit === 0) throw new Error('the API server allows no HTTP/2 streams (SETTINGS_MAX_CONCURRENT_STREAMS 0)');
      // Callers that awaited the same connection take its room in turn; the rest loop for another.
    }
  }

  private connect(onGone: (connection: Connection) => void): Promise<Connection | 'http/1.1'> {
    const origin = new URL(this.config.server);
    const host = origin.hostname.replace(/^\[|\]$/g, '');
    const options = tlsOptions(this.config);
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host,
        port: Number(origin.port || 443),
        ALPNProtocols: ['h2', 'http/1.1'],
        // SNI takes host names only; an IP address is checked against the certificate without it.
        ...(isIP(host) === 0 ? { servername: host } : {}),
        ...options,
      });
      socket.setTimeout(this.timing.connectTimeoutMs, () => {
        socket.destroy(Object.assign(new Error(`connecting to ${origin.host} timed out`), { code: 'ETIMEDOUT' }));
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.setTimeout(0);
        socket.off('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          socket.destroy();
          resolve('http/1.1');
          return;
        }
        const session = http2.connect(origin, { createConnection: () => socket, settings: { initialWindowSize: streamWindowBytes } });
        const connection: Connection = new Connection(session, this.timing, () => {
          onGone(connection);
        });
        // Its stream limit is known once the server's SETTINGS arrive, right after the handshake.
        session.once('remoteSettings', () => {
          resolve(connection);
        });
        session.once('close', () => {
          reject(new Error(`the API server at ${origin.host} closed the connection before its HTTP/2 settings`));
        });
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    this.connecting
      ?.then((connection) => {
        if (connection !== 'http/1.1') connection.destroy();
      })
      .catch(() => undefined);
    this.fallback?.close();
  }
}

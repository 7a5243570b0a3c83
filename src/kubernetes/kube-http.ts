import type { KubeConfig } from '@kubernetes/client-node';
import type https from 'node:https';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Agent, fetch, type Response } from 'undici';
import { KubeApiError } from './kube-api-error.js';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: 'application/json' | 'application/merge-patch+json' | 'application/json-patch+json' | 'application/apply-patch+yaml';
  signal?: AbortSignal;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const authHeaderTtlMs = 10_000;

/**
 * A small REST client for the API server: one keep-alive connection pool for every request.
 * @kubernetes/client-node builds a new HTTP agent (and TLS session) per request, which costs about
 * 4x the latency here and an order of magnitude under load. KubeConfig still supplies the server,
 * the TLS material and the credentials (tokens, client certificates, exec plugins, in-cluster).
 */
export class KubeHttp {
  private authHeaders: { value: Record<string, string>; expires: number } | undefined;
  /** Counts requests by verb: the idle-resync and benchmark checks read it. */
  readonly requestCounts = new Map<string, number>();

  private constructor(
    private readonly kubeConfig: KubeConfig,
    readonly server: string,
    private readonly agent: Agent,
    readonly userAgent: string,
  ) {}

  static async create(kubeConfig: KubeConfig, userAgent = 'dbuser-operator'): Promise<KubeHttp> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const options: https.RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(options);
    const agent = new Agent({
      connect: {
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.cert ? { cert: options.cert } : {}),
        ...(options.key ? { key: options.key } : {}),
        ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
        ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      },
      keepAliveTimeout: 30_000,
      connections: 64,
      // HTTP/1.1 keep-alive: measured no slower than HTTP/2 here, and undici's most mature path.
      allowH2: false,
    });
    return new KubeHttp(kubeConfig, cluster.server.replace(/\/$/, ''), agent, userAgent);
  }

  private async headers(): Promise<Record<string, string>> {
    if (this.authHeaders && this.authHeaders.expires > Date.now()) return this.authHeaders.value;
    const options: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    const value: Record<string, string> = {};
    for (const [name, header] of Object.entries(options.headers ?? {})) {
      if (header !== undefined) value[name] = Array.isArray(header) ? header.join(', ') : String(header);
    }
    if (options.auth) value.Authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
    this.authHeaders = { value, expires: Date.now() + authHeaderTtlMs };
    return value;
  }

  private url(path: string, query: Record<string, QueryValue> = {}): string {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private count(method: string): void {
    this.requestCounts.set(method, (this.requestCounts.get(method) ?? 0) + 1);
  }

  private async send(method: string, path: string, options: RequestOptions, accept = 'application/json'): Promise<Response> {
    this.count(method);
    const headers: Record<string, string> = { ...(await this.headers()), Accept: accept, 'User-Agent': this.userAgent };
    if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const response = await fetch(this.url(path, options.query), {
      method,
      headers,
      dispatcher: this.agent,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!response.ok) throw await apiError(method, path, response);
    return response;
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await response.json()) as T;
  }

  /**
   * Opens a watch and calls `onEvent` per event until the server closes it, the signal aborts, or the
   * connection fails (rejects). Events are newline-delimited JSON.
   */
  async watch<T>(path: string, query: Record<string, QueryValue>, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    // Our own controller, so the connection is closed however the loop ends (including a throwing onEvent).
    const local = new AbortController();
    const combined = AbortSignal.any([signal, local.signal]);
    try {
      const response = await this.send('GET', path, { query: { ...query, watch: true }, signal: combined });
      if (!response.body) return;
      const input = Readable.fromWeb(response.body);
      const lines = createInterface({ input, crlfDelay: Infinity });
      // A failure reaches us through the iterator below. After it (or after our abort), the stream and
      // the line reader may still emit 'error'; without a listener Node would crash the process.
      input.on('error', () => undefined);
      lines.on('error', () => undefined);
      try {
        for await (const line of lines) {
          if (line.trim() === '') continue;
          onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      } finally {
        lines.close();
        input.destroy();
      }
    } finally {
      local.abort();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

async function apiError(method: string, path: string, response: Response): Promise<KubeApiError> {
  let reason = response.statusText;
  let message = '';
  try {
    const status = (await response.json()) as { reason?: string; message?: string };
    reason = status.reason ?? reason;
    message = status.message ?? '';
  } catch {
    // Not a metav1.Status: keep the HTTP status text.
  }
  return new KubeApiError(response.status, reason, message, method, path);
}

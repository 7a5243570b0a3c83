import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { ClusterConfig, Credentials } from './cluster-config.js';
import { KubeApiError } from './kube-api-error.js';
import { requestKind, type RequestKind } from './request-kind.js';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: 'application/json' | 'application/merge-patch+json' | 'application/json-patch+json' | 'application/apply-patch+yaml';
  /** Default application/json; e.g. metadata-only lists and watches ask for PartialObjectMetadata. */
  accept?: string;
  signal?: AbortSignal;
}

/** Ask the API server for metadata only (a list, or each watch event's object). */
export const metadataOnlyList = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const metadataOnly = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

const requestTimeoutMs = 30_000;

/**
 * A small REST client for the API server over Node's own HTTP stack, with one keep-alive agent for
 * every request. @kubernetes/client-node builds a new agent (and TLS session) per request, costing
 * about 4x the latency here, and loading it (with undici) adds ~90 MiB to the process (ADR 4, 8).
 */
export class KubeHttp {
  /** Requests sent, by Kubernetes verb and resource (keyed "verb resource"): the requests metric. */
  readonly requestCounts = new Map<string, RequestKind & { count: number }>();
  private readonly agent: http.Agent;
  private readonly transport: typeof https | typeof http;

  private constructor(
    private readonly config: ClusterConfig,
    readonly userAgent: string,
  ) {
    const secure = config.server.startsWith('https:');
    this.transport = secure ? https : http;
    this.agent = secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 64,
          ...(config.ca ? { ca: config.ca } : {}),
          ...(config.cert ? { cert: config.cert } : {}),
          ...(config.key ? { key: config.key } : {}),
          rejectUnauthorized: !config.insecureSkipTlsVerify,
          ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
        })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  static create(config: ClusterConfig, userAgent = 'dbuser-operator'): KubeHttp {
    return new KubeHttp(config, userAgent);
  }

  private get credentials(): Credentials {
    return this.config.credentials;
  }

  private url(path: string, query: Record<string, QueryValue> = {}): URL {
    const url = new URL(this.config.server + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private count(method: string, path: string, query: RequestOptions['query']): void {
    const kind = requestKind(method, path, query);
    const key = `${kind.verb} ${kind.resource}`;
    const counted = this.requestCounts.get(key);
    if (counted) counted.count += 1;
    else this.requestCounts.set(key, { ...kind, count: 1 });
  }

  /** Sends one request; resolves with the response once its status is known (body not read yet). */
  private async open(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    this.count(method, path, options.query);
    const authorization = await this.credentials.header();
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: http.OutgoingHttpHeaders = {
      Accept: options.accept ?? 'application/json',
      'User-Agent': this.userAgent,
      ...(authorization ? { Authorization: authorization } : {}),
      ...(body === undefined ? {} : { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) }),
    };
    return new Promise((resolve, reject) => {
      const request = this.transport.request(
        this.url(path, options.query),
        { method, headers, agent: this.agent, ...(options.signal ? { signal: options.signal } : {}) },
        resolve,
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  private static async readBody(response: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(requestTimeoutMs)]) : AbortSignal.timeout(requestTimeoutMs);
    const response = await this.open(method, path, { ...options, signal });
    const text = await KubeHttp.readBody(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(method, path, status, response.statusMessage ?? '', text);
    return JSON.parse(text) as T;
  }

  /**
   * Opens a watch and calls `onEvent` per event until the server closes it, the signal aborts, or the
   * connection fails (rejects). Events are newline-delimited JSON.
   */
  async watch<T>(
    path: string,
    query: Record<string, QueryValue>,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    accept?: string,
  ): Promise<void> {
    const response = await this.open('GET', path, { query: { ...query, watch: true }, signal, ...(accept ? { accept } : {}) });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError('GET', path, status, response.statusMessage ?? '', await KubeHttp.readBody(response));
    const lines = createInterface({ input: response, crlfDelay: Infinity });
    // A failure reaches us through the iterator below; after it the stream may still emit 'error'.
    response.on('error', () => undefined);
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } finally {
      lines.close();
      response.destroy();
    }
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}

function apiError(method: string, path: string, status: number, statusText: string, body: string): KubeApiError {
  let reason = statusText;
  let message = '';
  try {
    const parsed = JSON.parse(body) as { reason?: string; message?: string };
    reason = parsed.reason ?? reason;
    message = parsed.message ?? '';
  } catch {
    // Not a metav1.Status: keep the HTTP status text.
  }
  return new KubeApiError(status, reason, message, method, path);
}

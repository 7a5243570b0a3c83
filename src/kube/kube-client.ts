import type { AuthCredentials, ClusterConfig } from './cluster-config.js';
import { Http2Transport } from './http2-transport.js';
import { KubeApiError } from './api-error.js';
import { requestKind, type RequestKind } from './request-kind.js';
import { Http1Transport, type IncomingResponse, type Transport } from './transport.js';

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
 * A small REST client for the API server over Node's own HTTP stack: HTTP/2 on one connection (HTTP/1.1
 * with a keep-alive agent where the server has no HTTP/2). @kubernetes/client-node builds a new agent
 * (and TLS session) per request, costing about 4x the latency here, and loading it (with undici) adds
 * ~90 MiB to the process (ADR 4, 8).
 */
export class KubeClient {
  /** Requests sent, by Kubernetes verb and resource (keyed "verb resource"): the requests metric. */
  readonly requestCounts = new Map<string, RequestKind & { count: number }>();
  private readonly transport: Transport;

  private constructor(
    private readonly config: ClusterConfig,
    readonly userAgent: string,
  ) {
    this.transport = config.server.startsWith('https:') ? new Http2Transport(config) : new Http1Transport(config);
  }

  static create(config: ClusterConfig, userAgent = 'dbuser-operator'): KubeClient {
    return new KubeClient(config, userAgent);
  }

  private get credentials(): AuthCredentials {
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
  private async open(method: string, path: string, options: RequestOptions): Promise<IncomingResponse> {
    this.count(method, path, options.query);
    const authorization = await this.credentials.header();
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers = {
      accept: options.accept ?? 'application/json',
      'user-agent': this.userAgent,
      ...(authorization ? { authorization } : {}),
      ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) }),
    };
    return this.transport.send({ method, url: this.url(path, options.query), headers, body, signal: options.signal });
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(requestTimeoutMs)]) : AbortSignal.timeout(requestTimeoutMs);
    const response = await this.open(method, path, { ...options, signal });
    const text = await response.body.text();
    const { status } = response;
    if (status < 200 || status >= 300) throw apiError(method, path, status, response.statusText, text);
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
    const { status } = response;
    if (status < 200 || status >= 300) throw apiError('GET', path, status, response.statusText, await response.body.text());
    try {
      await response.body.lines((line) => {
        if (line.trim() !== '') onEvent(JSON.parse(line) as WatchEvent<T>);
      });
    } finally {
      response.body.cancel();
    }
  }

  close(): Promise<void> {
    this.transport.close();
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

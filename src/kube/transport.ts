import http from 'node:http';
import https from 'node:https';
import type { ClusterConfig } from './cluster-config.js';
import { ResponseBody } from './response-body.js';

/** What KubeClient needs of HTTP: send one request, get its status and a body to read. */
export interface Transport {
  send(request: OutgoingRequest): Promise<IncomingResponse>;
  close(): void;
}

export interface OutgoingRequest {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string | number>;
  body: string | undefined;
  signal: AbortSignal | undefined;
}

export interface IncomingResponse {
  status: number;
  statusText: string;
  body: ResponseBody;
}

/** The TLS settings of a kubeconfig cluster entry, as node:tls takes them. */
export function tlsOptions(config: ClusterConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean; servername?: string } {
  return {
    ...(config.ca ? { ca: config.ca } : {}),
    ...(config.cert ? { cert: config.cert } : {}),
    ...(config.key ? { key: config.key } : {}),
    rejectUnauthorized: !config.insecureSkipTlsVerify,
    ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
  };
}

/** HTTP/1.1 over one keep-alive agent: for plain-HTTP servers (a local proxy) and servers without HTTP/2. */
export class Http1Transport implements Transport {
  private readonly agent: http.Agent;
  private readonly module: typeof https | typeof http;

  constructor(config: ClusterConfig) {
    const secure = config.server.startsWith('https:');
    this.module = secure ? https : http;
    this.agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 64, ...tlsOptions(config) }) : new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  send({ method, url, headers, body, signal }: OutgoingRequest): Promise<IncomingResponse> {
    return new Promise((resolve, reject) => {
      const request = this.module.request(url, { method, headers, agent: this.agent, ...(signal ? { signal } : {}) }, (response) => {
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', body: new ResponseBody(response) });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

import http from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

export interface HealthSources {
  /** Ready to serve: the informers have listed (see README: readiness and leader election). */
  isReady: () => boolean;
}

/** /healthz (the process answers), /readyz (caches synced) and /metrics (Prometheus). */
export async function startHttpServer(port: number, registry: Registry, health: HealthSources, logger: Logger): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'Content-Type': type });
      response.end(body);
    };
    if (path === '/healthz' || path === '/livez') {
      reply(200, 'ok\n');
    } else if (path === '/readyz') {
      if (health.isReady()) reply(200, 'ok\n');
      else reply(503, 'informers not synced\n');
    } else if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          reply(200, text, registry.contentType);
        })
        .catch((error: unknown) => {
          logger.warn({ err: String(error) }, 'metrics collection failed');
          reply(500, 'metrics collection failed\n');
        });
    } else {
      reply(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      resolve();
    });
  });
  return server;
}

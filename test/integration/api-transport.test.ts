// How the operator's REST client reaches the API server: HTTP/2, requests and watches sharing one
// connection up to the server's stream limit, another beyond it; a connection that goes silent is
// noticed by its pings and replaced; HTTP/1.1 through a server that offers no HTTP/2 (a TLS proxy).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadClusterConfig, type ClusterConfig } from '../../src/kube/cluster-config.js';
import { Http2Transport } from '../../src/kube/http2-transport.js';
import { KubeClient, type WatchEvent } from '../../src/kube/kube-client.js';
import { readHarnessState } from '../harness/harness-state.js';
import { GatedProxy } from './support/gated-proxy.js';

const namespace = `transport-${String(process.pid)}`;
let config: ClusterConfig;
let admin: KubeClient;

beforeAll(async () => {
  config = await loadClusterConfig({ KUBECONFIG: readHarnessState().cluster.kubeconfigPath });
  admin = KubeClient.create(config, 'transport-test');
  await admin.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });
});

afterAll(async () => {
  await admin.request('DELETE', `/api/v1/namespaces/${namespace}`);
  await admin.close();
});

/** A key and certificate for 127.0.0.1, made by openssl in `dir`. */
function selfSignedCertificate(dir: string): { key: Buffer; certificate: Buffer } {
  const [keyFile, certificateFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=test'].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certificateFile,
    ]),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile), certificate: readFileSync(certificateFile) };
}

/** The TCP proxy in front of the API server, and the config that goes through it. */
async function throughProxy(): Promise<{ proxy: GatedProxy; proxied: ClusterConfig }> {
  const upstream = new URL(config.server);
  const proxy = await GatedProxy.start(upstream.hostname, Number(upstream.port || 443));
  proxy.openGate();
  return { proxy, proxied: { ...config, server: `https://${upstream.hostname}:${String(proxy.port)}` } };
}

describe('the REST client against the API server', () => {
  it('carries a watch and 60 concurrent requests on one HTTP/2 connection', async () => {
    const { proxy, proxied } = await throughProxy();
    const http = KubeClient.create(proxied, 'transport-test');
    const abort = new AbortController();
    try {
      const seen: string[] = [];
      const watching = http.watch<{ metadata: { name: string } }>(
        `/api/v1/namespaces/${namespace}/configmaps`,
        {},
        (event: WatchEvent<{ metadata: { name: string } }>) => {
          seen.push(`${event.type} ${event.object.metadata.name}`);
        },
        abort.signal,
      );
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => http.request<{ metadata: { name: string } }>('GET', `/api/v1/namespaces/${namespace}`)),
      );
      expect(answers.every((answer) => answer.metadata.name === namespace)).toBe(true);
      await http.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, { body: { metadata: { name: 'seen-by-watch' }, data: { a: 'b' } } });
      const deadline = Date.now() + 10_000;
      while (!seen.includes('ADDED seen-by-watch') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toContain('ADDED seen-by-watch');
      // HTTP/1.1 would have opened a connection per request in flight.
      expect(proxy.connections).toBe(1);
      abort.abort();
      await expect(watching).rejects.toThrow();
    } finally {
      await http.close();
      await proxy.close();
    }
  });

  it('opens another connection when one is at the server stream limit, so requests never wait behind watches', async () => {
    const { proxy, proxied } = await throughProxy();
    const http = KubeClient.create(proxied, 'transport-test');
    const abort = new AbortController();
    try {
      // kube-apiserver takes 100 concurrent streams per connection by default; watches hold theirs for minutes.
      const watches = Array.from({ length: 150 }, () =>
        http.watch(`/api/v1/namespaces/${namespace}/configmaps`, {}, () => undefined, abort.signal).catch(() => undefined),
      );
      const asked = Date.now();
      const answer = await http.request<{ metadata: { name: string } }>('GET', `/api/v1/namespaces/${namespace}`, { signal: AbortSignal.timeout(10_000) });
      expect(answer.metadata.name).toBe(namespace);
      expect(Date.now() - asked).toBeLessThan(5_000);
      expect(proxy.connections).toBeGreaterThanOrEqual(2);
      abort.abort();
      await Promise.all(watches);
    } finally {
      await http.close();
      await proxy.close();
    }
  });

  it('gives up a connection that stops answering pings, failing its watch, and sends on a new one', async () => {
    const { proxy, proxied } = await throughProxy();
    const transport = new Http2Transport(proxied, { pingIntervalMs: 200, pingTimeoutMs: 500, connectTimeoutMs: 5_000 });
    const authorization = await config.credentials.header();
    const get = (pathAndQuery: string) =>
      transport.send({
        method: 'GET',
        url: new URL(proxied.server + pathAndQuery),
        headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
        body: undefined,
        signal: undefined,
      });
    try {
      const watch = await get(`/api/v1/namespaces/${namespace}/configmaps?watch=true`);
      expect(watch.status).toBe(200);
      const watching = watch.body.lines(() => undefined);
      proxy.freeze();
      const frozenAt = Date.now();
      await expect(watching).rejects.toThrow();
      // Ping every 0.2 s, given up after 0.5 s unanswered: well before any watch timeout.
      expect(Date.now() - frozenAt).toBeLessThan(5_000);

      const after = await get(`/api/v1/namespaces/${namespace}`);
      expect(after.status).toBe(200);
      expect((JSON.parse(await after.body.text()) as { metadata: { name: string } }).metadata.name).toBe(namespace);
      expect(proxy.connections).toBe(2);
    } finally {
      transport.close();
      await proxy.close();
    }
  });

  it('speaks HTTP/1.1 to a server that offers no HTTP/2, for requests and watches', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'transport-'));
    const versions: string[] = [];
    const upstreamAgent = new https.Agent({ keepAlive: true, ...(config.ca ? { ca: config.ca } : {}) });
    try {
      // A TLS-terminating proxy with a certificate of its own, forwarding to the API server.
      const { key, certificate } = selfSignedCertificate(dir);
      const server = https.createServer({ key, cert: certificate }, (request, response) => {
        versions.push(request.httpVersion);
        const headers = { ...request.headers };
        delete headers.host;
        const forwarded = https.request(new URL(request.url ?? '/', config.server), { method: request.method, headers, agent: upstreamAgent }, (upstream) => {
          response.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(response);
        });
        request.pipe(forwarded);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const http = KubeClient.create({ ...config, server: `https://127.0.0.1:${String(port)}`, ca: certificate }, 'transport-test');
      try {
        const created = await http.request<{ metadata: { name: string } }>('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
          body: { metadata: { name: 'over-http1' }, data: { a: 'b' } },
        });
        expect(created.metadata.name).toBe('over-http1');
        const events: string[] = [];
        // The server ends this watch after a second: the client reads it to its end.
        await http.watch<{ metadata: { name: string } }>(
          `/api/v1/namespaces/${namespace}/configmaps`,
          { timeoutSeconds: 1 },
          (event) => {
            events.push(`${event.type} ${event.object.metadata.name}`);
          },
          AbortSignal.timeout(10_000),
        );
        expect(events).toContain('ADDED over-http1');
        expect(versions.length).toBe(2);
        expect(versions.every((version) => version === '1.1')).toBe(true);
      } finally {
        await http.close();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      upstreamAgent.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, rather than connecting again and again, a server that allows no stream', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'transport-'));
    const { key, certificate } = selfSignedCertificate(dir);
    let connections = 0;
    const server = http2.createSecureServer({ key, cert: certificate, settings: { maxConcurrentStreams: 0 } });
    server.on('session', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const transport = new Http2Transport({ ...config, server: `https://127.0.0.1:${String(port)}`, ca: certificate });
    try {
      await expect(
        transport.send({ method: 'GET', url: new URL(`https://127.0.0.1:${String(port)}/version`), headers: {}, body: undefined, signal: undefined }),
      ).rejects.toThrow('allows no HTTP/2 streams');
      expect(connections).toBe(1);
    } finally {
      transport.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

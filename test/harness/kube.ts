import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readHarnessState } from './harness-state.js';

/** A client configuration for the run's API server, as the admin. */
export function adminKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(readHarnessState().cluster.kubeconfigPath);
  return kubeConfig;
}

/**
 * A new namespace for one test file. Never deleted: without a controller-manager a deleted namespace
 * stays Terminating forever, and the run's etcd is thrown away anyway.
 */
export async function createTestNamespace(prefix: string, kubeConfig = adminKubeConfig()): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** The HTTP status and message of an API error, for assertions on refusals. */
export function apiError(error: unknown): { code: number; message: string } {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  const message = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : String(error.body);
  return { code: error.code, message };
}

/** Runs `action`, which must be refused by the API server, and returns the refusal. */
export async function expectRefused(action: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await action();
  } catch (error) {
    return apiError(error);
  }
  throw new Error('the API server accepted a request it should have refused');
}

import { loadClusterAccess } from '../kube/cluster-config.js';
import { DatabaseUserClient } from '../kubernetes/database-user-client.js';
import { KubeClient } from '../kube/kube-client.js';
import type { Target } from './arguments.js';

export const cliName = 'kubectl-dbuser';

export interface Session {
  client: DatabaseUserClient;
  namespace: string;
  close: () => Promise<void>;
}

/** The person's cluster and namespace, as kubectl would choose them from the same flags and environment. */
export async function openSession(target: Target, env: NodeJS.ProcessEnv, interactive: boolean): Promise<Session> {
  const access = await loadClusterAccess(env, { kubeconfig: target.kubeconfig, context: target.context, interactive });
  const namespace = target.namespace ?? access.namespace ?? 'default';
  const http = KubeClient.create(access.config, cliName);
  return { client: new DatabaseUserClient(http, namespace, cliName), namespace, close: () => http.close() };
}

/** The same person and cluster in another namespace (the dashboard's namespace picker); closing stays with `session`. */
export function sessionIn(session: Session, namespace: string): Session {
  if (namespace === session.namespace) return session;
  return { client: new DatabaseUserClient(session.client.http, namespace, cliName), namespace, close: () => Promise.resolve() };
}

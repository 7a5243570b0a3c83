import { loadClusterAccess } from '../kube/cluster-config.js';
import { KubeClient } from '../kube/kube-client.js';
import { PersonClient } from './person-client.js';

/** The name the people's tools go by: their user agent and field manager. */
export const cliName = 'kubectl-dbuser';

/** Which cluster and namespace, as kubectl's global flags say (-n, --kubeconfig, --context). */
export interface ClusterTarget {
  namespace: string | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
}

export interface Session {
  client: PersonClient;
  namespace: string;
  close: () => Promise<void>;
}

/** The person's cluster and namespace, as kubectl would choose them from the same flags and environment. */
export async function openSession(target: ClusterTarget, env: NodeJS.ProcessEnv, interactive: boolean): Promise<Session> {
  const access = await loadClusterAccess(env, { kubeconfig: target.kubeconfig, context: target.context, interactive });
  const namespace = target.namespace ?? access.namespace ?? 'default';
  const http = KubeClient.create(access.config, cliName);
  return { client: new PersonClient(http, namespace, cliName), namespace, close: () => http.close() };
}

/** The same person and cluster in another namespace (the dashboard's namespace picker); closing stays with `session`. */
export function sessionIn(session: Session, namespace: string): Session {
  if (namespace === session.namespace) return session;
  return { client: new PersonClient(session.client.http, namespace, cliName), namespace, close: () => Promise.resolve() };
}

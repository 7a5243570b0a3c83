import { credentialsSecretName, type DatabaseUser, type DatabaseUserSpec } from '../api/database-user.js';
import { requestedByAnnotation, resetPasswordAnnotation } from '../api/names.js';
import { encryptionOf } from '../model/password-encryption.js';
import type { ConnectionResolver } from './connection-resolver.js';
import type { Observed } from './decide.js';
import type { ChosenPassword } from './password-decision.js';
import { chosenPasswordFrom, type ReservedSecret } from './password-source.js';
import { resolvePlacement, type PlacementPorts } from './placement.js';
import type { KubernetesPort, PostgresPort } from './ports.js';
import { candidateFor } from './stored-credentials.js';

export interface ObservationPorts extends PlacementPorts {
  kubernetes: KubernetesPort;
  postgres: PostgresPort;
  connections: ConnectionResolver;
  now: () => Date;
}

/**
 * Everything one reconcile reads about one DatabaseUser, reads only: the watch caches, the
 * connection, the chosen password, and the role from PostgreSQL without a lock.
 */
export async function observeUser(ports: ObservationPorts, user: DatabaseUser, spec: DatabaseUserSpec): Promise<Observed> {
  const { kubernetes, postgres } = ports;
  const { namespace = '', name = '', uid = '', annotations, creationTimestamp } = user.metadata;
  const { connection, database, connectionLimit } = await resolvePlacement(ports, user, spec);
  const credentials = kubernetes.credentialsSecret(namespace, credentialsSecretName(name, spec));
  const chosen = await readChosenPassword(ports, namespace, spec);
  const candidate = candidateFor(credentials, name, chosen);
  // The sealed record of the verifier the operator set for the Secret's password (ADR 28).
  const recorded = credentials.kind === 'managed' && credentials.secret.credentials?.password === candidate ? credentials.secret.verifierDigest : undefined;
  const role = await postgres.observe(
    { connection, database, username: spec.username },
    candidate === undefined
      ? undefined
      : { value: candidate, encryption: encryptionOf(spec.passwordEncryption), ...(recorded === undefined ? {} : { verifierDigest: recorded }) },
  );
  return {
    namespace,
    name,
    uid,
    spec,
    requestedResetToken: annotations?.[resetPasswordAnnotation],
    connection,
    database,
    connectionLimit,
    credentials,
    chosen,
    candidate,
    role,
    createdAt: new Date(creationTimestamp ?? 0),
    status: user.status,
    requestedBy: annotations?.[requestedByAnnotation],
    now: ports.now(),
  };
}

/** The chosen password, read only from a Secret that opted in as a password source (password-source.ts). */
async function readChosenPassword(ports: ObservationPorts, namespace: string, spec: DatabaseUserSpec): Promise<ChosenPassword> {
  const ref = spec.passwordSecretRef;
  if (ref === undefined) return { kind: 'none' };
  const reserved: ReservedSecret =
    ref.name === spec.connection?.secretName || ports.connections.isDefault(namespace, ref.name)
      ? 'connection'
      : ports.kubernetes.credentialsSecret(namespace, ref.name).kind === 'managed'
        ? 'credentials'
        : undefined;
  const secret = reserved === undefined ? await ports.kubernetes.secretContents(namespace, ref.name) : undefined;
  return chosenPasswordFrom(ref, secret, reserved);
}

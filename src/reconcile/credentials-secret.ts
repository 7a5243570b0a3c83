import type { SslMode } from '../api/connection.js';
import { databaseUserLabel, kind, managedByLabel, managedByValue, passwordResetHandledAnnotation } from '../api/names.js';

export interface Credentials {
  username: string;
  password: string;
  host: string;
  port: number;
  database: string;
  sslMode: SslMode | undefined;
}

function uriHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** .pgpass fields escape backslash and colon. */
function pgpassField(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
}

/**
 * The Secret's keys: those CloudNativePG and Crunchy PGO write, plus type/provider from the Service
 * Binding spec, so existing application manifests work unchanged.
 */
export function credentialsData(credentials: Credentials): Record<string, string> {
  const { username, password, host, port, database, sslMode } = credentials;
  const user = encodeURIComponent(username);
  const secret = encodeURIComponent(password);
  const db = encodeURIComponent(database);
  const query = sslMode ? `?sslmode=${sslMode}` : '';
  const jdbcSsl = sslMode ? `&sslmode=${sslMode}` : '';
  return {
    username,
    password,
    host,
    port: String(port),
    dbname: database,
    uri: `postgresql://${user}:${secret}@${uriHost(host)}:${port}/${db}${query}`,
    'jdbc-uri': `jdbc:postgresql://${uriHost(host)}:${port}/${db}?user=${user}&password=${secret}${jdbcSsl}`,
    pgpass: `${[host, String(port), database, username, password].map(pgpassField).join(':')}\n`,
    type: 'postgresql',
    provider: managedByValue,
  };
}

export interface SecretOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** A Secret as the API server and server-side apply see it. */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean }[];
  };
  type: 'Opaque';
  data: Record<string, string>;
}

/**
 * The credentials Secret as the operator applies it. `owner` undefined orphans it (deletionPolicy
 * Retain): server-side apply then drops the owner reference this field manager set.
 */
export function credentialsSecretManifest(options: {
  name: string;
  namespace: string;
  databaseUserName: string;
  owner: SecretOwner | undefined;
  credentials: Credentials;
  resetToken: string | undefined;
}): SecretManifest {
  const { name, namespace, databaseUserName, owner, credentials, resetToken } = options;
  const data = Object.fromEntries(Object.entries(credentialsData(credentials)).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { [managedByLabel]: managedByValue, [databaseUserLabel]: databaseUserName },
      ...(resetToken === undefined ? {} : { annotations: { [passwordResetHandledAnnotation]: resetToken } }),
      ...(owner === undefined ? {} : { ownerReferences: [{ ...owner, controller: true }] }),
    },
    type: 'Opaque',
    data,
  };
}

export interface ObservedSecret {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; kind?: string }[];
    uid?: string;
  };
  data?: Record<string, string>;
}

/** Whether the observed Secret already has everything the manifest sets (so no write is needed). */
export function secretMatches(observed: ObservedSecret, desired: SecretManifest): boolean {
  const metadata = observed.metadata ?? {};
  const subset = (want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean =>
    Object.entries(want ?? {}).every(([key, value]) => have?.[key] === value);
  if (!subset(desired.metadata.labels, metadata.labels)) return false;
  if (!subset(desired.metadata.annotations, metadata.annotations)) return false;
  if (desired.metadata.annotations === undefined && metadata.annotations?.[passwordResetHandledAnnotation] !== undefined) return false;
  // Only references to DatabaseUsers are ours to compare; others may add their own.
  const ownerUids = (metadata.ownerReferences ?? []).filter((ref) => ref.kind === kind).map((ref) => ref.uid);
  const wantedOwners = (desired.metadata.ownerReferences ?? []).map((ref) => ref.uid);
  if (ownerUids.length !== wantedOwners.length || !wantedOwners.every((uid) => ownerUids.includes(uid))) return false;
  return subset(desired.data, observed.data);
}

/** A Secret is ours when it carries our managed-by label and names this DatabaseUser. */
export function isOurSecret(observed: ObservedSecret, databaseUserName: string): boolean {
  const labels = observed.metadata?.labels ?? {};
  return labels[managedByLabel] === managedByValue && labels[databaseUserLabel] === databaseUserName;
}

export function decodeSecretData(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

import { conditionTypes, type Condition } from './conditions.js';
import { credentialsSecretName, databaseUserSpecSchema, type DatabaseUser, type DatabaseUserSpec } from './database-user.js';

/** A DatabaseUser as people's tools show it: the provider's four columns, placement and readiness. */
export interface DatabaseUserView {
  name: string;
  username: string;
  readOnly: boolean;
  protected: boolean;
  /** What PostgreSQL stores (status); before the first reconcile, what the spec asks for. */
  passwordEncryption: string;
  ready: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** undefined: the operator's default connection. */
  connection: string | undefined;
  passwordSecretRef: { name: string; key: string } | undefined;
  credentialsSecret: string;
  deleting: boolean;
  /** The validated spec; undefined when it is invalid (then the view holds what could be read). */
  spec: DatabaseUserSpec | undefined;
}

/** The Ready condition: the one place it is looked up. */
export function readyConditionOf(user: Pick<DatabaseUser, 'status'> | undefined): Condition | undefined {
  return user?.status?.conditions?.find((condition) => condition.type === conditionTypes.Ready);
}

/** spec.username even when the rest of the spec is invalid. */
export function usernameOf(user: DatabaseUser): string {
  const spec = user.spec as { username?: unknown } | undefined;
  return typeof spec?.username === 'string' ? spec.username : '';
}

export function viewDatabaseUser(user: DatabaseUser): DatabaseUserView {
  const name = user.metadata.name ?? '';
  const parsed = databaseUserSpecSchema.safeParse(user.spec);
  const spec = parsed.success ? parsed.data : undefined;
  const ready = readyConditionOf(user);
  const requestedEncryption = spec?.passwordEncryption === 'md5' ? 'MD5' : 'SCRAM-SHA-256';
  return {
    name,
    username: usernameOf(user),
    readOnly: spec?.readOnly ?? false,
    protected: spec?.protected ?? false,
    passwordEncryption: user.status?.passwordEncryption ?? requestedEncryption,
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    connection: spec?.connection?.secretName,
    passwordSecretRef: spec?.passwordSecretRef,
    credentialsSecret: user.status?.secretName ?? credentialsSecretName(name, spec ?? {}),
    deleting: user.metadata.deletionTimestamp !== undefined,
    spec,
  };
}

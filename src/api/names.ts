/** Identifiers of the API that several layers share. */
export const apiGroup = 'dbuser.dev';
export const apiVersion = 'v1alpha1';
export const kind = 'DatabaseUser';
export const plural = 'databaseusers';
export const singular = 'databaseuser';
export const shortNames = ['dbu', 'dbuser'];

/** The kinds of the provider's model (DESIGN §13): a registered server, and a database on it. */
export const databaseKind = { kind: 'Database', plural: 'databases', singular: 'database', shortNames: ['db'] } as const;
export const databaseServerKind = { kind: 'DatabaseServer', plural: 'databaseservers', singular: 'databaseserver', shortNames: ['dbserver', 'dbs'] } as const;

export const finalizerName = 'dbuser.dev/finalizer';
/**
 * On a connection Secret that a DatabaseUser names in spec.connection: its deletion waits until no
 * DatabaseUser uses it, so the users' own finalizers can still reach PostgreSQL (a namespace deletion
 * removes both at once). ADR 15.
 */
export const connectionInUseFinalizer = 'dbuser.dev/connection-in-use';
export const resetPasswordAnnotation = 'dbuser.dev/reset-password';
/** On the credentials Secret: the reset token whose password it holds (crash-safe reset). */
export const passwordResetHandledAnnotation = 'dbuser.dev/password-reset';
/**
 * On a DatabaseUser: who last requested a reset, stamped by the API server's admission
 * (deploy/requester-policy.yaml), never by the requester; the operator records it as lastPasswordChange.by.
 */
export const requestedByAnnotation = 'dbuser.dev/requested-by';
/** On the credentials Secret: why, when and for whom its password was set (JSON), written with the password. */
export const passwordChangeAnnotation = 'dbuser.dev/password-change';
export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'dbuser-operator';
/** On the credentials Secret: the DatabaseUser it belongs to (metadata.name). */
export const databaseUserLabel = 'dbuser.dev/databaseuser';
export const fieldManager = 'dbuser-operator';
/** managed-by value of the chosen-password Secrets that kubectl dbuser (and its dashboard) create. */
export const cliManagedByValue = 'kubectl-dbuser';
/**
 * On a Secret: "true" makes it a password source, one a DatabaseUser's spec.passwordSecretRef may
 * name. Without it the operator reads no password from the Secret, so a DatabaseUser cannot copy
 * another Secret (an admin password, an API key) into credentials its requester may read.
 */
export const passwordSourceLabel = 'dbuser.dev/password-source';
/**
 * On the credentials Secret: an HMAC, under a key only the operator holds, of the password and its
 * records as the operator wrote them. A password that someone else wrote carries no valid seal and is
 * never applied to the role (ADR 16).
 */
export const sealAnnotation = 'dbuser.dev/seal';
/** On a credentials Secret: "<digest>.<seal>", the verifier the operator set the role's password to (ADR 28). */
export const verifierAnnotation = 'dbuser.dev/password-verifier';
/** Where DatabaseUsers are in the REST API (kube/paths.ts spells the paths). */
export const databaseUsers = { group: apiGroup, version: apiVersion, plural } as const;
/** Where Databases and DatabaseServers are in the REST API. */
export const databases = { group: apiGroup, version: apiVersion, plural: databaseKind.plural } as const;
export const databaseServers = { group: apiGroup, version: apiVersion, plural: databaseServerKind.plural } as const;
/** On a DatabaseServer: Databases are on it, so its deletion waits until they are gone (as Crossplane's ProviderConfigUsage). */
export const serverInUseFinalizer = 'dbuser.dev/server-in-use';
/** On a Database's default user (a DatabaseUser the operator creates): the Database it belongs to. */
export const defaultUserOfLabel = 'dbuser.dev/default-user-of';
/**
 * The label that assigns a DatabaseUser or Database to a shard (ADR 25): Flux's convention, so one
 * label can place an application's Flux objects and its database users on the same shard.
 */
export const shardKeyLabel = 'sharding.fluxcd.io/key';

/** Identifiers of the API that several layers share. */
export const apiGroup = 'dbuser.dev';
export const apiVersion = 'v1alpha1';
export const kind = 'DatabaseUser';
export const plural = 'databaseusers';
export const singular = 'databaseuser';
export const shortNames = ['dbu', 'dbuser'];

export const finalizerName = 'dbuser.dev/finalizer';
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

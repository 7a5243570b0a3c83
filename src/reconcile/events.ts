/** Reasons of the Events the operator records besides the Warnings that carry a Ready reason. */
export const eventReasons = {
  Created: 'Created',
  Updated: 'Updated',
  SecretUpdated: 'SecretUpdated',
  Deleted: 'Deleted',
  Retained: 'Retained',
  RoleNotDropped: 'RoleNotDropped',
  Expired: 'Expired',
  PasswordRotated: 'PasswordRotated',
  /** Warning: the credentials Secret held a password the operator did not write; it was not applied. */
  SecretPasswordRejected: 'SecretPasswordRejected',
} as const;

/** Event messages read like the provider's command line. */
export const eventMessages = {
  created: (username: string) => `User "${username}" created.`,
  updated: (username: string) => `User "${username}" updated.`,
  deleted: (username: string) => `User "${username}" deleted.`,
  secretUpdated: (secretName: string) => `Secret "${secretName}" updated.`,
  retained: (username: string) => `User "${username}" kept in PostgreSQL (deletionPolicy Retain).`,
  expired: (username: string, at: string) => `User "${username}" expired at ${at} (spec.ttl): deleting it.`,
  rotated: (username: string) => `User "${username}" password rotated (spec.passwordRotation).`,
  secretPasswordRejected: (secretName: string) =>
    `Secret "${secretName}" held a password not written by dbuser-operator and not the role's: it was not applied, and the Secret was written again.`,
  notDropped: (username: string) => `User "${username}" was not dropped: the role is not managed by this DatabaseUser.`,
};

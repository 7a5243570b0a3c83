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

/** The Events one applied change is told by: at most a Warning for a rejected Secret and one Normal. */
export function changeEvents(
  username: string,
  decision: { rejectedSecretPassword: boolean; secret: { name: string } | undefined; password: { kind: string; change?: string } },
  actions: readonly { kind: string }[],
): { type: 'Normal' | 'Warning'; reason: string; message: string }[] {
  const events: { type: 'Normal' | 'Warning'; reason: string; message: string }[] = [];
  if (decision.rejectedSecretPassword && decision.secret) {
    events.push({ type: 'Warning', reason: eventReasons.SecretPasswordRejected, message: eventMessages.secretPasswordRejected(decision.secret.name) });
  }
  const change = decision.password.kind === 'write' ? decision.password.change : undefined;
  if (actions.some((action) => action.kind === 'createRole'))
    events.push({ type: 'Normal', reason: eventReasons.Created, message: eventMessages.created(username) });
  else if (change === 'rotation') events.push({ type: 'Normal', reason: eventReasons.PasswordRotated, message: eventMessages.rotated(username) });
  else if (actions.length > 0 || (change !== undefined && change !== 'initial')) {
    events.push({ type: 'Normal', reason: eventReasons.Updated, message: eventMessages.updated(username) });
  } else if (decision.secret) events.push({ type: 'Normal', reason: eventReasons.SecretUpdated, message: eventMessages.secretUpdated(decision.secret.name) });
  return events;
}

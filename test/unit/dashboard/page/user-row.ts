import type { UserRow } from '../../../../src/dashboard/wire.js';

/** A Ready, read-write, unprotected row as the page receives it; `extra` changes what a test is about. */
export function userRow(username: string, extra: Partial<UserRow> = {}): UserRow {
  return {
    name: username.replaceAll('_', '-'),
    username,
    readOnly: false,
    protected: false,
    passwordEncryption: 'SCRAM-SHA-256',
    ready: 'True',
    reason: 'Reconciled',
    message: '',
    explanation: 'Ready.',
    deleting: false,
    ...extra,
  };
}

import type pg from 'pg';
import { formatMarker, groupRoleComment } from '../model/ownership-marker.js';
import type { PasswordEncryption } from '../model/password-encryption.js';
import type { RoleAction } from '../model/role-actions.js';
import { md5Verifier, scramSha256Verifier } from './password-hash.js';
import * as sql from './statements.js';

/** What PostgreSQL stores for `password`: the plaintext never leaves the operator. */
export async function verifier(password: string, username: string, encryption: PasswordEncryption): Promise<string> {
  return encryption === 'MD5' ? md5Verifier(password, username) : scramSha256Verifier(password);
}

/** The statements of one action, in order. The password becomes a verifier here and nowhere else. */
export async function statementsFor(action: RoleAction): Promise<string[]> {
  switch (action.kind) {
    case 'createGroup':
      return [sql.createGroup(action.group), sql.commentOnRole(action.group, groupRoleComment)];
    case 'grantGroupPrivileges':
      return sql.grantGroupPrivileges(action.access, action.group, action.database, action.databaseOwner);
    case 'createRole':
      return [
        sql.createRole(action.username, action.verifier ?? (await verifier(action.password, action.username, action.encryption))),
        sql.commentOnRole(action.username, formatMarker(action.marker)),
      ];
    case 'setPassword':
      return [sql.setPassword(action.username, action.verifier ?? (await verifier(action.password, action.username, action.encryption)))];
    case 'alterAttributes':
      return [sql.alterAttributes(action.username, action.changes)];
    case 'setMarker':
      return [sql.commentOnRole(action.username, formatMarker(action.marker))];
    case 'grantMembership':
      return [sql.grantMembership(action.group, action.username)];
    case 'revokeMembership':
      return [sql.revokeMembership(action.group, action.username)];
    case 'grantDefaultPrivileges':
      return sql.grantDefaultPrivileges(action.username, action.readwriteGroup, action.readonlyGroup);
    case 'revokeDefaultPrivileges':
      return sql.revokeDefaultPrivileges(action.username, action.readwriteGroup, action.readonlyGroup);
    case 'reassignOwned':
      return [sql.reassignOwned(action.username, action.to)];
    case 'holdRole':
      return [sql.grantRoleToAdmin(action.username)];
  }
}

/**
 * Runs the actions in order on a client that is inside a transaction and commits, as one
 * multi-statement query: one round trip for the whole plan (DDL takes no parameters, so nothing is
 * lost). A statement that fails aborts the rest, COMMIT included, and the transaction stays open for
 * the caller's ROLLBACK.
 */
export async function executeAndCommit(client: pg.ClientBase, actions: readonly RoleAction[]): Promise<void> {
  const statements: string[] = [];
  for (const action of actions) statements.push(...(await statementsFor(action)));
  await client.query([...statements, 'COMMIT'].join(';\n'));
}

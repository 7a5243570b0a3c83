import { createHash } from 'node:crypto';

export type Access = 'readonly' | 'readwrite';

const maxIdentifierBytes = 63;

/**
 * The NOLOGIN role through which every managed user of one database gets its privileges, e.g.
 * "dbuser-readonly@shop". Grants and default privileges go to the group once, so adding a user is
 * O(1) however many users share the database. The "-" and "@" cannot appear in a username, so a
 * group can never collide with a user. Names past PostgreSQL's 63 bytes get a hash suffix.
 */
export function groupRoleName(access: Access, database: string): string {
  const name = `dbuser-${access}@${database}`;
  if (Buffer.byteLength(name) <= maxIdentifierBytes) return name;
  const hash = createHash('sha256').update(database).digest('hex').slice(0, 8);
  let prefix = name;
  while (Buffer.byteLength(`${prefix}~${hash}`) > maxIdentifierBytes) prefix = prefix.slice(0, -1);
  return `${prefix}~${hash}`;
}

export const accessOf = (readOnly: boolean): Access => (readOnly ? 'readonly' : 'readwrite');
export const otherAccess = (access: Access): Access => (access === 'readonly' ? 'readwrite' : 'readonly');

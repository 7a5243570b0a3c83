/**
 * The line under the toolbar says what the person's own last action did ("User x created."), and only
 * while it is still true: it goes when the person starts something else, switches namespace, or the
 * table shows otherwise (the user created is being deleted or gone, the user deleted is back).
 * Changes made by others are announced to screen readers only (changes.ts); the table shows them.
 */
import type { UserRow } from '../wire.js';

export interface Notice {
  kind: 'created' | 'reset' | 'deleted';
  username: string;
  /** The user was in the table since the notice: its absence now means it went away. */
  seen?: boolean;
}

export function noticeText(notice: Notice): string {
  switch (notice.kind) {
    case 'created':
      return `User ${notice.username} created.`;
    case 'reset':
      return `The password of ${notice.username} was reset.`;
    case 'deleted':
      return `User ${notice.username} deleted.`;
  }
}

/**
 * The notice after a new snapshot of the table, or undefined when it is no longer true. The table may
 * lag behind the answer that made the notice (they come on two connections), so a user not listed
 * yet does not end a "created" notice; one that was listed and then is not, does.
 */
export function noticeAfter(notice: Notice, rows: readonly UserRow[]): Notice | undefined {
  const row = rows.find((candidate) => candidate.username === notice.username);
  if (notice.kind === 'deleted') return row !== undefined && !row.deleting ? undefined : notice;
  if (row === undefined) return notice.seen ? undefined : notice;
  if (row.deleting || row.ready === 'False') return undefined;
  return notice.seen ? notice : { ...notice, seen: true };
}

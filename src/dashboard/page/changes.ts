/**
 * What changed between two snapshots of the table, as short sentences for the screen reader's live
 * region: the table itself is not announced whole on every change. Users in `quiet` are those the
 * person is acting on: what happens to them is said by the person's own dialog and notice (notices.ts),
 * including a user that appeared and went again because the operator refused it.
 */
import type { UserRow } from '../wire.js';

export function describeChanges(before: readonly UserRow[] | undefined, after: readonly UserRow[], quiet: ReadonlySet<string> = new Set()): string[] {
  if (before === undefined) return [`${after.length} database ${after.length === 1 ? 'user' : 'users'} listed.`];
  const previous = new Map(before.map((row) => [row.name, row]));
  const current = new Set(after.map((row) => row.name));
  const sentences: string[] = [];
  for (const row of after) {
    if (quiet.has(row.username)) continue;
    const old = previous.get(row.name);
    if (old === undefined) sentences.push(`User ${row.username} added${row.ready === 'True' ? ' and ready' : ''}.`);
    else if (row.deleting && !old.deleting) sentences.push(`User ${row.username} is being deleted.`);
    else if (row.ready === 'True' && old.ready !== 'True') sentences.push(`User ${row.username} is ready.`);
    else if (row.ready === 'False' && (old.ready !== 'False' || old.reason !== row.reason))
      sentences.push(`User ${row.username} is not ready: ${row.explanation}`);
  }
  for (const row of before) if (!current.has(row.name) && !quiet.has(row.username)) sentences.push(`User ${row.username} removed.`);
  return sentences;
}

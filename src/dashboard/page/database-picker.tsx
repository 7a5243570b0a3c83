/** The Database whose users are shown (the provider's per-database Users tab), and a line about it. */
import type { DatabaseRow } from '../wire.js';
import { otherUsersKey, type ShownChoice } from './database-choice.js';

export function DatabasePicker({ databases, choice, onPick }: { databases: readonly DatabaseRow[]; choice: ShownChoice; onPick: (database: string) => void }) {
  return (
    <div class="database-picker">
      <label for="database">Database</label>
      <select
        id="database"
        value={choice.key}
        onChange={(event) => {
          onPick(event.currentTarget.value);
        }}
      >
        {databases.map((database) => (
          <option key={database.name} value={database.name}>
            {database.databaseName === '' || database.databaseName === database.name ? database.name : `${database.name} (${database.databaseName})`}
          </option>
        ))}
        {choice.otherUsers ? <option value={otherUsersKey}>Users on connections</option> : null}
      </select>
    </div>
  );
}

/** Where the database is and how it is: as a row of `kubectl dbuser databases`. */
export function DatabaseSummary({ database }: { database: DatabaseRow }) {
  const state = database.deleting
    ? 'Being deleted'
    : database.ready === 'True'
      ? 'Ready'
      : database.ready === 'False'
        ? `Not ready: ${database.reason}`
        : 'Pending';
  const parts = [
    `Database ${database.databaseName === '' ? '(not created yet)' : database.databaseName}`,
    database.server === '' ? undefined : `on server ${database.server}`,
    database.defaultUser === '' ? undefined : `default user ${database.defaultUser}`,
    database.users === undefined ? undefined : `${String(database.users)} ${database.users === 1 ? 'user' : 'users'}`,
  ].filter((part) => part !== undefined);
  return (
    <p class="database-summary" id="database-summary">
      {parts.join(' · ')} ·{' '}
      <span class={database.ready === 'True' ? 'status ready' : 'status pending'} title={database.message}>
        {state}
      </span>
    </p>
  );
}

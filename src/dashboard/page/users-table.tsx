/** The Database Users table: the provider's four columns, the operator's status, and the row actions. */
import { Fragment } from 'preact';
import type { UserRow } from '../wire.js';
import { ActionsMenu } from './actions-menu.js';
import { CopyButton } from './copy-button.js';

export interface UsersTableProps {
  namespace: string;
  users: readonly UserRow[] | undefined;
  onReset: (row: UserRow) => void;
  onDelete: (row: UserRow) => void;
}

/** An id for DOM elements of a row: metadata names are DNS names, so safe as they are. */
export function rowId(row: Pick<UserRow, 'name'>): string {
  return `user-${row.name}`;
}

/** The id of a row's "…" menu button (actions-menu.tsx appends "-button" to the row's id). */
export function menuButtonId(name: string): string {
  return `${rowId({ name })}-button`;
}

/** The table's id: focus goes to it when no row is left to hold it (tabIndex -1 makes it focusable). */
export const usersTableId = 'users-table';

/** How to switch protection off, as the command line says it (client/guards.ts). */
function unprotectCommand(row: UserRow, namespace: string): string {
  return `kubectl patch dbu ${row.name} -n ${namespace} --type merge -p '{"spec":{"protected":false}}'`;
}

function Status({ row }: { row: UserRow }) {
  if (row.deleting) return <span class="status pending">Deleting…</span>;
  if (row.ready === 'True')
    return (
      <span class="status ready" title={row.explanation}>
        Ready
      </span>
    );
  return (
    <details class="status-details">
      <summary class={row.ready === 'False' ? 'status failed' : 'status pending'}>{row.ready === 'False' ? `Not ready: ${row.reason}` : 'Pending'}</summary>
      <p>{row.explanation}</p>
      {row.message === '' ? null : <p class="operator-message">{row.message}</p>}
    </details>
  );
}

function Actions({ row, namespace, onReset, onDelete }: { row: UserRow } & Omit<UsersTableProps, 'users'>) {
  // A Database's default user cannot be unprotected at all (the admission policy): no command to offer.
  if (row.defaultUserOf !== undefined)
    return (
      <details class="protected-note">
        <summary>Default user: no reset or delete</summary>
        <p>
          The default user of Database {row.defaultUserOf} was created with it and goes only with it: its password cannot be reset and it cannot be deleted on
          its own, so the applications that depend on it keep working.
        </p>
      </details>
    );
  if (row.protected)
    return (
      <details class="protected-note">
        <summary>Protected: no reset or delete</summary>
        <p>
          A protected user's password cannot be reset and the user cannot be deleted, so the applications that depend on it keep working. To allow either,
          unprotect it first:
        </p>
        <div class="command">
          {/* Each word unbreakable, so the command wraps only between words (a browser also breaks after "-"). */}
          <code>
            {unprotectCommand(row, namespace)
              .split(' ')
              .map((word, index) => (
                <Fragment key={index}>
                  {index === 0 ? '' : ' '}
                  <span class="word">{word}</span>
                </Fragment>
              ))}
          </code>
          <CopyButton text={unprotectCommand(row, namespace)} what="the command" label={`Copy the command that unprotects ${row.username}`} />
        </div>
      </details>
    );
  if (row.deleting) return null;
  return (
    <ActionsMenu
      id={rowId(row)}
      label={`Actions for ${row.username}`}
      items={[
        {
          label: 'Reset password',
          onSelect: () => {
            onReset(row);
          },
        },
        {
          label: 'Delete user',
          onSelect: () => {
            onDelete(row);
          },
          danger: true,
        },
      ]}
    />
  );
}

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

export function UsersTable(props: UsersTableProps) {
  const { users } = props;
  return (
    <table id={usersTableId} tabIndex={-1} aria-busy={users === undefined}>
      <caption class="visually-hidden">Database users in namespace {props.namespace}</caption>
      <thead>
        <tr>
          <th scope="col">Username</th>
          <th scope="col">Read only</th>
          <th scope="col">Protected</th>
          <th scope="col">Password encryption</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {users === undefined ? (
          <tr>
            <td colSpan={6} class="empty">
              Loading…
            </td>
          </tr>
        ) : users.length === 0 ? (
          <tr>
            <td colSpan={6} class="empty">
              No database users in this namespace yet.
            </td>
          </tr>
        ) : (
          users.map((row) => (
            <tr key={row.name} id={rowId(row)}>
              <th scope="row" class="username">
                {row.username}
              </th>
              <td>{yesNo(row.readOnly)}</td>
              <td>{yesNo(row.protected)}</td>
              <td>{row.passwordEncryption}</td>
              <td>
                <Status row={row} />
              </td>
              <td class="actions">
                <Actions row={row} namespace={props.namespace} onReset={props.onReset} onDelete={props.onDelete} />
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

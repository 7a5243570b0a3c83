/** The Database Users page: the namespace and database pickers, the live table (server-sent events) and the dialogs. */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  problemEvent,
  usersEvent,
  type DatabaseRow,
  type NamespaceChoice,
  type NamespaceSnapshot,
  type PasswordResult,
  type Problem,
  type UserRow,
} from '../wire.js';
import { dashboardApi, usersEventsUrl } from './api.js';
import { AddUserDialog } from './add-user-dialog.js';
import { describeChanges } from './changes.js';
import { DeleteUserDialog, ResetPasswordDialog } from './confirm-dialogs.js';
import { Dialog } from './dialog.js';
import { DatabasePicker, DatabaseSummary } from './database-picker.js';
import { rowsOfChoice, settleDatabaseChoice } from './database-choice.js';
import { NamespacePicker } from './namespace-picker.js';
import { noticeAfter, noticeText, type Notice } from './notices.js';
import { PasswordOnce } from './password-once.js';
import { menuButtonId, UsersTable, usersTableId } from './users-table.js';

/** A create's answer with a generated password to show. */
type CreatedWithPassword = PasswordResult & { password: string };

type Open = { kind: 'add' } | { kind: 'reset'; row: UserRow } | { kind: 'delete'; row: UserRow } | { kind: 'created'; result: CreatedWithPassword } | undefined;

/** The namespace and database in the address (?namespace=&database=), so a reload shows the same ones. */
function inAddress(parameter: 'namespace' | 'database'): string | undefined {
  return new URLSearchParams(location.search).get(parameter) ?? undefined;
}

function setAddress(namespace: string, database: string | undefined): void {
  const query = new URLSearchParams({ namespace, ...(database === undefined ? {} : { database }) });
  history.replaceState(null, '', `?${query.toString()}`);
}

/** Follows the namespace's users and Databases; `onSnapshot` hears each snapshot (the page filters the rows it shows). */
function useLiveNamespace(namespace: string | undefined, onSnapshot: (snapshot: NamespaceSnapshot) => void) {
  const [snapshot, setSnapshot] = useState<NamespaceSnapshot | undefined>();
  const [problem, setProblem] = useState('');
  // The latest handler: the stream is opened once per namespace, the page's state moves on.
  const handler = useRef(onSnapshot);
  handler.current = onSnapshot;
  useEffect(() => {
    if (namespace === undefined) return;
    setSnapshot(undefined);
    const events = new EventSource(usersEventsUrl(namespace));
    events.addEventListener(usersEvent, (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as NamespaceSnapshot;
      setSnapshot(next);
      setProblem('');
      handler.current(next);
    });
    events.addEventListener(problemEvent, (event) => {
      setProblem((JSON.parse((event as MessageEvent<string>).data) as Problem).error);
    });
    events.onerror = () => {
      setProblem('Lost the connection to "kubectl dbuser dashboard"; reconnecting… (is it still running?)');
    };
    return () => {
      events.close();
    };
  }, [namespace]);
  return { snapshot, problem };
}

/** The rows after `row`, then those before it, nearest first: where focus goes once it is deleted. */
function neighboursOf(rows: readonly UserRow[] | undefined, row: UserRow): string[] {
  const names = (rows ?? []).map((candidate) => candidate.name);
  const at = names.indexOf(row.name);
  return at === -1 ? [] : [...names.slice(at + 1), ...names.slice(0, at).reverse()];
}

/** The first neighbour whose menu button is still on the page, else the table. */
function focusTargetAfterDelete(neighbours: readonly string[]): HTMLElement | null {
  for (const name of neighbours) {
    const button = document.getElementById(menuButtonId(name));
    if (button) return button;
  }
  return document.getElementById(usersTableId);
}

export function App() {
  const [namespaces, setNamespaces] = useState<NamespaceChoice | undefined>();
  const [namespace, setNamespace] = useState<string | undefined>(inAddress('namespace'));
  // The Database picked (or in the address); the one shown is settled against the namespace's Databases.
  const [pickedDatabase, setPickedDatabase] = useState<string | undefined>(inAddress('database'));
  // What the person's own last action did (visible), and the table's other news (for screen readers).
  const [notice, setNotice] = useState<Notice | undefined>();
  const [tableNews, setTableNews] = useState('');
  const [sending, setSending] = useState<string | undefined>();
  const [failure, setFailure] = useState('');
  const [open, setOpen] = useState<Open>(undefined);
  // The rows around the one being deleted, nearest first: read after the dialog has closed.
  const deleteNeighbours = useRef<string[]>([]);

  // Usernames the Add form sent, until the table has settled on them: a refused user comes and goes
  // on the table's stream, which may lag behind the answer that said it was refused.
  const attempted = useRef(new Set<string>());
  // The users the person is acting on: their changes are told by the dialogs and the notice.
  const acting = new Set(
    [
      notice?.username,
      sending,
      ...attempted.current,
      open?.kind === 'reset' || open?.kind === 'delete' ? open.row.username : undefined,
      open?.kind === 'created' ? open.result.username : undefined,
    ].filter((username) => username !== undefined),
  );
  // The rows the table showed last, and for which choice: the news is about what the person sees.
  const previous = useRef<{ choice: string | undefined; rows: UserRow[] } | undefined>(undefined);
  const { snapshot, problem } = useLiveNamespace(namespace, (next) => {
    const choice = settleDatabaseChoice(next.databases, pickedDatabase, next.users);
    const rows = rowsOfChoice(next.users, choice);
    const last = previous.current;
    const before = last !== undefined && last.choice === choice.key ? last.rows : undefined;
    previous.current = { choice: choice.key, rows };
    setNotice((current) => (current === undefined ? undefined : noticeAfter(current, rows)));
    const changes = describeChanges(before, rows, acting);
    if (changes.length > 0) setTableNews(changes.join(' '));
    for (const username of attempted.current) {
      const shown = next.users.find((row) => row.username === username);
      if (username !== sending && (shown === undefined || shown.ready === 'True')) attempted.current.delete(username);
    }
  });
  const choice = snapshot === undefined ? undefined : settleDatabaseChoice(snapshot.databases, pickedDatabase, snapshot.users);
  const users = snapshot === undefined || choice === undefined ? undefined : rowsOfChoice(snapshot.users, choice);
  const database: DatabaseRow | undefined = choice?.database;
  const sendingFromForm = (username: string | undefined) => {
    if (username !== undefined) attempted.current.add(username);
    setSending(username);
  };

  useEffect(() => {
    dashboardApi
      .namespaces()
      .then((found) => {
        setNamespaces(found);
        setNamespace((current) => current ?? found.current);
      })
      .catch((error: unknown) => {
        setFailure(error instanceof Error ? error.message : String(error));
      });
  }, []);

  const pick = (next: string) => {
    setAddress(next, undefined);
    attempted.current.clear();
    previous.current = undefined;
    setNotice(undefined);
    setTableNews('');
    setPickedDatabase(undefined);
    setNamespace(next);
  };
  const pickDatabase = (next: string) => {
    if (namespace !== undefined) setAddress(namespace, next);
    setNotice(undefined);
    setTableNews('');
    setPickedDatabase(next);
  };
  const close = () => {
    setOpen(undefined);
  };
  /** Opening a dialog starts something new: the notice of the last action is no longer the news. */
  const start = (next: Exclude<Open, undefined>) => {
    setNotice(undefined);
    setOpen(next);
  };
  const created = (result: PasswordResult) => {
    setSending(undefined);
    if (result.password === undefined) {
      close();
      setNotice({ kind: 'created', username: result.username });
    } else {
      setOpen({ kind: 'created', result: { ...result, password: result.password } });
    }
  };

  return (
    <>
      <header class="top">
        <h1>Database Users</h1>
        {namespace === undefined ? null : <NamespacePicker choice={namespaces} namespace={namespace} onPick={pick} />}
        {snapshot === undefined || choice === undefined || snapshot.databases.length === 0 ? null : (
          <DatabasePicker databases={snapshot.databases} choice={choice} onPick={pickDatabase} />
        )}
      </header>
      <main>
        {database === undefined ? null : <DatabaseSummary database={database} />}
        <div class="toolbar">
          <h2 id="users-heading">{database === undefined ? `Users in ${namespace ?? '…'}` : `Users of ${database.name}`}</h2>
          <button
            type="button"
            id="add-user"
            class="primary"
            disabled={namespace === undefined}
            onClick={() => {
              start({ kind: 'add' });
            }}
          >
            Add a database user
          </button>
        </div>
        <p role="status" aria-live="polite" class="announcement">
          {notice === undefined ? '' : noticeText(notice)}
        </p>
        <p role="status" aria-live="polite" class="visually-hidden" id="table-news">
          {tableNews}
        </p>
        <div role="alert" class="error-area">
          {failure || problem ? <p class="error">{failure || problem}</p> : null}
        </div>
        {namespace === undefined ? null : (
          <UsersTable
            namespace={namespace}
            users={users}
            onReset={(row) => {
              start({ kind: 'reset', row });
            }}
            onDelete={(row) => {
              deleteNeighbours.current = neighboursOf(users, row);
              start({ kind: 'delete', row });
            }}
          />
        )}
      </main>
      {namespace === undefined ? null : (
        <>
          <AddUserDialog
            open={open?.kind === 'add'}
            namespace={namespace}
            database={database}
            onClose={close}
            onCreated={created}
            onSending={sendingFromForm}
          />
          <ResetPasswordDialog
            namespace={namespace}
            row={open?.kind === 'reset' ? open.row : undefined}
            onClose={close}
            onReset={(username) => {
              setNotice({ kind: 'reset', username });
            }}
          />
          <DeleteUserDialog
            namespace={namespace}
            row={open?.kind === 'delete' ? open.row : undefined}
            onClose={close}
            onDeleted={(username) => {
              close();
              setNotice({ kind: 'deleted', username });
            }}
            focusAfterDelete={() => focusTargetAfterDelete(deleteNeighbours.current)}
          />
          <Dialog
            open={open?.kind === 'created'}
            titleId="created-title"
            title={`User ${open?.kind === 'created' ? open.result.username : ''} created`}
            onClose={close}
            fallbackFocus="add-user"
          >
            {open?.kind === 'created' ? <PasswordOnce username={open.result.username} password={open.result.password} notReady={open.result.notReady} /> : null}
            <div class="buttons">
              <button
                type="button"
                class="primary"
                onClick={() => {
                  if (open?.kind === 'created') setNotice({ kind: 'created', username: open.result.username });
                  close();
                }}
              >
                Done
              </button>
            </div>
          </Dialog>
        </>
      )}
    </>
  );
}

/** The Database Users page: the namespace picker, the live table (server-sent events) and the dialogs. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { problemEvent, usersEvent, type NamespaceChoice, type PasswordResult, type Problem, type UserRow } from '../wire.js';
import { dashboardApi, usersEventsUrl } from './api.js';
import { AddUserDialog } from './add-user-dialog.js';
import { describeChanges } from './changes.js';
import { DeleteUserDialog, ResetPasswordDialog } from './confirm-dialogs.js';
import { Dialog } from './dialog.js';
import { NamespacePicker } from './namespace-picker.js';
import { noticeAfter, noticeText, type Notice } from './notices.js';
import { PasswordOnce } from './password-once.js';
import { menuButtonId, UsersTable, usersTableId } from './users-table.js';

/** A create's answer with a generated password to show. */
type CreatedWithPassword = PasswordResult & { password: string };

type Open = { kind: 'add' } | { kind: 'reset'; row: UserRow } | { kind: 'delete'; row: UserRow } | { kind: 'created'; result: CreatedWithPassword } | undefined;

/** The namespace in the address (?namespace=), so a reload shows the same one. */
function namespaceInAddress(): string | undefined {
  return new URLSearchParams(location.search).get('namespace') ?? undefined;
}

/** Follows the namespace's users; `onRows` hears each snapshot with the one before it (undefined: the first). */
function useLiveUsers(namespace: string | undefined, onRows: (before: UserRow[] | undefined, rows: UserRow[]) => void) {
  const [users, setUsers] = useState<UserRow[] | undefined>();
  const [problem, setProblem] = useState('');
  const previous = useRef<UserRow[] | undefined>(undefined);
  // The latest handler: the stream is opened once per namespace, the page's state moves on.
  const handler = useRef(onRows);
  handler.current = onRows;
  useEffect(() => {
    if (namespace === undefined) return;
    setUsers(undefined);
    previous.current = undefined;
    const events = new EventSource(usersEventsUrl(namespace));
    events.addEventListener(usersEvent, (event) => {
      const rows = JSON.parse((event as MessageEvent<string>).data) as UserRow[];
      const before = previous.current;
      previous.current = rows;
      setUsers(rows);
      setProblem('');
      handler.current(before, rows);
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
  return { users, problem };
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
  const [choice, setChoice] = useState<NamespaceChoice | undefined>();
  const [namespace, setNamespace] = useState<string | undefined>(namespaceInAddress());
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
  const { users, problem } = useLiveUsers(namespace, (before, rows) => {
    setNotice((current) => (current === undefined ? undefined : noticeAfter(current, rows)));
    const changes = describeChanges(before, rows, acting);
    if (changes.length > 0) setTableNews(changes.join(' '));
    for (const username of attempted.current) {
      const shown = rows.find((row) => row.username === username);
      if (username !== sending && (shown === undefined || shown.ready === 'True')) attempted.current.delete(username);
    }
  });
  const sendingFromForm = (username: string | undefined) => {
    if (username !== undefined) attempted.current.add(username);
    setSending(username);
  };

  useEffect(() => {
    dashboardApi
      .namespaces()
      .then((found) => {
        setChoice(found);
        setNamespace((current) => current ?? found.current);
      })
      .catch((error: unknown) => {
        setFailure(error instanceof Error ? error.message : String(error));
      });
  }, []);

  const pick = (next: string) => {
    history.replaceState(null, '', `?namespace=${encodeURIComponent(next)}`);
    attempted.current.clear();
    setNotice(undefined);
    setTableNews('');
    setNamespace(next);
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
        {namespace === undefined ? null : <NamespacePicker choice={choice} namespace={namespace} onPick={pick} />}
      </header>
      <main>
        <div class="toolbar">
          <h2 id="users-heading">Users in {namespace ?? '…'}</h2>
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
          <AddUserDialog open={open?.kind === 'add'} namespace={namespace} onClose={close} onCreated={created} onSending={sendingFromForm} />
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

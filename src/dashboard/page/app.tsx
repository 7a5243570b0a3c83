/** The Database Users page: the namespace picker, the live table (server-sent events) and the dialogs. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { problemEvent, usersEvent, type NamespaceChoice, type PasswordResult, type Problem, type UserRow } from '../wire.js';
import { dashboardApi, usersEventsUrl } from './api.js';
import { AddUserDialog } from './add-user-dialog.js';
import { describeChanges } from './changes.js';
import { DeleteUserDialog, ResetPasswordDialog } from './confirm-dialogs.js';
import { Dialog } from './dialog.js';
import { NamespacePicker } from './namespace-picker.js';
import { PasswordOnce } from './password-once.js';
import { UsersTable } from './users-table.js';

type Open =
  { kind: 'add' } | { kind: 'reset'; row: UserRow } | { kind: 'delete'; row: UserRow } | { kind: 'created'; result: Required<PasswordResult> } | undefined;

/** The namespace in the address (?namespace=), so a reload shows the same one. */
function namespaceInAddress(): string | undefined {
  return new URLSearchParams(location.search).get('namespace') ?? undefined;
}

/** Follows the namespace's users; announces what changed. */
function useLiveUsers(namespace: string | undefined, announce: (text: string) => void) {
  const [users, setUsers] = useState<UserRow[] | undefined>();
  const [problem, setProblem] = useState('');
  const previous = useRef<UserRow[] | undefined>(undefined);
  useEffect(() => {
    if (namespace === undefined) return;
    setUsers(undefined);
    previous.current = undefined;
    const events = new EventSource(usersEventsUrl(namespace));
    events.addEventListener(usersEvent, (event) => {
      const rows = JSON.parse((event as MessageEvent<string>).data) as UserRow[];
      const changes = describeChanges(previous.current, rows);
      previous.current = rows;
      setUsers(rows);
      setProblem('');
      if (changes.length > 0) announce(changes.join(' '));
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

export function App() {
  const [choice, setChoice] = useState<NamespaceChoice | undefined>();
  const [namespace, setNamespace] = useState<string | undefined>(namespaceInAddress());
  const [announcement, setAnnouncement] = useState('');
  const [failure, setFailure] = useState('');
  const [open, setOpen] = useState<Open>(undefined);
  const { users, problem } = useLiveUsers(namespace, setAnnouncement);

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
    setNamespace(next);
  };
  const close = () => {
    setOpen(undefined);
  };
  const created = (result: PasswordResult) => {
    if (result.password === undefined) {
      close();
      setAnnouncement(`User ${result.username} created.`);
    } else {
      setOpen({ kind: 'created', result: { username: result.username, password: result.password } });
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
              setOpen({ kind: 'add' });
            }}
          >
            Add a database user
          </button>
        </div>
        <p role="status" aria-live="polite" class="announcement">
          {announcement}
        </p>
        <div role="alert" class="error-area">
          {failure || problem ? <p class="error">{failure || problem}</p> : null}
        </div>
        {namespace === undefined ? null : (
          <UsersTable
            namespace={namespace}
            users={users}
            onReset={(row) => {
              setOpen({ kind: 'reset', row });
            }}
            onDelete={(row) => {
              setOpen({ kind: 'delete', row });
            }}
          />
        )}
      </main>
      {namespace === undefined ? null : (
        <>
          <AddUserDialog open={open?.kind === 'add'} namespace={namespace} onClose={close} onCreated={created} />
          <ResetPasswordDialog namespace={namespace} row={open?.kind === 'reset' ? open.row : undefined} onClose={close} />
          <DeleteUserDialog
            namespace={namespace}
            row={open?.kind === 'delete' ? open.row : undefined}
            onClose={close}
            onDeleted={(username) => {
              close();
              setAnnouncement(`User ${username} deleted.`);
            }}
          />
          <Dialog
            open={open?.kind === 'created'}
            titleId="created-title"
            title={`User ${open?.kind === 'created' ? open.result.username : ''} created`}
            onClose={close}
            fallbackFocus="add-user"
          >
            {open?.kind === 'created' ? <PasswordOnce username={open.result.username} password={open.result.password} /> : null}
            <div class="buttons">
              <button type="button" class="primary" onClick={close}>
                Done
              </button>
            </div>
          </Dialog>
        </>
      )}
    </>
  );
}

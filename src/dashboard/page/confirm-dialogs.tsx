/** Reset password (confirm, then the new one shown once) and Delete user (confirm by typing the username). */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { PasswordResult, UserRow } from '../wire.js';
import { Outcome, useAction } from './action.js';
import { dashboardApi } from './api.js';
import { Dialog } from './dialog.js';
import { PasswordOnce } from './password-once.js';
import { menuButtonId, usersTableId } from './users-table.js';

export function ResetPasswordDialog({
  namespace,
  row,
  onClose,
  onReset,
}: {
  namespace: string;
  row: UserRow | undefined;
  onClose: () => void;
  /** The new password was shown and the person is done with it. */
  onReset: (username: string) => void;
}) {
  const { busy, failure, run, clear } = useAction();
  const [result, setResult] = useState<PasswordResult | undefined>();
  const close = () => {
    setResult(undefined);
    clear();
    onClose();
  };
  const done = (username: string) => {
    close();
    onReset(username);
  };
  const fallback = row ? menuButtonId(row.name) : 'add-user';
  return (
    <Dialog
      open={row !== undefined}
      titleId="reset-title"
      title={`Reset the password of ${row?.username ?? ''}`}
      onClose={close}
      busy={busy}
      fallbackFocus={fallback}
    >
      {result?.password !== undefined ? (
        <>
          <PasswordOnce username={result.username} password={result.password} notReady={result.notReady} />
          <div class="buttons">
            <button
              type="button"
              class="primary"
              onClick={() => {
                done(result.username);
              }}
            >
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          <p>A new password is generated and the current one stops working. Applications that use it need the new one.</p>
          <Outcome busy={busy} failure={failure} progress="Resetting; waiting for the operator to apply the new password…" />
          <div class="buttons">
            <button type="button" onClick={close} disabled={busy} autofocus>
              Cancel
            </button>
            {/* aria-disabled, not disabled, while it runs: a disabled button drops the focus to the page. */}
            <button
              type="button"
              class="primary"
              aria-disabled={busy}
              onClick={() => {
                if (busy || !row) return;
                void run(async () => {
                  setResult(await dashboardApi.resetPassword(namespace, row.name));
                });
              }}
            >
              Reset password
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

export function DeleteUserDialog({
  namespace,
  row,
  onClose,
  onDeleted,
  focusAfterDelete,
}: {
  namespace: string;
  row: UserRow | undefined;
  onClose: () => void;
  onDeleted: (username: string) => void;
  /** Where focus goes once the user is deleted (its row and menu button go): a neighbour's menu button, else the table. */
  focusAfterDelete: () => HTMLElement | null | undefined;
}) {
  const { busy, failure, run, clear } = useAction();
  const [typed, setTyped] = useState('');
  // Whether this opening of the dialog ended in a deletion (read when it closes).
  const deleted = useRef(false);
  useLayoutEffect(() => {
    if (row !== undefined) deleted.current = false;
  }, [row]);
  const close = () => {
    setTyped('');
    clear();
    onClose();
  };
  const username = row?.username ?? '';
  return (
    <Dialog
      open={row !== undefined}
      titleId="delete-title"
      title={`Delete user ${username}`}
      onClose={close}
      busy={busy}
      fallbackFocus={usersTableId}
      focusOnClose={() => (deleted.current ? focusAfterDelete() : undefined)}
    >
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (busy || !row || typed !== username) return;
          void run(async () => {
            await dashboardApi.deleteUser(namespace, row.name);
            deleted.current = true;
            setTyped('');
            onDeleted(username);
          });
        }}
      >
        <p>The role is dropped from PostgreSQL; what it owns goes to the database owner. This cannot be undone.</p>
        <div class="field">
          <label for="delete-confirm">Type {username} to confirm</label>
          <input
            id="delete-confirm"
            value={typed}
            autocomplete="off"
            spellcheck={false}
            autofocus
            onInput={(event) => {
              setTyped(event.currentTarget.value);
            }}
          />
        </div>
        <Outcome busy={busy} failure={failure} progress="Deleting; waiting for the operator to drop the role…" />
        <div class="buttons">
          <button type="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={typed !== username} aria-disabled={busy}>
            Delete user
          </button>
        </div>
      </form>
    </Dialog>
  );
}

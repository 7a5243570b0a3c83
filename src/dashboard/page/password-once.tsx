/**
 * A password shown once: masked until revealed, with a copy button; nothing of it is kept after
 * closing. Revealed, it is a read-only text area that wraps, so all 64 characters of a generated
 * password are in view whatever the width of the window (a text field would hide a third of them).
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { CopyButton } from './copy-button.js';

export function PasswordOnce({ username, password, notReady }: { username: string; password: string; notReady?: string | undefined }) {
  const [shown, setShown] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // In a dialog already open (Reset), autofocus does not apply: the button that was pressed is gone.
  // A layout effect, so the password has focus as soon as it is shown.
  useLayoutEffect(() => {
    input.current?.focus();
  }, []);
  const common = { id: 'password-once', readOnly: true, value: password, autocomplete: 'off', spellcheck: false };
  return (
    <div class="password-once">
      {/* The wait ended before the operator finished: said first, as it changes what the password is good for now. */}
      {notReady === undefined ? null : <p class="warning not-ready">{notReady}</p>}
      <label for="password-once">New password of {username}</label>
      {shown ? <textarea {...common} class="password-text" rows={2} /> : <input ref={input} type="password" {...common} class="password-text" autofocus />}
      <div class="password-buttons">
        <button
          type="button"
          aria-pressed={shown}
          onClick={() => {
            setShown(!shown);
          }}
        >
          {shown ? 'Hide' : 'Show'}
        </button>
        <CopyButton text={password} what="the password" />
      </div>
      <p class="warning">This password is shown only this once. Copy it now; it is also stored in the user's credentials Secret in the cluster.</p>
    </div>
  );
}

/**
 * A modal dialog on the native <dialog>: showModal() keeps focus inside and Escape closes it; on
 * close, focus goes where `focusOnClose` says if it says so (after a delete: a neighbour of the row),
 * else back to what opened it, else to `fallbackFocus` when that is gone or was never an element of
 * the page (focus had already fallen to the body).
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

export interface DialogProps {
  open: boolean;
  titleId: string;
  title: string;
  onClose: () => void;
  /** While an action runs, Escape does not close. */
  busy?: boolean;
  fallbackFocus: string;
  /** Decides where focus goes on close, before the opener is considered; undefined: the default. */
  focusOnClose?: () => HTMLElement | null | undefined;
  children: ComponentChildren;
}

export function Dialog({ open, titleId, title, onClose, busy = false, fallbackFocus, focusOnClose, children }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const restoreFocus = () => {
    const back = opener.current;
    const usable = back instanceof HTMLElement && back.isConnected && back !== document.body;
    const target = focusOnClose?.() ?? (usable ? back : document.getElementById(fallbackFocus));
    target?.focus();
  };
  // A layout effect: focus moves in the same task as the key or click that opened or closed the
  // dialog, so a key pressed right after lands inside it (an effect would run a frame later).
  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement;
      element.showModal();
    } else if (!open && element.open) {
      element.close();
      restoreFocus();
    }
  }, [open]);
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

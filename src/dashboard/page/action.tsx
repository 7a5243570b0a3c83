/** A dialog's one action at a time: its progress while it runs and its failure afterwards. */
import { useState } from 'preact/hooks';

/** Runs one action at a time and keeps its failure for display; `clear` forgets it (on close). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure('');
    try {
      await action();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const clear = () => {
    setFailure('');
  };
  return { busy, failure, run, clear };
}

/** The action's progress (announced politely) and its failure (an alert). */
export function Outcome({ busy, failure, progress }: { busy: boolean; failure: string; progress: string }) {
  return (
    <>
      <p role="status" class="progress">
        {busy ? progress : ''}
      </p>
      {failure ? (
        <p role="alert" class="error">
          {failure}
        </p>
      ) : null}
    </>
  );
}

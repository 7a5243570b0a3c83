import type { Logger } from '../runtime/logger.js';
import { describeError } from '../runtime/describe-error.js';
import type { EventRecord } from '../model/event-record.js';
import type { OperatorApi } from './operator-api.js';

/**
 * Records Events without making the reconcile wait or fail for them: an Event that cannot be
 * written is logged and dropped, as client-go's recorder does.
 */
export class EventRecorder {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly resources: OperatorApi,
    private readonly logger: Logger,
    /** Called with how long each Event write took (metrics); nothing waits for it. */
    private readonly onWritten?: (ms: number) => void,
  ) {}

  record(event: EventRecord): void {
    const started = performance.now();
    const write = this.resources
      .createEvent(event)
      .then(() => this.onWritten?.(performance.now() - started))
      .catch((error: unknown) => {
        this.logger.warn({ namespace: event.namespace, name: event.involved.name, reason: event.reason, err: describeError(error) }, 'could not record event');
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for Events still being written (at shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

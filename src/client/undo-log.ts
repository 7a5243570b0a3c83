import { messageOf } from './operation-failed.js';

/**
 * What a command has created or changed so far, with how to take each back: when the operator
 * refuses the result, the command leaves the cluster as it found it (newest change first).
 */
export class UndoLog {
  private readonly steps: { what: string; undo: () => Promise<void> }[] = [];

  add(what: string, undo: () => Promise<void>): void {
    this.steps.push({ what, undo });
  }

  /** Undoes every step; returns what was undone and what could not be (with why). */
  async undoAll(): Promise<{ undone: string[]; failed: string[] }> {
    const undone: string[] = [];
    const failed: string[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step.undo();
        undone.push(step.what);
      } catch (error) {
        failed.push(`${step.what}: ${messageOf(error)}`);
      }
    }
    this.steps.length = 0;
    return { undone, failed };
  }
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NodeNamespaces } from './node-namespaces.js';

const execFileAsync = promisify(execFile);

/** Runs a short command inside the node's namespaces; throws with its stderr on failure. */
export async function execInNode(namespaces: NodeNamespaces, command: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const [wrapper, wrapped] = namespaces.enter(command, args);
  try {
    const { stdout } = await execFileAsync(wrapper, wrapped, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`${command} ${args.join(' ')} failed inside the node: ${stderr || String(error)}`, { cause: error });
  }
}

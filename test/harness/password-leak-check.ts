import { KubeConfig, Watch } from '@kubernetes/client-node';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Collects every value any Secret has held under a "password" key during the run (a watch sees
 * every version, not only the last), and every admin password, so the suite can prove at the end
 * that none of them reached the PostgreSQL log or an operator log.
 */
export class PasswordLeakCheck {
  private readonly passwords = new Set<string>();
  private controller: AbortController | undefined;

  constructor(private readonly kubeconfigPath: string) {}

  /** The password in every Unicode form it may be logged in (the prepared SCRAM form is NFKC). */
  add(password: string): void {
    if (password.length < 8) return;
    for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD'] as const) this.passwords.add(password.normalize(form));
    this.passwords.add(password);
  }

  async start(): Promise<void> {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(this.kubeconfigPath);
    const watch = new Watch(kubeConfig);
    const restart = (): void => {
      void this.start();
    };
    this.controller = await watch.watch(
      '/api/v1/secrets',
      { allowWatchBookmarks: true },
      (_type, secret: { data?: Record<string, string> }) => {
        for (const [key, value] of Object.entries(secret.data ?? {})) {
          if (key === 'password') this.add(Buffer.from(value, 'base64').toString('utf8'));
        }
      },
      (error: unknown) => {
        // The watch times out or is closed by the server: resume, unless we stopped it.
        if (this.controller && !this.controller.signal.aborted && error !== null) restart();
      },
    );
  }

  stop(): void {
    const controller = this.controller;
    this.controller = undefined;
    controller?.abort();
  }

  /** Scans the files; returns "<file>: a password from a Secret" lines (never the password itself). */
  scan(files: string[]): { passwords: number; files: number; leaks: string[] } {
    const leaks: string[] = [];
    const existing = files.filter((file) => existsSync(file));
    for (const file of existing) {
      const text = readFileSync(file, 'utf8');
      let count = 0;
      for (const password of this.passwords) {
        if (text.includes(password) || text.includes(encodeURIComponent(password))) count++;
      }
      if (count > 0) leaks.push(`${file}: ${count} password(s) from Secrets appear in it`);
    }
    return { passwords: this.passwords.size, files: existing.length, leaks };
  }
}

export function logFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => entry.endsWith('.log'))
    .map((entry) => path.join(dir, entry));
}

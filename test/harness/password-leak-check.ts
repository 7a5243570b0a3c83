import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface WatchedSecret {
  metadata?: { resourceVersion?: string };
  data?: Record<string, string>;
}

/**
 * Collects every value any Secret has held under a "password" key during the run (a watch sees
 * every version, not only the last), and every admin password, so the suite can prove at the end
 * that none of them reached the PostgreSQL log or an operator log. The watch resumes from the last
 * resourceVersion it saw whenever it ends (a loaded API server closes watches), so no version is
 * missed; a final list at the end catches whatever a relist after 410 Gone would have skipped.
 */
export class PasswordLeakCheck {
  private readonly passwords = new Set<string>();
  private kubeConfig: KubeConfig | undefined;
  private controller: AbortController | undefined;
  private stopped = false;
  private resourceVersion: string | undefined;

  constructor(private readonly kubeconfigPath: string) {}

  /** The password in every Unicode form it may be logged in (the prepared SCRAM form is NFKC). */
  add(password: string): void {
    if (password.length < 8) return;
    for (const form of ['NFC', 'NFD', 'NFKC', 'NFKD'] as const) this.passwords.add(password.normalize(form));
    this.passwords.add(password);
  }

  async start(): Promise<void> {
    this.kubeConfig = new KubeConfig();
    this.kubeConfig.loadFromFile(this.kubeconfigPath);
    await this.watch();
  }

  private async watch(): Promise<void> {
    if (this.stopped || !this.kubeConfig) return;
    // First, and after 410 Gone: a list, whose version the watch starts from.
    this.resourceVersion ??= await this.collectListed();
    const resume = (): void => {
      if (this.stopped) return;
      setTimeout(() => void this.watch().catch(resume), 200).unref();
    };
    this.controller = await new Watch(this.kubeConfig).watch(
      '/api/v1/secrets',
      { allowWatchBookmarks: true, ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}) },
      (type, secret: WatchedSecret) => {
        // 410 Gone: the version is too old to resume from; the next watch lists again first.
        if (type === 'ERROR') {
          this.resourceVersion = undefined;
          return;
        }
        this.resourceVersion = secret.metadata?.resourceVersion ?? this.resourceVersion;
        if (type !== 'BOOKMARK') this.collect(secret);
      },
      () => {
        resume();
      },
    );
  }

  /** Stops the watch, after one last list of every Secret. */
  async stop(): Promise<void> {
    if (this.kubeConfig) await this.collectListed();
    this.stopped = true;
    this.controller?.abort();
  }

  private async collectListed(): Promise<string | undefined> {
    if (!this.kubeConfig) return undefined;
    const list = await this.kubeConfig.makeApiClient(CoreV1Api).listSecretForAllNamespaces();
    for (const secret of list.items) this.collect(secret);
    return list.metadata?.resourceVersion;
  }

  private collect(secret: WatchedSecret): void {
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      if (key === 'password') this.add(Buffer.from(value, 'base64').toString('utf8'));
    }
  }

  /** Every text a leak would show: each form of each password, as is and percent-encoded. */
  patterns(): string[] {
    return [...new Set([...this.passwords].flatMap((password) => [password, encodeURIComponent(password)]))];
  }

  get size(): number {
    return this.passwords.size;
  }

  /** Scans the files; returns "<file>: a password from a Secret" lines (never the password itself). */
  scan(files: string[]): { passwords: number; files: number; leaks: string[] } {
    const leaks: string[] = [];
    const existing = files.filter((file) => existsSync(file));
    const patterns = this.patterns();
    for (const file of existing) {
      const text = readFileSync(file, 'utf8');
      let count = 0;
      for (const pattern of patterns) {
        if (text.includes(pattern)) count++;
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

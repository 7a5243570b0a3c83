import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * A response body read as it arrives, from the moment the request is sent: chunks are kept until a
 * reader asks for the whole text or for its lines. Cheaper per request than an async iterator (about
 * 0.1 ms of CPU at the API server's response sizes), and an HTTP/2 stream read late can close
 * before its end (Node 24 reports "Premature close" for a few of 300 concurrent GETs).
 */
export class ResponseBody {
  private readonly chunks: Buffer[] = [];
  private onChunk: ((chunk: Buffer) => void) | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly stream: Readable) {
    this.done = new Promise((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        if (this.onChunk) this.onChunk(chunk);
        else this.chunks.push(chunk);
      });
      stream.once('end', resolve);
      stream.once('error', reject);
      // After 'end' this changes nothing; before it, the body was cut off.
      stream.once('close', () => {
        reject(new Error('the API server closed the response before its end'));
      });
    });
    // Observed by text() or lines(); a body nobody reads (cancelled) must not fail the process.
    this.done.catch(() => undefined);
  }

  async text(): Promise<string> {
    await this.done;
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /**
   * Calls `onLine` for each newline-terminated line, in order, until the body ends (resolves) or
   * fails, or `onLine` throws (rejects with that error and stops reading).
   */
  async lines(onLine: (line: string) => void): Promise<void> {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    let failure: { error: unknown } | undefined;
    const feed = (chunk: Buffer): void => {
      if (failure) return;
      const parts = (partial + decoder.write(chunk)).split('\n');
      partial = parts.pop() ?? '';
      try {
        for (const line of parts) onLine(line);
      } catch (error) {
        failure = { error };
        this.cancel();
      }
    };
    for (const chunk of this.chunks.splice(0)) feed(chunk);
    this.onChunk = feed;
    try {
      await this.done;
    } catch (error) {
      throw failure ? failure.error : error;
    }
    if (failure) throw failure.error;
    const last = partial + decoder.end();
    if (last !== '') onLine(last);
  }

  /** Stops reading and cancels the request. */
  cancel(): void {
    this.stream.destroy();
  }
}

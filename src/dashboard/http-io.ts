/** Reading and writing JSON over node:http for the dashboard's API: bounded bodies, JSON only. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { noStoreHeaders } from './request-guard.js';

/** A request the page should not have sent: an HTTP status and why. */
export class BadRequest extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 413 | 415 | 422,
    message: string,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

const maxBodyBytes = 16 * 1024;

/** The JSON body; refused unless it is application/json (no form posts) and small. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) throw new BadRequest(415, 'expected a JSON body');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new BadRequest(413, 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BadRequest(400, 'the request body is not valid JSON');
  }
}

/** A JSON answer; `secret` marks one that carries a password (never cached). */
export function sendJson(response: ServerResponse, status: number, body: unknown, options: { secret?: boolean } = {}): void {
  const headers = { 'Content-Type': 'application/json; charset=utf-8', ...(options.secret ? noStoreHeaders : {}) };
  response.writeHead(status, headers).end(JSON.stringify(body));
}

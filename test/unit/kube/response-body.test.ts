import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { ResponseBody } from '../../../src/kube/response-body.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ResponseBody', () => {
  it('keeps what arrived before anyone asked for the text', async () => {
    const stream = new PassThrough();
    const body = new ResponseBody(stream);
    stream.write('{"a":');
    stream.end('1}');
    await tick();
    expect(await body.text()).toBe('{"a":1}');
  });

  it('splits lines across chunks, multi-byte characters included, and ends with the last unterminated line', async () => {
    const stream = new PassThrough();
    const body = new ResponseBody(stream);
    const e = Buffer.from('é');
    stream.write('one\ntw');
    await tick();
    const lines: string[] = [];
    const done = body.lines((line) => lines.push(line));
    stream.write(Buffer.concat([Buffer.from('o '), e.subarray(0, 1)]));
    stream.write(Buffer.concat([e.subarray(1), Buffer.from('\n\nthree')]));
    stream.end();
    await done;
    expect(lines).toEqual(['one', 'two é', '', 'three']);
  });

  it('stops reading and rejects with what the line handler threw', async () => {
    const stream = new PassThrough();
    const body = new ResponseBody(stream);
    const done = body.lines((line) => {
      if (line === 'bad') throw new Error('refused line');
    });
    stream.write('good\nbad\nnever\n');
    await expect(done).rejects.toThrow('refused line');
    expect(stream.destroyed).toBe(true);
  });

  it('rejects when the stream closes before its end or fails', async () => {
    const cut = new PassThrough();
    const cutBody = new ResponseBody(cut);
    cut.write('partial');
    cut.destroy();
    await expect(cutBody.text()).rejects.toThrow('closed the response before its end');

    const failed = new PassThrough();
    const failedBody = new ResponseBody(failed);
    failed.destroy(new Error('connection reset'));
    await expect(failedBody.lines(() => undefined)).rejects.toThrow('connection reset');
  });

  it('cancel destroys the stream, and an unread failure does not surface', async () => {
    const stream = new PassThrough();
    const body = new ResponseBody(stream);
    body.cancel();
    await tick();
    expect(stream.destroyed).toBe(true);
  });
});

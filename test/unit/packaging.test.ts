import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { repoRoot } from '../harness/paths.js';
import { operatorNodeFlags } from '../integration/support/operator-process.js';

describe('the operator command', () => {
  it('is the same in the image, in `npm start`, and where tests and the benchmark run it', () => {
    const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entrypoint ?? '[]')).toEqual(['node', ...operatorNodeFlags, 'dist/main.js']);
    const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`npm run build && node ${operatorNodeFlags.join(' ')} dist/main.js`);
  });
});

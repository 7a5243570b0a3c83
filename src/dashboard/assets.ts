/** The page's files, built by esbuild into dist/dashboard/assets (npm run build), read once at start. */
import { readFile } from 'node:fs/promises';

export interface Asset {
  contentType: string;
  body: Buffer;
}

const files: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', contentType: 'text/css; charset=utf-8' },
};

/**
 * Where the built page is: beside the compiled module (dist/dashboard/assets), or, when the plugin
 * runs from the source (npm run local), in dist/ of the same checkout.
 */
const candidates = [new URL('./assets/', import.meta.url), new URL('../../dist/dashboard/assets/', import.meta.url)];

/** The assets by URL path; fails with a hint when the page has not been built. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  let missing: unknown;
  for (const directory of candidates) {
    try {
      const assets = new Map<string, Asset>();
      for (const [path, { file, contentType }] of Object.entries(files)) assets.set(path, { contentType, body: await readFile(new URL(file, directory)) });
      return assets;
    } catch (error) {
      missing = error;
    }
  }
  throw new Error('the dashboard\'s page is not built: run "npm run build"', { cause: missing });
}

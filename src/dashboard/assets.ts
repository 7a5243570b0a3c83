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

/** The assets by URL path; fails with a hint when the page has not been built. */
export async function loadAssets(directory = new URL('./assets/', import.meta.url)): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, contentType }] of Object.entries(files)) {
    try {
      assets.set(path, { contentType, body: await readFile(new URL(file, directory)) });
    } catch (error) {
      throw new Error(`the dashboard's page is not built (${file} is missing): run "npm run build"`, { cause: error });
    }
  }
  return assets;
}

/** The page's entry: esbuild bundles it with preact into dist/dashboard/assets/app.js (npm run build). */
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root) render(<App />, root);

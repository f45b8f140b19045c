/**
 * The customer's pages: a static multi-page app, so CloudFront (and the local gateway) serve
 * plain files with no SPA rewrites. Build: `npm run build:frontend` (root = this folder).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const page = (name: string): string => fileURLToPath(new URL(`./${name}.html`, import.meta.url));
/** `npx vite frontend` edits the pages live against a running `npm start` (its gateway). */
const apiTarget = process.env.UPLOCK_SITE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  // Relative asset URLs: the same build works at the site root or under a path prefix.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Never turn assets into data: URIs or inline <style>/<script>; the CSP allows only 'self'.
    assetsInlineLimit: 0,
    // The polyfill is bundled into the entry chunk (not inline), but every browser we target
    // supports modulepreload; leave it out to keep the bundle lean.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        index: page('index'),
        order: page('order'),
        lookup: page('lookup'),
        link: page('link'),
        unsubscribe: page('unsubscribe'),
        erase: page('erase'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': apiTarget, '/d': apiTarget },
  },
  preview: { host: '127.0.0.1' },
});

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the collector under a strict CSP (script-src/style-src 'self'): everything must land in files, so the
// module-preload polyfill (an inline helper) is off and assets are never inlined as data: URLs.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});

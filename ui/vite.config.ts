// Vite builds the UI that Tauri loads from ui/dist; Vitest runs the view tests in jsdom.
// No plugin here may fetch anything at build or run time: the app ships without network.
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

export default defineConfig({
  // svelteTesting only acts under Vitest: the browser build of Svelte, cleanup after each test.
  plugins: [svelte(), svelteTesting()],
  base: './',
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  preview: { port: 1421, strictPort: true, host: '127.0.0.1' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small bundle; Tauri serves it from disk, so splitting buys nothing.
    modulePreload: false,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
  },
});

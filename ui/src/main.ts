// Entry point: picks the Backend and mounts the window. In the app it is Tauri's IPC; the
// sample-data fake is loaded only by `vite --mode preview-fake` or, in dev, with `?fake`
// (or outside Tauri), so production builds never contain it.

import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import type { Backend } from './ipc/backend';
import { tauriBackend } from './ipc/tauri';

async function chooseBackend(): Promise<Backend> {
  const wantFake =
    import.meta.env.MODE === 'preview-fake' ||
    (import.meta.env.DEV && (new URLSearchParams(location.search).has('fake') || !('__TAURI_INTERNALS__' in window)));
  if (wantFake) {
    const { previewBackend } = await import('./ipc/fake');
    return previewBackend();
  }
  return tauriBackend();
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
void chooseBackend().then((backend) => mount(App, { target, props: { backend } }));

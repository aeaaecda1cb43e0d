// Loads Domo's own client, ryuu.js (its published UMD bundle, unmodified), into Node and points it
// at a test server, so end-to-end suites run Domo's code exactly as a Domo app would.
//
// ryuu.js is written for a browser page inside Domo: at load time it touches `self`, `window`
// (window.parent.postMessage, addEventListener), `document` (documentElement, head, body,
// location.origin), `location.search`, `MutationObserver` and `navigator`; at request time it reads
// the token from `window.__RYUU_SID__`, sends it as `X-DOMO-Ryuu-Session`, and calls the global
// `fetch` with the app's RELATIVE url. Here those globals are minimal stubs, and `fetch` is wrapped
// so a relative url resolves against the server (absolute urls pass through untouched).
//
// ryuu.js is a singleton (one module, one `window`), so one binding is live at a time: loading
// again rebinds the same `domo` to the new url and token. Each test file runs in its own process;
// `restore()` puts the globals back if a file needs them clean.
import { createRequire } from 'node:module';
import type RyuuDomo from 'ryuu.js';

const require = createRequire(import.meta.url);

export type Domo = typeof RyuuDomo;

/** One request ryuu.js made, as it made it (url as given to fetch, before resolution). */
export interface RyuuCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface Ryuu {
  domo: Domo;
  baseUrl: string;
  /** The stub `window`; `window.__RYUU_SID__` is the token ryuu.js sends. */
  window: { __RYUU_SID__?: string };
  /** Switches the user: sets `window.__RYUU_SID__` (undefined → no token header). */
  setToken(token: string | undefined): void;
  /** Every fetch ryuu.js made since loading (or since `calls.length = 0`). */
  calls: RyuuCall[];
  /** Puts back the globals (fetch, window, self, document, location, MutationObserver, navigator). */
  restore(): void;
}

const STUBBED = ['self', 'window', 'document', 'location', 'MutationObserver', 'navigator', 'fetch'] as const;

interface Binding {
  baseUrl: string;
  calls: RyuuCall[];
}

let live: { ryuu: Ryuu; binding: Binding } | undefined;

function headersOf(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

export function loadRyuu(baseUrl: string, token?: string): Ryuu {
  if (live) {
    live.binding.baseUrl = baseUrl;
    live.ryuu.baseUrl = baseUrl;
    live.binding.calls.length = 0;
    live.ryuu.setToken(token);
    return live.ryuu;
  }

  const saved = new Map<string, PropertyDescriptor | undefined>(STUBBED.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]));
  const define = (name: string, value: unknown) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

  const binding: Binding = { baseUrl, calls: [] };
  const origin = 'http://localhost';
  const element = () => ({ children: [] as unknown[], getAttribute: () => null, setAttribute: () => {}, dataset: {} });
  const location = { search: '', origin, href: `${origin}/`, protocol: 'http:', host: 'localhost', hostname: 'localhost', pathname: '/' };
  const document = { documentElement: element(), head: element(), body: element(), location };
  const window: Record<string, unknown> & { __RYUU_SID__?: string } = {
    parent: { postMessage: () => {} },
    addEventListener: () => {},
    removeEventListener: () => {},
    document,
    location,
  };
  window.self = window;
  window.window = window;

  const originalFetch = globalThis.fetch;
  const wrappedFetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    binding.calls.push({ method: init?.method ?? 'GET', url, headers: headersOf(init), body: init?.body });
    const target = typeof input === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(input) ? new URL(input, binding.baseUrl) : input;
    return originalFetch(target, init);
  };

  define('self', window);
  define('window', window);
  define('document', document);
  define('location', location);
  define(
    'MutationObserver',
    class {
      observe() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    },
  );
  define('navigator', { userAgent: 'node', maxTouchPoints: 0 });
  define('fetch', wrappedFetch);

  // The bundle picks CommonJS (module.exports) in Node; its `Domo` is the static class apps call `domo`.
  const loaded = require('ryuu.js') as { default?: Domo; Domo?: Domo };
  const domo = (loaded.default ?? loaded.Domo ?? loaded) as Domo;

  const ryuu: Ryuu = {
    domo,
    baseUrl,
    window,
    calls: binding.calls,
    setToken(next) {
      if (next === undefined) delete window.__RYUU_SID__;
      else window.__RYUU_SID__ = next;
    },
    restore() {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor);
        else delete (globalThis as Record<string, unknown>)[name];
      }
      // A later load must re-install the globals; the bundle stays cached and reads them at call time.
      live = undefined;
    },
  };
  ryuu.setToken(token);
  live = { ryuu, binding };
  return ryuu;
}

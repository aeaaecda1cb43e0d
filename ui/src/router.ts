// Hash routes (#/files, #/files/12, #/admin/users): the server serves one page at /, so a reload
// or a bookmark of any view needs nothing from it (docs/decisions.md 112).
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** The path after '#', split on '/': '#/files/12' is ['files', '12']. */
  segments: string[];
  /** The query after '?' in the hash: '#/files?filter=mine'. */
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = hash.split('?', 2);
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

/** The current route, re-rendering on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** The href of a view: href('files', 12) is '#/files/12'. */
export function href(...segments: (string | number)[]): string {
  return `#/${segments.map((segment) => encodeURIComponent(String(segment))).join('/')}`;
}

export function navigate(to: string): void {
  location.hash = to.replace(/^#/, '');
}

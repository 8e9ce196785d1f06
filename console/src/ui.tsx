import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { plainError, type Session } from './api.ts';

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('no session: the pages render only once signed in');
  return session;
}

/** The location after '#': the console's pages, so the server serves one page and the browser's history works. */
export function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/keys');
  useEffect(() => {
    const update = () => setRoute(location.hash.slice(1) || '/keys');
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function go(route: string): void {
  location.hash = route;
}

/** A failure, said in plain words, announced to screen readers and scrolled into view (it may be far from the button). */
export function ErrorMessage({ error }: { error: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { ref.current?.scrollIntoView({ block: 'nearest' }); }, [error]);
  if (error === undefined) return null;
  return <div ref={ref} class="alert error" role="alert">{typeof error === 'string' ? error : plainError(error)}</div>;
}

export function Notice({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { ref.current?.scrollIntoView({ block: 'nearest' }); }, [children]);
  return <div ref={ref} class="alert success" role="status">{children}</div>;
}

/** Data loaded for a page: reload() fetches it again (after a change). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then((data) => live && setState({ data, loading: false }), (error: unknown) => live && setState({ error, loading: false }));
    return () => { live = false; };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

/** Moves keyboard focus to a page's heading when the page changes, so screen readers announce it. */
export function PageHeading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return <h1 ref={ref} tabIndex={-1}>{children}</h1>;
}

export function Definition({ term, children }: { term: string; children: ComponentChildren }) {
  return <div class="definition"><dt>{term}</dt><dd>{children ?? '-'}</dd></div>;
}

export function formatDate(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toLocaleString() : '-';
}

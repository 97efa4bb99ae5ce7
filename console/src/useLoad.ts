/**
 * The console's one way to load data: `useLoad(arg, load)` runs `load(arg)` when the view mounts
 * and again whenever `arg` (compare it by value: a string) or `refresh` changes, or `reload()` is
 * called; the previous load is aborted then, and on unmount, so a late answer never lands in a view
 * that moved on. While it loads again the last data stays shown. `arg === null` loads nothing.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Loaded<T> {
  loading: boolean;
  /** The API's error code of the last load that failed (network: `network`), until the next succeeds. */
  error: string | null;
  /** What the last load that succeeded gave. */
  data: T | null;
  reload: () => void;
}

export function useLoad<A, T>(
  arg: A | null,
  load: (arg: A, signal: AbortSignal) => Promise<T>,
  refresh = 0,
): Loaded<T> {
  const [state, setState] = useState<Omit<Loaded<T>, 'reload'>>({ loading: arg !== null, error: null, data: null });
  const [tick, setTick] = useState(0);
  // The latest `load` (callers pass a new function each render): only `arg`, `refresh` and reload() start a load.
  const latest = useRef(load);
  useLayoutEffect(() => {
    latest.current = load;
  });
  useEffect(() => {
    if (arg === null) return undefined;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    latest.current(arg, controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ loading: false, error: null, data });
      },
      (err: unknown) => {
        if (!controller.signal.aborted)
          setState((s) => ({ ...s, loading: false, error: err instanceof ApiError ? err.code : 'internal' }));
      },
    );
    return () => controller.abort();
  }, [arg, refresh, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

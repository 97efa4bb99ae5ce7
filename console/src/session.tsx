/**
 * The signed-in person's key and what to do when it stops working (401: back to sign-in), handed
 * down by context; `useApi(path)` is useLoad over a GET of the service with that key.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, call } from './api.js';
import { useLoad, type Loaded } from './useLoad.js';

export interface Session {
  apiKey: string;
  onAuthLost: () => void;
}

export const SessionContext = createContext<Session>({ apiKey: '', onAuthLost: () => undefined });
export const useSession = () => useContext(SessionContext);

/** GET `path` (null: nothing yet) with the session's key; `refresh` changed: load again. */
export function useApi<T>(path: string | null, refresh = 0): Loaded<T> {
  const { apiKey, onAuthLost } = useSession();
  return useLoad(
    path,
    async (p, signal) => {
      try {
        return (await call<T>(apiKey, 'GET', p, undefined, signal)).body;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) onAuthLost();
        throw err;
      }
    },
    refresh,
  );
}

/** A call that reports a lost key (401) to the app, and any other refusal as an error code. */
import { ApiError, call } from './api.js';

export function apiCaller(apiKey: string, onAuthLost: () => void, onError: (code: string | null) => void) {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as call<T> in api.ts
  return async <T>(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
  ): Promise<{ status: number; body: T } | undefined> => {
    onError(null);
    try {
      return await call<T>(apiKey, method, path, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onAuthLost();
      else onError(err instanceof ApiError ? err.code : 'internal');
      return undefined;
    }
  };
}

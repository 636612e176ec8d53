import { useCallback, useEffect, useState } from "preact/hooks";
import { getJson } from "./api.ts";

/** What a page shows while it loads, once loaded, or after a failure. */
export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly reload: () => void;
}

/** GETs `path` (again whenever it changes, or on `reload`). */
export function useData<T>(path: string | undefined): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  useEffect(() => {
    if (path === undefined) return;
    const controller = new AbortController();
    getJson<T>(path, controller.signal)
      .then((value) => {
        setData(value);
        setError(undefined);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError((failure as Error).message);
      });
    return () => controller.abort();
  }, [path, generation]);
  return { data, error, reload };
}

export function Failure({ error }: { readonly error: string | undefined }) {
  return error === undefined ? null : (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

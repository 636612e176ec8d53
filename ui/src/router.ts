import { useEffect, useState } from "preact/hooks";

/** The page a hash names: `#/runs`, `#/runs/<id>`, `#/approvals`, … */
export interface Route {
  readonly page: string;
  readonly id: string | undefined;
  readonly query: URLSearchParams;
}

function current(): Route {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = hash.split("?");
  const [page = "runs", id] = path.split("/");
  return {
    page: page === "" ? "runs" : page,
    id: id === undefined ? undefined : decodeURIComponent(id),
    query: new URLSearchParams(search),
  };
}

/** The current route, re-rendered on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const changed = () => setRoute(current());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

export function href(page: string, id?: string, query?: URLSearchParams): string {
  const search = query !== undefined && [...query.keys()].length > 0 ? `?${query}` : "";
  return `#/${page}${id === undefined ? "" : `/${encodeURIComponent(id)}`}${search}`;
}

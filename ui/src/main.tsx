import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onUnauthorized, signedInAs, signOut } from "./api.ts";
import { ApprovalsPage } from "./pages/approvals-page.tsx";
import { EvalsPage } from "./pages/evals-page.tsx";
import { OutcomesPage } from "./pages/outcomes-page.tsx";
import { RunPage } from "./pages/run-page.tsx";
import { RunsPage } from "./pages/runs-page.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { WorkflowsPage } from "./pages/workflows-page.tsx";
import { href, type Route, useRoute } from "./router.ts";

const PAGES = [
  ["runs", "Runs"],
  ["approvals", "Approvals"],
  ["workflows", "Workflows"],
  ["evals", "Evals"],
  ["outcomes", "Outcomes"],
] as const;

function Page({ route }: { readonly route: Route }) {
  switch (route.page) {
    case "runs":
      return route.id === undefined ? (
        <RunsPage route={route} key={route.query.toString()} />
      ) : (
        <RunPage id={route.id} key={route.id} />
      );
    case "approvals":
      return <ApprovalsPage />;
    case "workflows":
      return <WorkflowsPage />;
    case "evals":
      return <EvalsPage route={route} />;
    case "outcomes":
      return <OutcomesPage />;
    default:
      return <p class="error">No page {route.page}.</p>;
  }
}

function App() {
  const route = useRoute();
  const [needsSignIn, setNeedsSignIn] = useState(false);
  const [session, setSession] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedsSignIn(true)), []);
  const user = signedInAs();
  return (
    <>
      <header>
        <a class="brand" href={href("runs")}>
          signalbox
        </a>
        <nav>
          {PAGES.map(([page, title]) => (
            <a key={page} href={href(page)} class={route.page === page ? "active" : ""}>
              {title}
            </a>
          ))}
        </nav>
        {user !== null && (
          <button
            type="button"
            class="link"
            onClick={() => {
              signOut();
              setNeedsSignIn(true);
            }}
          >
            {user} · sign out
          </button>
        )}
      </header>
      <main key={session}>
        {needsSignIn ? (
          <SignIn
            onSignedIn={() => {
              setNeedsSignIn(false);
              setSession((value) => value + 1);
            }}
          />
        ) : (
          <Page route={route} />
        )}
      </main>
    </>
  );
}

const root = document.getElementById("app");
if (root !== null) render(<App />, root);

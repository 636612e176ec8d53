import { useState } from "preact/hooks";
import { signIn } from "../api.ts";

/**
 * Off loopback the server wants its bearer token: kept in this tab's sessionStorage
 * only (gone when the tab closes), sent as `Authorization`; the name goes along as
 * `X-Signalbox-User` for the approvals' audit trail.
 */
export function SignIn({ onSignedIn }: { readonly onSignedIn: () => void }) {
  const [token, setToken] = useState("");
  const [user, setUser] = useState("");
  const submit = (event: Event) => {
    event.preventDefault();
    signIn(token, user);
    onSignedIn();
  };
  return (
    <section class="sign-in">
      <h1>Sign in</h1>
      <p>This server needs its access token (SIGNALBOX_TOKEN).</p>
      <form onSubmit={submit}>
        <label>
          Token
          <input
            type="password"
            name="token"
            autocomplete="off"
            required
            value={token}
            onInput={(event) => setToken((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Your name (for the approvals' audit trail)
          <input
            name="user"
            value={user}
            onInput={(event) => setUser((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}

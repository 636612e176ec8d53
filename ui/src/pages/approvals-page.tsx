import { useState } from "preact/hooks";
import type { InboxEntry } from "../../../src/dashboard/approval-inbox.ts";
import { postJson, signedInAs } from "../api.ts";
import { json, when } from "../format.ts";
import { href } from "../router.ts";
import { Failure, useData } from "../use-data.tsx";

type Decision = "approved" | "rejected" | "changes_requested";

function Entry({
  entry,
  onDecided,
}: {
  readonly entry: InboxEntry;
  readonly onDecided: () => void;
}) {
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const { approval, run } = entry;
  const decide = async (decision: Decision) => {
    setBusy(true);
    try {
      await postJson(`/api/approvals/${encodeURIComponent(approval.id)}`, {
        decision,
        ...(comment.trim() === "" ? {} : { comment }),
      });
      onDecided();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="inbox-entry" data-approval={approval.id} data-run-id={approval.runId}>
      <h2>{approval.message}</h2>
      <p class="meta">
        Run <a href={href("runs", approval.runId)}>{approval.runId}</a>
        {run ? ` · ${run.workflow}` : ""} · node {approval.node} · asked{" "}
        {when(approval.requestedAt)}
        {approval.deadline ? ` · deadline ${when(approval.deadline)}` : ""}
      </p>
      {approval.details !== undefined && approval.details !== null && (
        <pre>{json(approval.details)}</pre>
      )}
      <label>
        Comment
        <textarea
          name="comment"
          value={comment}
          onInput={(event) => setComment((event.currentTarget as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => void decide("approved")}>
          Approve
        </button>
        <button type="button" disabled={busy} onClick={() => void decide("rejected")}>
          Reject
        </button>
        <button type="button" disabled={busy} onClick={() => void decide("changes_requested")}>
          Request changes
        </button>
      </div>
      <Failure error={error} />
    </li>
  );
}

/** Waiting approvals, oldest first, each decided here with a comment. */
export function ApprovalsPage() {
  const { data, error, reload } = useData<{ approvals: InboxEntry[] }>("/api/approvals");
  const who = signedInAs();
  return (
    <section>
      <h1>Approvals</h1>
      <p class="meta">
        Decisions are recorded as {who ?? "the identity the server gives this session"}.
      </p>
      <Failure error={error} />
      {data?.approvals.length === 0 && <p class="empty">Nothing is waiting for approval.</p>}
      <ul class="inbox">
        {data?.approvals.map((entry) => (
          <Entry entry={entry} key={entry.approval.id} onDecided={reload} />
        ))}
      </ul>
    </section>
  );
}

/**
 * The help centre of the demo product, Fieldnote (a fictional team-notes app with
 * web, desktop and mobile apps, file sync, exports, an API and webhooks). The
 * technical agent of support_triage searches it with `search_help_center`; the
 * articles are short on purpose: they are data for a demo, not documentation.
 */

/** One help-centre article. */
export interface HelpArticle {
  /** Stable id, cited in answers: `kb-<topic>`. */
  readonly id: string;
  readonly title: string;
  readonly category:
    | "account"
    | "sync"
    | "files"
    | "export"
    | "api"
    | "apps"
    | "billing"
    | "security";
  readonly body: string;
}

export const HELP_ARTICLES: readonly HelpArticle[] = [
  {
    id: "kb-login-loop",
    title: "The login page keeps loading or sends me back to sign in",
    category: "account",
    body: "A sign-in loop is almost always a stale session cookie. Clear cookies for app.fieldnote.example, or open a private window, then sign in again. Browser extensions that block third-party cookies also cause it: allow cookies for fieldnote.example.",
  },
  {
    id: "kb-password-reset-email",
    title: "The password reset email never arrives",
    category: "account",
    body: "Reset emails come from no-reply@fieldnote.example within two minutes. Check the spam folder and any quarantine of your company mail filter. You can request a new link after five minutes; only the newest link works.",
  },
  {
    id: "kb-wrong-password-after-reset",
    title: "It says my password is wrong right after a reset",
    category: "account",
    body: "After a reset every other session is signed out, and a password manager may still fill in the old password. Type the new password by hand once, then update the entry in your password manager.",
  },
  {
    id: "kb-two-factor-lost-phone",
    title: "I lost the phone with my two-factor codes",
    category: "security",
    body: "Sign in with one of the recovery codes you saved when you turned on two-factor authentication. Without recovery codes, a workspace admin can reset two-factor for you under Admin > Members. Support cannot turn it off for you.",
  },
  {
    id: "kb-account-locked",
    title: "My account is locked after too many attempts",
    category: "security",
    body: "After ten failed sign-ins the account locks for 30 minutes. Wait, then use Forgot password if you are unsure of it. The lock lifts by itself; support cannot lift it early.",
  },
  {
    id: "kb-sso-error",
    title: "Single sign-on (SSO) fails with an error from my identity provider",
    category: "security",
    body: "SSO errors usually mean the identity provider's certificate changed or the user is not assigned to the Fieldnote app there. Ask your IT admin to check the SAML certificate under Admin > Security and the app assignment in the identity provider.",
  },
  {
    id: "kb-sync-stuck",
    title: "Sync is stuck or says 'waiting to sync'",
    category: "sync",
    body: "Open Settings > Sync and press Sync now. If it stays stuck, sign out of the desktop app and back in: that rebuilds the local sync index. Very large files (over 2 GB) are skipped and block nothing else.",
  },
  {
    id: "kb-sync-conflict",
    title: "I see 'conflicted copy' files after syncing",
    category: "sync",
    body: "When the same note is edited on two devices while one is offline, Fieldnote keeps both and names one 'conflicted copy'. Open both, keep the right text, and delete the copy. Nothing is lost.",
  },
  {
    id: "kb-sync-after-update",
    title: "Sync stopped working after the latest update",
    category: "sync",
    body: "Version 4.2 of the desktop app moved the sync folder. If sync stopped after updating, quit the app, start it again and confirm the folder location when asked. Reinstalling is not needed.",
  },
  {
    id: "kb-offline-mode",
    title: "Working offline",
    category: "sync",
    body: "The desktop and mobile apps keep your recent notes offline. Edits made offline sync when you reconnect. The web app needs a connection.",
  },
  {
    id: "kb-upload-error-500",
    title: "Uploading a file fails with error 500",
    category: "files",
    body: "Error 500 on upload usually means the file is over the limit of your plan (free 25 MB, pro 250 MB, business 2 GB) or its name contains characters like '#' or '%'. Rename the file or compress it and try again.",
  },
  {
    id: "kb-upload-limits",
    title: "File size and storage limits per plan",
    category: "files",
    body: "Free: 25 MB per file, 2 GB storage. Pro: 250 MB per file, 100 GB. Business: 2 GB per file, unlimited storage. Storage use is shown under Settings > Storage.",
  },
  {
    id: "kb-file-preview-blank",
    title: "File previews are blank or do not load",
    category: "files",
    body: "Previews are generated after upload and can take a minute for large PDFs. Previews are not made for encrypted PDFs or files over 100 MB; download those to view them.",
  },
  {
    id: "kb-restore-deleted",
    title: "Restoring a deleted note or file",
    category: "files",
    body: "Deleted notes and files stay in Trash for 30 days (free) or 180 days (pro and business). Open Trash in the sidebar, select them and press Restore.",
  },
  {
    id: "kb-version-history",
    title: "Going back to an earlier version of a note",
    category: "files",
    body: "Open the note, choose History in the ... menu, pick a version and press Restore. Free plans keep 7 days of history, paid plans a year.",
  },
  {
    id: "kb-export-button",
    title: "The export button does nothing",
    category: "export",
    body: "Exports run in the background: the button queues the export and you get an email with a download link. Pop-up blockers can hide the confirmation. If no email comes within 15 minutes, check the status page: exports depend on the export service.",
  },
  {
    id: "kb-export-formats",
    title: "Export formats: PDF, Markdown, CSV",
    category: "export",
    body: "Notes export as PDF or Markdown, tables as CSV. A workspace export (Admin > Export) packs everything into one ZIP file with the folder structure kept.",
  },
  {
    id: "kb-export-large",
    title: "A large export fails or the ZIP is incomplete",
    category: "export",
    body: "Workspace exports over 10 GB are split into several ZIP files, each sent in its own email. Download all of them before unpacking.",
  },
  {
    id: "kb-import-evernote",
    title: "Importing from Evernote, Notion or Markdown files",
    category: "export",
    body: "Use Settings > Import. Evernote ENEX files, Notion exports (Markdown and CSV) and folders of Markdown files are supported. Attachments are imported with their notes.",
  },
  {
    id: "kb-app-crash-settings",
    title: "The app crashes when I open Settings",
    category: "apps",
    body: "A crash on opening Settings is caused by a damaged preferences file. In the desktop app hold Shift while starting it to reset preferences; on mobile, update to the newest version from the app store.",
  },
  {
    id: "kb-app-crash-startup",
    title: "The desktop app crashes on start-up",
    category: "apps",
    body: "Start the app with Shift held to reset its preferences. If it still crashes, remove the cache folder (Help > Open cache folder, or ~/.fieldnote/cache) and start it again. Your notes are on the server and are not affected.",
  },
  {
    id: "kb-app-slow",
    title: "The app or the dashboard is slow",
    category: "apps",
    body: "Slowness for one person is usually a large local cache: clear it under Settings > Advanced. If everyone in your team sees it at once, check the service status: it may be an incident on our side.",
  },
  {
    id: "kb-mobile-notifications",
    title: "I get no notifications on my phone",
    category: "apps",
    body: "Allow notifications for Fieldnote in the phone's settings, then in Fieldnote under Settings > Notifications. Battery savers on Android can stop notifications; exempt Fieldnote from them.",
  },
  {
    id: "kb-browser-support",
    title: "Supported browsers",
    category: "apps",
    body: "The web app supports the two latest versions of Chrome, Edge, Firefox and Safari. Internet Explorer is not supported. A blank page in an old browser means it is not supported.",
  },
  {
    id: "kb-dark-mode",
    title: "Dark mode and themes",
    category: "apps",
    body: "Choose Light, Dark or System under Settings > Appearance. The setting is per device.",
  },
  {
    id: "kb-search-missing-notes",
    title: "Search does not find a note I know exists",
    category: "apps",
    body: "New notes are searchable after about a minute. Text inside images and scanned PDFs is searchable on pro and business plans only. Notes in Trash are not searched.",
  },
  {
    id: "kb-api-timeout",
    title: "The API returns timeouts (504)",
    category: "api",
    body: "Requests that run longer than 30 seconds time out with 504. Page through large lists with the cursor parameter instead of asking for everything at once, and retry with backoff. Check the status page if every request times out.",
  },
  {
    id: "kb-api-rate-limits",
    title: "API rate limits (429 Too Many Requests)",
    category: "api",
    body: "The API allows 60 requests a minute on free, 600 on pro and 3000 on business. A 429 response carries Retry-After: wait that many seconds before trying again.",
  },
  {
    id: "kb-api-keys",
    title: "Creating and rotating API keys",
    category: "api",
    body: "Create keys under Settings > API. A key is shown once; store it safely. To rotate, create a new key, switch your integration to it, then delete the old one. A 401 error means the key was deleted or mistyped.",
  },
  {
    id: "kb-webhooks-not-firing",
    title: "Webhooks are not delivered",
    category: "api",
    body: "Webhook deliveries are listed under Settings > API > Webhooks with each response code. Your endpoint must answer 2xx within 10 seconds; after 20 failures in a row a webhook is paused and must be re-enabled there.",
  },
  {
    id: "kb-zapier-integration",
    title: "The Zapier or Slack integration stopped working",
    category: "api",
    body: "Integrations stop when the person who connected them leaves the workspace or changes their password. Reconnect the integration under Settings > Integrations.",
  },
  {
    id: "kb-calendar-sync",
    title: "Calendar events do not show up",
    category: "api",
    body: "Connect Google or Outlook calendars under Settings > Integrations > Calendar. Events appear within 10 minutes; only calendars you tick are synced.",
  },
  {
    id: "kb-invite-teammates",
    title: "Inviting teammates",
    category: "account",
    body: "Admins invite people under Admin > Members. Invitations expire after 7 days; resend them from the same page. Free workspaces have up to 3 members.",
  },
  {
    id: "kb-invite-email-missing",
    title: "My teammate never got the invitation email",
    category: "account",
    body: "Invitations come from invites@fieldnote.example. Ask the teammate to check spam, or copy the invitation link from Admin > Members and send it yourself.",
  },
  {
    id: "kb-permissions",
    title: "A teammate cannot see or edit a shared folder",
    category: "account",
    body: "Folder access is set per folder under Share: Viewer, Editor or Owner. People added to the workspace do not see private folders until they are shared with them.",
  },
  {
    id: "kb-change-email",
    title: "Changing the email address of your account",
    category: "account",
    body: "Change it under Settings > Profile. We send a confirmation link to the new address; the change applies once you click it.",
  },
  {
    id: "kb-delete-account",
    title: "Deleting your account",
    category: "account",
    body: "Workspace owners delete the workspace under Admin > Danger zone. Everything is removed after 14 days, during which support can still restore it.",
  },
  {
    id: "kb-invoice-download",
    title: "Downloading invoices",
    category: "billing",
    body: "Invoices are under Settings > Billing > Invoices as PDF. Add a VAT number or company address there before the next invoice is issued.",
  },
  {
    id: "kb-payment-failed",
    title: "My card payment failed",
    category: "billing",
    body: "We retry a failed payment after 3 and 7 days. Update the card under Settings > Billing. After 14 days without payment the workspace becomes read-only until paid.",
  },
  {
    id: "kb-plan-limits",
    title: "What the free, pro and business plans include",
    category: "billing",
    body: "Free: 3 members, 2 GB, 7 days of history. Pro: unlimited members, 100 GB, a year of history, OCR search. Business: everything in Pro plus SSO, unlimited storage and priority support.",
  },
  {
    id: "kb-data-encryption",
    title: "How your data is encrypted",
    category: "security",
    body: "Data is encrypted in transit with TLS 1.3 and at rest with AES-256. Business plans can bring their own key. We never read your notes unless you ask support to look at a specific one.",
  },
  {
    id: "kb-suspicious-login",
    title: "I got an email about a sign-in I do not recognise",
    category: "security",
    body: "Change your password at once and turn on two-factor authentication. Under Settings > Security > Sessions, sign out every other session. If notes were changed, restore them from History.",
  },
  {
    id: "kb-status-page",
    title: "Checking for outages: the status page",
    category: "apps",
    body: "status.fieldnote.example shows the state of sync, exports, the API, email delivery and sign-in, with any ongoing incident. Subscribe there for updates by email.",
  },
  {
    id: "kb-email-to-note",
    title: "Emailing notes into Fieldnote",
    category: "apps",
    body: "Forward email to your personal address shown under Settings > Email in. Attachments become files of the note. Mail from addresses other than yours is rejected.",
  },
  {
    id: "kb-printing",
    title: "Printing a note",
    category: "apps",
    body: "Use Print in the ... menu of a note, or export it to PDF first. Printing a whole folder is not supported; export the folder instead.",
  },
];

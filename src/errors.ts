/** Every failure signalbox itself raises carries one of these codes. */
export const ErrorCode = {
  WorkflowInvalid: "WORKFLOW_INVALID",
  WorkflowNotFound: "WORKFLOW_NOT_FOUND",
  InputInvalid: "INPUT_INVALID",
  OutputInvalid: "OUTPUT_INVALID",
  RunNotFound: "RUN_NOT_FOUND",
  ConversationNotFound: "CONVERSATION_NOT_FOUND",
  InvalidTransition: "INVALID_TRANSITION",
  StepLimit: "STEP_LIMIT",
  StoreError: "STORE_ERROR",
  ConfigInvalid: "CONFIG_INVALID",
  StepFailed: "STEP_FAILED",
  Cancelled: "CANCELLED",
  ModelUnavailable: "MODEL_UNAVAILABLE",
  /** The driver no longer holds the run (another claimed it, or it was cancelled): stop, write nothing. */
  LeaseLost: "LEASE_LOST",
  /** The approval node's rule refuses this person's decision (e.g. the requester approving). */
  ApprovalForbidden: "APPROVAL_FORBIDDEN",
  /** The run is pinned to a workflow version this process does not have. */
  VersionUnavailable: "VERSION_UNAVAILABLE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options for {@link SignalboxError}. */
export interface SignalboxErrorOptions {
  /** Extra structured facts (field paths, available names) for callers and logs. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Whether trying the same thing again can help. */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * The one error class signalbox throws for its own failures.
 *
 * @example
 * ```ts
 * throw new SignalboxError(ErrorCode.RunNotFound, "no run with id r_123");
 * ```
 */
export class SignalboxError extends Error {
  readonly code: ErrorCode;
  readonly data: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: SignalboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SignalboxError";
    this.code = code;
    this.data = options.data ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** True when `error` is a {@link SignalboxError}, optionally with the given code. */
export function isSignalboxError(error: unknown, code?: ErrorCode): error is SignalboxError {
  return error instanceof SignalboxError && (code === undefined || error.code === code);
}

/** Converts any thrown value into a message, once, at a boundary. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

import { ErrorCode, isSignalboxError } from "../errors.ts";

/**
 * Exit codes: 1 run failed, 2 bad input or usage, 3 not found, 4 invalid state transition
 * (or an approval the node's rule refuses),
 * 5 the store cannot be opened or written, 70 internal (a bug: please report it).
 */
export const ExitCode = {
  RunFailed: 1,
  Usage: 2,
  NotFound: 3,
  InvalidTransition: 4,
  Store: 5,
  Internal: 70,
} as const;

/** Maps a thrown error to a message and an exit code, once, at the CLI boundary. */
export function exitCodeFor(error: unknown): number {
  if (!isSignalboxError(error)) return ExitCode.Internal;
  switch (error.code) {
    case ErrorCode.InputInvalid:
    case ErrorCode.ConfigInvalid:
    case ErrorCode.WorkflowInvalid:
      return ExitCode.Usage;
    case ErrorCode.RunNotFound:
    case ErrorCode.WorkflowNotFound:
    case ErrorCode.ConversationNotFound:
    case ErrorCode.VersionUnavailable:
      return ExitCode.NotFound;
    case ErrorCode.InvalidTransition:
    case ErrorCode.ApprovalForbidden:
    case ErrorCode.LeaseLost:
      return ExitCode.InvalidTransition;
    case ErrorCode.StoreError:
      return ExitCode.Store;
    default:
      return ExitCode.RunFailed;
  }
}

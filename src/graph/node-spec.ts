import type {
  AgentOptions,
  ApprovalOptions,
  ParallelOptions,
  RouteOptions,
  StepOptions,
} from "./types.ts";
import type { CompiledWorkflow } from "./workflow.ts";

type AnyState = Record<string, unknown>;
type AnyUpdate = Record<string, unknown>;

export interface SubworkflowOptions<S, U> {
  readonly workflow: CompiledWorkflow;
  readonly input: (state: S) => unknown;
  /** Maps the child's output into this workflow's state; default: nothing. */
  readonly output?: (state: S, childOutput: unknown) => U;
  readonly next?: string;
}

/** A declared node, before compilation. */
export type NodeSpec =
  | {
      readonly kind: "step";
      readonly name: string;
      readonly options: StepOptions<AnyState, AnyUpdate>;
    }
  | { readonly kind: "route"; readonly name: string; readonly options: RouteOptions<AnyState> }
  | {
      readonly kind: "approval";
      readonly name: string;
      readonly options: ApprovalOptions<AnyState>;
    }
  | {
      readonly kind: "parallel";
      readonly name: string;
      readonly options: ParallelOptions<AnyState, AnyUpdate, unknown>;
    }
  | {
      readonly kind: "subworkflow";
      readonly name: string;
      readonly options: SubworkflowOptions<AnyState, AnyUpdate>;
    }
  | {
      readonly kind: "agent";
      readonly name: string;
      readonly options: AgentOptions<AnyState, AnyUpdate, unknown>;
    };

export type NodeKind = NodeSpec["kind"];

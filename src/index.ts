/**
 * signalbox: durable agentic workflows on LangGraph, with a decision-path log.
 * Every line here is public API.
 */

export type { ApprovalAttempt, ChatApprovalPolicy } from "./chat/approval-policy.ts";
export type { ChatAgent } from "./chat/chat-agent.ts";
export {
  type ChatAgentOptions,
  type ChatHistoryEntry,
  type ChatRequest,
  type ChatTurn,
  createChatAgent,
} from "./chat/chat-agent.ts";
export type { ChatEvent, ChatEventType } from "./chat/chat-events.ts";
export { OfflineChatModel } from "./chat/offline-chat-model.ts";
export {
  type ConfigWorkflows,
  defineConfig,
  type SignalboxConfig,
  type WorkflowContext,
} from "./config/define-config.ts";
export type { RouteRequest } from "./contracts/decider.ts";
export {
  DecidedBy,
  type DecisionInput,
  DecisionKind,
  DecisionRecord,
} from "./contracts/decision.ts";
export type { EffectClass } from "./contracts/effect-class.ts";
export { ErrorCode, errorMessage, isSignalboxError, SignalboxError } from "./errors.ts";
export {
  type BaselineComparison,
  type BaselineFile,
  compareWithBaseline,
  readBaseline,
  updateBaseline,
} from "./eval/baseline.ts";
export type { Expectation, Predicate } from "./eval/expectation.ts";
export { type LoadSuiteOptions, loadEvalSuite } from "./eval/load-suite.ts";
export { type EvalProgress, type RunEvalOptions, runEval } from "./eval/run-eval.ts";
export {
  defineEvalSuite,
  type EvalSuiteDefinition,
  type LoadedSuite,
  type ModelConfig,
  type Tolerance,
} from "./eval/suite.ts";
export type { CaseResult, ConfigResult, EvalCase, EvalResult, NodeMetrics } from "./eval/types.ts";
export { createAgentNode } from "./graph/agent-node.ts";
export { createApprovalNode } from "./graph/approval-node.ts";
export {
  type ApproverAttempt,
  type ApproverRule,
  anyoneMayApprove,
  requesterMayNotApprove,
} from "./graph/approval-rule.ts";
export type { RunEvent, RunEventType } from "./graph/events.ts";
export { takenPath, toMermaid } from "./graph/mermaid.ts";
export type { NodeKind, NodeSpec, SubworkflowOptions } from "./graph/node-spec.ts";
export {
  createRouteNode,
  type RouteDecision,
  type RouteScope,
} from "./graph/route-node.ts";
export { contextValue, detachedContext, type RunContext } from "./graph/run-context.ts";
export { createStepNode } from "./graph/step-node.ts";
export type {
  AgentOptions,
  AgentToolCall,
  AgentToolOutcome,
  AgentTranscript,
  ApprovalOptions,
  ApprovalOutcome,
  BranchSpec,
  ParallelBranch,
  ParallelOptions,
  RetryOptions,
  RouteAnswer,
  RouteChoice,
  RouteDeciderFunction,
  RouteOptions,
  RouteRule,
  StateUpdate,
  StepContext,
  StepOptions,
  UndoInput,
  WorkflowState,
} from "./graph/types.ts";
export { END_NODE } from "./graph/types.ts";
export {
  type CompiledWorkflow,
  defineWorkflow,
  WorkflowBuilder,
  type WorkflowConfig,
} from "./graph/workflow.ts";
export { createWorkflowState } from "./graph/workflow-state.ts";
export { type CreateMcpServerOptions, createMcpServer } from "./mcp/create-mcp-server.ts";
export {
  type CachedClassifier,
  type ClassifierCache,
  directoryClassifierCache,
} from "./models/classifier-cache.ts";
export {
  OfflineAgentModel,
  type OfflineAgentModelOptions,
  type OfflineAnswerInput,
  type OfflinePlanStep,
  type OfflineToolResult,
} from "./models/offline-agent-model.ts";
export type { FollowOptions } from "./runtime/follow-run.ts";
export { createLogger } from "./runtime/logger.ts";
export { createPollingQueue, type PollingQueueOptions } from "./runtime/polling-queue.ts";
export { WorkflowRegistry } from "./runtime/registry.ts";
export {
  type ApprovalDecision,
  type ApproveOptions,
  type RunDetails,
  Runtime,
  type RuntimeOptions,
  type StartOptions,
} from "./runtime/runtime.ts";
export type { Worker, WorkerOptions } from "./runtime/worker.ts";
export { SqliteRunStore, type SqliteRunStoreOptions } from "./store/sqlite-store.ts";
export type {
  ApprovalRecord,
  ApprovalStatus,
  Claim,
  DecisionFilter,
  EffectClaimResult,
  EffectRecord,
  Lease,
  NewRun,
  RunFailure,
  RunFilter,
  RunPatch,
  RunQueue,
  RunRecord,
  RunSettlement,
  RunStatus,
  RunStore,
  StoredEvent,
} from "./store/types.ts";
export {
  defineTool,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolRateLimit,
} from "./tools/define-tool.ts";
export {
  type McpHttpServerConfig,
  type McpServerConfig,
  type McpServersConfig,
  type McpStdioServerConfig,
  type McpToolOverride,
  readMcpServersConfig,
} from "./tools/mcp-config.ts";
export { type LoadMcpToolsOptions, loadMcpTools, type McpToolset } from "./tools/mcp-tools.ts";
export { ToolRegistry } from "./tools/tool-registry.ts";
export { createBuiltinWorkflows, createSupportTriage, SupportData } from "./workflows/index.ts";

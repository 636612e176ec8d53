/**
 * The public API, entry by entry: the `exports` map of package.json and the names each
 * entry exports at run time. Adding or removing a name is an API decision: change it
 * here on purpose. test/index.test.ts checks the sources, test/package/exports.test.ts
 * the built package.
 */
export const PUBLIC_ENTRIES: Readonly<Record<string, readonly string[]>> = {
  ".": [
    "DecidedBy",
    "DecisionKind",
    "DecisionRecord",
    "END_NODE",
    "ErrorCode",
    "OfflineAgentModel",
    "OfflineChatModel",
    "Runtime",
    "SignalboxError",
    "SqliteRunStore",
    "SupportData",
    "ToolRegistry",
    "WorkflowBuilder",
    "WorkflowRegistry",
    "anyoneMayApprove",
    "compareWithBaseline",
    "contextValue",
    "createAgentNode",
    "createApprovalNode",
    "createBuiltinWorkflows",
    "createChatAgent",
    "createLogger",
    "createMcpServer",
    "createPollingQueue",
    "createRouteNode",
    "createStepNode",
    "createSupportTriage",
    "createWorkflowState",
    "defineConfig",
    "defineEvalSuite",
    "defineTool",
    "defineWorkflow",
    "directoryClassifierCache",
    "detachedContext",
    "errorMessage",
    "isSignalboxError",
    "loadEvalSuite",
    "loadMcpTools",
    "readBaseline",
    "readMcpServersConfig",
    "requesterMayNotApprove",
    "runEval",
    "takenPath",
    "toMermaid",
    "updateBaseline",
  ],
  "./testing": [
    "ScriptedChatModel",
    "createScriptedDecider",
    "promptText",
    "startOpenAiTestServer",
  ],
  "./postgres": ["PostgresRunStore", "createPostgresQueue", "openPostgres"],
  "./server": ["MCP_PATH", "createHttpHandler", "serveStdio", "startHttpServer"],
};

/** The exports map's keys: the entries above and the package manifest. */
export const EXPORT_MAP_KEYS = [...Object.keys(PUBLIC_ENTRIES), "./package.json"];

import type { RunnableConfig } from "@langchain/core/runnables";
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from "@langchain/langgraph-checkpoint";

/** What a {@link GuardedCheckpointer} does around the saver it wraps. */
export interface CheckpointGuard {
  /** Runs before every write with the thread it writes to; throwing stops the write. */
  readonly beforeWrite?: (threadId: string | undefined) => Promise<void>;
  /** Runs each write (and read), e.g. retrying a busy database without blocking. */
  readonly attempt?: <T>(operation: () => Promise<T>) => Promise<T>;
}

const once = <T>(operation: () => Promise<T>): Promise<T> => operation();

function threadOf(config: RunnableConfig): string | undefined {
  const id = config.configurable?.thread_id;
  return typeof id === "string" ? id : undefined;
}

/**
 * A LangGraph checkpointer that delegates to another and guards its writes: the
 * runtime checks the driver still holds the run before each checkpoint (fencing),
 * and the SQLite store retries a busy database asynchronously.
 */
export class GuardedCheckpointer extends BaseCheckpointSaver {
  constructor(
    private readonly inner: BaseCheckpointSaver,
    private readonly guard: CheckpointGuard,
  ) {
    super(inner.serde);
  }

  /** The same saver with another guard in front (the inner guards still apply). */
  with(guard: CheckpointGuard): GuardedCheckpointer {
    return new GuardedCheckpointer(this, guard);
  }

  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.attempt(() => this.inner.getTuple(config));
  }

  list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    return this.inner.list(config, options);
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    await this.guard.beforeWrite?.(threadOf(config));
    return this.attempt(() => this.inner.put(config, checkpoint, metadata, newVersions));
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    await this.guard.beforeWrite?.(threadOf(config));
    return this.attempt(() => this.inner.putWrites(config, writes, taskId, taskPath));
  }

  deleteThread(threadId: string): Promise<void> {
    return this.attempt(() => this.inner.deleteThread(threadId));
  }

  override getNextVersion(current: number | undefined): number {
    return this.inner.getNextVersion(current);
  }

  private attempt<T>(operation: () => Promise<T>): Promise<T> {
    return (this.guard.attempt ?? once)(operation);
  }
}

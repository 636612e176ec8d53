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

/** What a {@link GuardedCheckpointer} does around each call to the saver it wraps. */
export interface CheckpointGuard {
  /** Runs each read and write: the SQLite store retries a busy database without blocking. */
  readonly attempt: <T>(operation: () => Promise<T>) => Promise<T>;
}

/** A LangGraph checkpointer that delegates to another, each call through a guard. */
export class GuardedCheckpointer extends BaseCheckpointSaver {
  constructor(
    private readonly inner: BaseCheckpointSaver,
    private readonly guard: CheckpointGuard,
  ) {
    super(inner.serde);
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
    return this.attempt(() => this.inner.put(config, checkpoint, metadata, newVersions));
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    return this.attempt(() => this.inner.putWrites(config, writes, taskId, taskPath));
  }

  deleteThread(threadId: string): Promise<void> {
    return this.attempt(() => this.inner.deleteThread(threadId));
  }

  override getNextVersion(current: number | undefined): number {
    return this.inner.getNextVersion(current);
  }

  private attempt<T>(operation: () => Promise<T>): Promise<T> {
    return this.guard.attempt(operation);
  }
}

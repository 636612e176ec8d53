import type { RunnableConfig } from "@langchain/core/runnables";
import type {
  BaseCheckpointSaver,
  ChannelVersions,
  Checkpoint,
  CheckpointListOptions,
  CheckpointMetadata,
  CheckpointTuple,
  PendingWrite,
} from "@langchain/langgraph-checkpoint";

type DeltaHistoryOptions = Parameters<BaseCheckpointSaver["getDeltaChannelHistory"]>[0];

/**
 * A checkpointer that loads the real one on first use (issue 10: `signalbox runs` and
 * `show` read runs, never checkpoints, and LangGraph's checkpoint library costs as much
 * CPU to import as LangGraph itself). It imports nothing from LangChain at run time, so
 * it cannot extend `BaseCheckpointSaver`; it implements what LangGraph calls on a saver
 * (no `instanceof` check there) and hands every call to the loaded one.
 */
export class LazyCheckpointer {
  private loaded: BaseCheckpointSaver | undefined;
  private loading: Promise<BaseCheckpointSaver> | undefined;

  constructor(private readonly load: () => Promise<BaseCheckpointSaver>) {}

  /**
   * The real checkpointer, loaded once. A load that failed is not kept: the next call
   * tries again, so one failure (a busy database, say) does not fail every later
   * checkpoint read and write of the process.
   */
  saver(): Promise<BaseCheckpointSaver> {
    if (this.loaded !== undefined) return Promise.resolve(this.loaded);
    this.loading ??= this.load().then(
      (saver) => {
        this.loaded = saver;
        return saver;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  /** The loaded saver's serializer (LangGraph does not read it; callers that do, load first). */
  get serde(): BaseCheckpointSaver["serde"] {
    if (this.loaded === undefined)
      throw new Error("the checkpointer is not loaded yet: await a read or write first");
    return this.loaded.serde;
  }

  async get(config: RunnableConfig): Promise<Checkpoint | undefined> {
    return (await this.saver()).get(config);
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return (await this.saver()).getTuple(config);
  }

  async *list(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple> {
    yield* (await this.saver()).list(config, options);
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    return (await this.saver()).put(config, checkpoint, metadata, newVersions);
  }

  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    return (await this.saver()).putWrites(config, writes, taskId, taskPath);
  }

  async deleteThread(threadId: string): Promise<void> {
    return (await this.saver()).deleteThread(threadId);
  }

  async getDeltaChannelHistory(options: DeltaHistoryOptions) {
    return (await this.saver()).getDeltaChannelHistory(options);
  }

  /** Numeric versions, as `BaseCheckpointSaver` and the SQLite saver count them. */
  getNextVersion(current: number | undefined): number {
    if (typeof current === "string") throw new Error("string versions are not supported");
    return typeof current === "number" ? current + 1 : 1;
  }

  toJSON(): string {
    return "[LazyCheckpointer]";
  }
}

/** The lazy checkpointer typed as what LangGraph and the RunStore interface expect. */
export function lazyCheckpointer(load: () => Promise<BaseCheckpointSaver>): BaseCheckpointSaver {
  return new LazyCheckpointer(load) as unknown as BaseCheckpointSaver;
}

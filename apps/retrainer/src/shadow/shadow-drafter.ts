import { ModelHandle, silentLogger } from '@radflow/model-runtime';

export interface DraftOptions {
  maxNewTokens: number;
  threads: number;
}

/**
 * Drafts impressions from findings with the models under comparison, as the enricher asks for them (the
 * `impression` task). Keeps each model loaded while it is compared, and no others: at most the candidate and the
 * serving model are in memory.
 */
export class ShadowDrafter {
  private readonly handles = new Map<string, Promise<ModelHandle>>();

  constructor(private readonly options: DraftOptions) {}

  /** Each model's draft for the findings, in the order of `modelDirs`; models not listed are released. */
  async draft(modelDirs: readonly string[], findings: string): Promise<string[]> {
    await this.keepOnly(modelDirs);
    return Promise.all(
      modelDirs.map(async (dir) => {
        const out = await (
          await this.handle(dir)
        ).runTask(
          'impression',
          { findings },
          { deadlineMs: 5 * 60_000, maxNewTokens: this.options.maxNewTokens },
        );
        return out.answer?.format === 'text' ? out.answer.text : out.text;
      }),
    );
  }

  /** Releases every model (no candidate in shadow, or shutdown). */
  release(): Promise<void> {
    return this.keepOnly([]);
  }

  private handle(dir: string): Promise<ModelHandle> {
    let handle = this.handles.get(dir);
    if (!handle) {
      handle = ModelHandle.load(dir, { threads: this.options.threads, logger: silentLogger });
      // A failed load is not kept: the next report tries again.
      handle.catch(() => this.handles.delete(dir));
      this.handles.set(dir, handle);
    }
    return handle;
  }

  private async keepOnly(dirs: readonly string[]): Promise<void> {
    const gone = [...this.handles].filter(([dir]) => !dirs.includes(dir));
    for (const [dir] of gone) this.handles.delete(dir);
    await Promise.all(
      gone.map(async ([, handle]) => (await handle.catch(() => undefined))?.drainAndRelease()),
    );
  }
}

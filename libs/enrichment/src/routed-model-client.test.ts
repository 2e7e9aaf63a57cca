import { describe, expect, it } from 'vitest';
import type { RadiologyReport } from '@radflow/schemas';
import type { TaskOptions, TaskRunner } from './draft-with-model.ts';
import type { ModelRoute } from './model-route.ts';
import { MODEL_NOT_FOUND, RoutedModelClient } from './routed-model-client.ts';

const serving = { name: 'radflow-cxr', version: '0.4.0' };
const report = {
  accession: 'ACC-1',
  text: 'FINDINGS: Left effusion.',
  sections: { findings: 'Left effusion.' },
} as unknown as RadiologyReport;

/** A model service holding the serving version and the versions listed: it answers as the version asked for. */
function service(held: { name: string; version: string }[]) {
  const asked: (TaskOptions['model'] | undefined)[] = [];
  const runner: TaskRunner = {
    runTask: async (task, _inputs, options) => {
      asked.push(options.model);
      const model = options.model ?? serving;
      if (!held.some((h) => h.name === model.name && h.version === model.version) && options.model)
        throw Object.assign(new Error('not held'), { code: MODEL_NOT_FOUND });
      return { model, answer: task === 'impression' ? { format: 'text', text: 'Effusion.' } : null };
    },
  };
  return { runner, asked };
}

const canary: ModelRoute = { name: 'radflow-cxr', version: '0.5.0', route: 'canary' };

describe('RoutedModelClient', () => {
  it('asks for the routed version and records the route on the draft', async () => {
    const { runner, asked } = service([{ name: 'radflow-cxr', version: '0.5.0' }]);
    const draft = await new RoutedModelClient(runner, async () => canary).draft(report, undefined, 1000);
    expect(draft.model).toEqual({ name: 'radflow-cxr', version: '0.5.0', route: 'canary' });
    expect(draft.draftImpression).toBe('Effusion.');
    expect(asked).toEqual([canary, canary, canary].map(({ name, version }) => ({ name, version })));
  });

  it('asks the serving model, recording no route, when nothing routed the report', async () => {
    const { runner, asked } = service([]);
    const draft = await new RoutedModelClient(runner, async () => undefined).draft(report, undefined, 1000);
    expect(draft.model).toEqual(serving);
    expect(asked).toEqual([undefined, undefined, undefined]);
  });

  it('falls back to the serving model for a version the service does not hold, and says so', async () => {
    const { runner } = service([]);
    const fallbacks: string[] = [];
    const client = new RoutedModelClient(runner, async () => canary, {
      onFallback: (_report, route, code) => fallbacks.push(`${route.route}:${code}`),
    });
    const draft = await client.draft(report, undefined, 1000);
    expect(draft.model).toEqual({ ...serving, route: 'serving' });
    expect(fallbacks).toEqual(['canary:MODEL_NOT_FOUND']);
  });

  it('does not name a route the answer did not come from', async () => {
    // A runner that ignores the selector (an enricher with a model of its own that cannot load versions).
    const runner: TaskRunner = { runTask: async () => ({ model: serving, answer: null }) };
    const draft = await new RoutedModelClient(runner, async () => canary).draft(report, undefined, 1000);
    expect(draft.model).toEqual(serving);
  });

  it('falls back too when the version is registered but cannot be loaded (directory gone or outside the roots)', async () => {
    for (const code of ['MODEL_LOAD_FAILED', 'MODEL_DIR_NOT_ALLOWED']) {
      const runner: TaskRunner = {
        runTask: async (_task, _inputs, options) => {
          if (options.model) throw Object.assign(new Error('cannot load'), { code });
          return { model: serving, answer: null };
        },
      };
      const draft = await new RoutedModelClient(runner, async () => canary).draft(report, undefined, 1000);
      expect(draft.model).toEqual({ ...serving, route: 'serving' });
    }
  });

  it('lets other failures through: the enricher then degrades to rules', async () => {
    const runner: TaskRunner = {
      runTask: async () =>
        Promise.reject(Object.assign(new Error('deadline'), { code: 'DEADLINE_EXCEEDED' })),
    };
    await expect(
      new RoutedModelClient(runner, async () => canary).draft(report, undefined, 1000),
    ).rejects.toThrow(/deadline/);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cachedBase = `${repoRoot}.cache/retrainer-e2e/base`;
const shippedSmall = `${repoRoot}models/radflow-cxr-small`;

/**
 * How much longer the retraining e2e tests wait when RETRAIN_E2E_BASE_MODEL names another base (radflow-cxr trains an
 * adapter in minutes, not seconds): their timeouts are multiplied by it.
 */
export const e2eBaseSlowdown = process.env.RETRAIN_E2E_BASE_MODEL ? 6 : 1;

/**
 * The model the retraining loop starts from. It must already do the tasks a little (a shuffled-target candidate
 * can only be shown worse than a model that is any good), and be small enough for a few CPU steps:
 * RETRAIN_E2E_BASE_MODEL when set (e.g. .cache/models/radflow-cxr, the default model: tens of minutes per adapter
 * on 2 cores), else the shipped radflow-cxr-small (the whole loop in about 110 s), else a 2-layer model trained once with models/training/train.py and cached under
 * .cache/retrainer-e2e/base (about 5 minutes on 2 busy cores, the first time only).
 */
export function e2eBaseModel(): string {
  const fromEnv = process.env.RETRAIN_E2E_BASE_MODEL;
  if (fromEnv) {
    if (!existsSync(`${fromEnv}/radflow-model.json`))
      throw new Error(`RETRAIN_E2E_BASE_MODEL=${fromEnv} has no radflow-model.json`);
    return fromEnv;
  }
  if (existsSync(`${shippedSmall}/radflow-model.json`)) return shippedSmall;
  if (existsSync(`${cachedBase}/radflow-model.json`)) return cachedBase;
  const args = [
    `${repoRoot}models/training/train.py`,
    '--no-stage1',
    '--layers',
    '2',
    '--d-model',
    '128',
    '--heads',
    '4',
    '--vocab-size',
    '2048',
    '--context',
    '512',
    '--stage2-max-steps',
    '300',
    '--lr2',
    '2e-3',
    '--dropout',
    '0.0',
    '--eval-every',
    '1000',
    '--val-subset',
    '50',
    '--sanity-n',
    '20',
    '--no-quantize',
    '--name',
    'radflow-e2e-base',
    '--version',
    '0.1.0',
    '--out',
    `${repoRoot}.cache/retrainer-e2e/base-run`,
    '--export',
    cachedBase,
  ];
  const result = spawnSync('/usr/bin/python3', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (result.status !== 0 || !existsSync(`${cachedBase}/radflow-model.json`)) {
    throw new Error(
      `building the e2e base model failed (exit ${result.status}): run /usr/bin/python3 ${args.join(' ')}`,
    );
  }
  return cachedBase;
}

import { join } from 'node:path';
import { ActiveBatch, Sequence } from '../active-batch.ts';
import { readDecoderConfig } from '../decoder-config.ts';
import { DecoderRunner } from '../decoder-runner.ts';
import { createDecoderSession } from '../decoder-session.ts';
import { silentLogger } from '../logger.ts';
import { readManifest } from '../manifest.ts';
import { TextTokenizer } from '../text-tokenizer.ts';
import { readParity } from './tiny-model.ts';

/** A model directory opened down to its decoding loop (one CPU thread), with its parity.json. */
export async function openDecoder(dir: string) {
  const manifest = readManifest(dir);
  const config = readDecoderConfig(dir, manifest.config);
  const tokenizer = TextTokenizer.load(dir, manifest, config.eosTokenIds, config.padTokenId);
  const { session, signature } = await createDecoderSession(
    dir,
    join(dir, manifest.onnx.model),
    config,
    { providers: ['cpu'], threads: 1 },
    silentLogger,
  );
  const runner = new DecoderRunner(session, signature, tokenizer.padId, config.vocabSize);
  return { dir, manifest, config, tokenizer, session, signature, runner, parity: readParity(dir) };
}

/**
 * parity.json's decoding: greedy, exactly `maxNewTokens` tokens per prompt, no stop at end-of-text; `adapters`: each
 * prompt's adapter in a model whose adapters are routed per row.
 */
export async function greedyIds(
  runner: DecoderRunner,
  prompts: readonly number[][],
  maxNewTokens: number,
  adapters: readonly number[] = [],
): Promise<number[][]> {
  const batch = new ActiveBatch(runner, new Set());
  const sequences = prompts.map((ids, i) => new Sequence(ids, maxNewTokens, undefined, 0, adapters[i] ?? 0));
  await batch.admit(sequences);
  while (batch.size > 0) await batch.step();
  return sequences.map((s) => s.tokens);
}

/** Inputs for every Rad-Phi2 task, written for the tests (no patient data). */
export const sampleTaskInputs = {
  report: 'FINDINGS: Mild cardiomegaly. Small left pleural effusion. IMPRESSION: Cardiomegaly.',
  priorReport: 'FINDINGS: Normal heart size. No effusion.',
  findings: 'Mild cardiomegaly. Small left pleural effusion.',
  text: 'Interval increase of the small left pleural effusion.',
  question: 'Is there an effusion?',
};

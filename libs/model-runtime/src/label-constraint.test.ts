import fc from 'fast-check';
import { formatLabels, parseLabels, taskCatalog, type LabelVocabulary } from '@radflow/prompts';
import { describe, expect, it } from 'vitest';
import { readDecoderConfig } from './decoder-config.ts';
import { LabelGrammar } from './label-constraint.ts';
import { readManifest } from './manifest.ts';
import { TextTokenizer } from './text-tokenizer.ts';
import { tinyModelDir } from './testing/tiny-model.ts';

const manifest = readManifest(tinyModelDir);
const config = readDecoderConfig(tinyModelDir, manifest.config);
const tokenizer = TextTokenizer.load(tinyModelDir, manifest, config.eosTokenIds, config.padTokenId);

for (const task of ['abnormality_labels', 'device_labels'] as const) {
  const vocabulary = taskCatalog.tasks[task].vocabulary as LabelVocabulary;
  const grammar = new LabelGrammar(
    vocabulary,
    (text) => tokenizer.encodeFragment(text),
    tokenizer.endOfTextId,
  );

  describe(`label grammar for ${task} (real tokenizer)`, () => {
    it('accepts the canonical tokenization of every label set, token by token', () => {
      fc.assert(
        fc.property(fc.subarray(vocabulary.ids), (labels) => {
          const constraint = grammar.start();
          const answer = [
            ...tokenizer.encodeFragment(formatLabels(labels, vocabulary)),
            tokenizer.endOfTextId,
          ];
          for (const token of answer) {
            expect(constraint.allowed()).toContain(token);
            constraint.advance(token);
          }
          expect(answer.length).toBeLessThanOrEqual(grammar.maxTokens);
        }),
        { numRuns: 100 },
      );
    });

    it('whatever the model prefers, the answer parses to vocabulary labels in order', () => {
      fc.assert(
        fc.property(fc.infiniteStream(fc.nat()), (choices) => {
          const constraint = grammar.start();
          const iterator = choices[Symbol.iterator]();
          const tokens: number[] = [];
          for (let step = 0; step <= grammar.maxTokens; step += 1) {
            const allowed = constraint.allowed();
            expect(allowed.length).toBeGreaterThan(0);
            const token = allowed[(iterator.next().value as number) % allowed.length] as number;
            if (token === tokenizer.endOfTextId) break;
            tokens.push(token);
            constraint.advance(token);
            expect(step).toBeLessThan(grammar.maxTokens);
          }
          const labels = parseLabels(task, tokenizer.decode(tokens), vocabulary);
          expect(formatLabels(labels, vocabulary)).toBe(tokenizer.decode(tokens).trim());
        }),
        { numRuns: 100 },
      );
    });

    it('allows only end-of-text after the none answer', () => {
      const constraint = grammar.start();
      for (const token of tokenizer.encodeFragment(vocabulary.noneAnswer)) constraint.advance(token);
      expect(constraint.allowed()).toEqual([tokenizer.endOfTextId]);
    });
  });
}

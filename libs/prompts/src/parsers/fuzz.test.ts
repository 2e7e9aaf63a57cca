import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_NAMES, taskCatalog, type TaskName } from '../catalog.ts';
import { ModelOutputParseError } from '../errors.ts';
import { parseAnswer, type ParsedAnswer } from './parse-answer.ts';
import { PROGRESSIONS } from './progression.ts';

// Seeded so a failure reproduces; raise FUZZ_RUNS locally for a longer search.
const SEED = 20261123;
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const specialTokens = { endOfText: '<endoftext>', pad: '<pad>' };

// Pieces a small model really emits: label ids, section headings, progression words, separators, special tokens,
// punctuation, whitespace and arbitrary unicode, in any order and amount.
const labelIds = [...new Set(TASK_NAMES.flatMap((task) => taskCatalog.tasks[task].vocabulary?.ids ?? []))];
const piece = fc.oneof(
  fc.constantFrom(...labelIds),
  fc.constantFrom('none', 'None.', 'Added:', 'Removed:', 'added:', 'REMOVED:', ...PROGRESSIONS),
  fc.constantFrom(', ', ',', '; ', ';', ': ', ':', '.', '\n', ' ', '\t', '  '),
  fc.constantFrom('<endoftext>', '<pad>', '<instruct>', '<output>', '<endoftext><pad><pad>'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const noise = fc.oneof(
  fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join('')),
  fc.string({ maxLength: 200 }),
  // Long repetition, the failure mode of a small model.
  fc.tuple(piece, fc.integer({ min: 50, max: 2000 })).map(([p, times]) => p.repeat(times)),
);
const finding = fc.oneof(fc.constantFrom(...labelIds), fc.string({ minLength: 1, maxLength: 20 }));
const casing = fc.constantFrom(
  (t: string) => t,
  (t: string) => t.toUpperCase(),
  (t: string) => t.replace(/^./, (c) => c.toUpperCase()),
);
const ending = fc.constantFrom('', '.', '<endoftext>', '.<endoftext><pad>', ' \n');
// Answers in (or near) each task's format, so the accepting paths are searched as hard as the refusing ones.
const nearFormat: Record<string, fc.Arbitrary<string>> = {
  labels: fc
    .tuple(fc.shuffledSubarray(labelIds), fc.constantFrom(', ', ',', ' , '), casing, ending, fc.boolean())
    .map(
      ([labels, separator, cased, end, doubled]) =>
        cased([...labels, ...(doubled ? labels.slice(0, 1) : [])].join(separator) || 'none') + end,
    ),
  added_removed: fc
    .tuple(fc.array(finding, { maxLength: 4 }), fc.array(finding, { maxLength: 4 }), fc.boolean(), ending)
    .map(([added, removed, swapped, end]) => {
      const sides = [`Added: ${added.join(', ') || 'none'}.`, `Removed: ${removed.join(', ') || 'none'}.`];
      return (swapped ? sides.reverse() : sides).join(' ') + end;
    }),
  progression: fc
    .array(fc.tuple(finding, fc.constantFrom(...PROGRESSIONS, 'better', '')), { maxLength: 5 })
    .chain((entries) =>
      ending.map((end) => (entries.map(([f, p]) => `${f}: ${p}`).join('; ') || 'none') + end),
    ),
  text: fc.array(finding, { maxLength: 6 }).map((words) => words.join(' ')),
};
const taskAndOutput = fc
  .constantFrom(...TASK_NAMES)
  .chain((task) =>
    fc.tuple(
      fc.constant(task),
      fc.oneof(noise, nearFormat[taskCatalog.tasks[task].answer] as fc.Arbitrary<string>),
    ),
  );

/** What a parsed answer must look like for its task's format, beyond "did not throw". */
function assertWellFormed(task: TaskName, answer: ParsedAnswer): void {
  const template = taskCatalog.tasks[task];
  expect(answer.format).toBe(template.answer);
  if (answer.format === 'labels') {
    const ids = template.vocabulary?.ids ?? [];
    expect(answer.labels.every((label) => ids.includes(label))).toBe(true);
    expect(new Set(answer.labels).size).toBe(answer.labels.length);
    // Vocabulary order, as the constrained decoder writes them.
    expect(answer.labels).toEqual(ids.filter((id) => answer.labels.includes(id)));
  } else if (answer.format === 'added_removed') {
    for (const finding of [...answer.added, ...answer.removed]) expect(finding.trim()).not.toBe('');
  } else if (answer.format === 'progression') {
    for (const entry of answer.progression) {
      expect(PROGRESSIONS).toContain(entry.progression);
      expect(entry.finding.trim()).not.toBe('');
    }
  } else {
    expect(typeof answer.text).toBe('string');
  }
}

describe('model-output parsers under fuzzing', () => {
  it('return a well-formed answer or a typed ModelOutputParseError, for every task, never anything else', () => {
    const outcomes = { parsed: 0, refused: 0 };
    fc.assert(
      fc.property(taskAndOutput, ([task, output]) => {
        let answer: ParsedAnswer;
        try {
          answer = parseAnswer(task, output, specialTokens);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelOutputParseError);
          const typed = error as ModelOutputParseError;
          // A refusal names a reason about the output; "internal parser failure" would be a bug of ours.
          expect(typed.reason).not.toMatch(/^internal parser failure/);
          expect(typed.task).toBe(task);
          // Errors carry a fingerprint and length, not the output itself.
          expect(typed.outputLength).toBe(output.length);
          if (output.length > 40) expect(typed.message).not.toContain(output);
          outcomes.refused += 1;
          return;
        }
        assertWellFormed(task, answer);
        outcomes.parsed += 1;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator reaches both sides, so neither check above is vacuous.
    expect(outcomes.parsed).toBeGreaterThan(RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 20);
  });
});

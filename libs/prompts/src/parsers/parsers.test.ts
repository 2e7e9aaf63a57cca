import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_NAMES, taskCatalog, type LabelVocabulary } from '../catalog.ts';
import { ModelOutputParseError, UnknownLabelError } from '../errors.ts';
import { formatAddedRemoved, parseAddedRemoved } from './added-removed.ts';
import { parseFreeText } from './free-text.ts';
import { formatLabels, parseLabels } from './labels.ts';
import { parseAnswer } from './parse-answer.ts';
import { formatProgression, parseProgression } from './progression.ts';

const abnormality = taskCatalog.tasks.abnormality_labels.vocabulary as LabelVocabulary;
const devices = taskCatalog.tasks.device_labels.vocabulary as LabelVocabulary;

describe('parseLabels', () => {
  it('maps labels to vocabulary ids in vocabulary order, case-insensitive, deduplicated', () => {
    const labels = parseLabels(
      'abnormality_labels',
      'Pleural Effusion, atelectasis, pleural effusion.<endoftext>junk',
      abnormality,
    );
    expect(labels).toEqual(['atelectasis', 'pleural effusion']);
  });

  it("reads 'none' as no labels", () => {
    expect(parseLabels('device_labels', ' none <endoftext>', devices)).toEqual([]);
    expect(parseLabels('device_labels', 'None.', devices)).toEqual([]);
  });

  it('lists unknown labels in a typed error without the rest of the output', () => {
    try {
      parseLabels('abnormality_labels', 'atelectasis, broken heart, pneumonia', abnormality);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownLabelError);
      expect(error).toBeInstanceOf(ModelOutputParseError);
      expect((error as UnknownLabelError).unknownLabels).toEqual(['broken heart']);
      expect((error as Error).message).not.toContain('pneumonia');
    }
  });

  it('rejects empty answers and none mixed with labels', () => {
    expect(() => parseLabels('abnormality_labels', '<endoftext>', abnormality)).toThrow(
      ModelOutputParseError,
    );
    expect(() => parseLabels('abnormality_labels', 'none, mass', abnormality)).toThrow(/mixed/);
  });

  it('round-trips the canonical format', () => {
    fc.assert(
      fc.property(fc.subarray(devices.ids), (labels) => {
        expect(parseLabels('device_labels', formatLabels(labels, devices), devices)).toEqual(
          devices.ids.filter((id) => labels.includes(id)),
        );
      }),
    );
  });
});

describe('parseAddedRemoved', () => {
  it('parses both sections', () => {
    expect(
      parseAddedRemoved(
        'temporal_findings',
        'Added: pleural effusion, 1.5 cm nodule. Removed: none.<endoftext>',
      ),
    ).toEqual({
      added: ['pleural effusion', '1.5 cm nodule'],
      removed: [],
    });
  });

  it('accepts either order and any case', () => {
    expect(parseAddedRemoved('temporal_findings', 'removed: edema added: none')).toEqual({
      added: [],
      removed: ['edema'],
    });
  });

  it('rejects a missing section', () => {
    expect(() => parseAddedRemoved('temporal_findings', 'Added: edema')).toThrow(/Removed/);
  });

  it('round-trips the canonical format', () => {
    const finding = fc
      .stringMatching(/^[a-z][a-z0-9 ]{0,20}[a-z]$/)
      .filter((s) => !/added|removed|none/.test(s));
    fc.assert(
      fc.property(
        fc.array(finding, { maxLength: 4 }),
        fc.array(finding, { maxLength: 4 }),
        (added, removed) => {
          expect(parseAddedRemoved('temporal_findings', formatAddedRemoved({ added, removed }))).toEqual({
            added,
            removed,
          });
        },
      ),
    );
  });
});

describe('parseProgression', () => {
  it('parses finding: progression pairs', () => {
    expect(parseProgression('temporal_progression', 'pleural effusion: improved; edema: Worsened.')).toEqual([
      { finding: 'pleural effusion', progression: 'improved' },
      { finding: 'edema', progression: 'worsened' },
    ]);
    expect(parseProgression('temporal_progression', 'none')).toEqual([]);
  });

  it('rejects unknown progression words and entries without a colon', () => {
    expect(() => parseProgression('temporal_progression', 'edema: better')).toThrow(ModelOutputParseError);
    expect(() => parseProgression('temporal_progression', 'edema improved')).toThrow(/colon/);
  });

  it('round-trips the canonical format', () => {
    expect(formatProgression([{ finding: 'mass', progression: 'stable' }])).toBe('mass: stable');
    expect(
      parseProgression('temporal_progression', formatProgression([{ finding: 'mass', progression: 'new' }])),
    ).toEqual([{ finding: 'mass', progression: 'new' }]);
  });
});

describe('parseFreeText', () => {
  it('keeps the text before end-of-text, trimmed', () => {
    expect(parseFreeText('impression', '  No acute disease. <endoftext> trailing')).toBe('No acute disease.');
    expect(parseFreeText('impression', 'x<pad><pad>', { pad: '<pad>' })).toBe('x');
    expect(() => parseFreeText('impression', ' <endoftext>')).toThrow(ModelOutputParseError);
  });
});

describe('parseAnswer', () => {
  it('dispatches by the task answer format', () => {
    expect(parseAnswer('device_labels', 'picc, chest tube')).toMatchObject({
      format: 'labels',
      labels: ['picc', 'chest tube'],
    });
    expect(parseAnswer('impression', 'Normal.')).toEqual({ format: 'text', text: 'Normal.' });
    expect(() => parseAnswer('no_such_task', 'x')).toThrow(ModelOutputParseError);
  });

  it('never throws anything but ModelOutputParseError, whatever the model writes', () => {
    const pieces = fc.constantFrom(
      '<endoftext>',
      '<pad>',
      'added:',
      'removed:',
      'none',
      ', ',
      '; ',
      ':',
      '.',
      'improved',
      'atelectasis',
      'picc',
      '\n',
    );
    const output = fc.oneof(
      fc.string(),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...TASK_NAMES), output, (task, text) => {
        try {
          parseAnswer(task, text);
        } catch (error) {
          expect(error).toBeInstanceOf(ModelOutputParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

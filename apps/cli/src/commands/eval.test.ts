import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPrompt } from '@radflow/prompts';
import { runEval, type GenerateFn } from './eval.ts';
import { negbioHeader, negbioRow } from './negbio-csv.testing.ts';

const row = (uid: string, problems: string, findings: string, impression: string) => ({
  uid,
  problems,
  findings,
  impression,
});

const ROWS = [
  row('1', 'normal', 'Heart size normal. Lungs clear.', 'No acute cardiopulmonary abnormality.'),
  row('2', 'normal', 'Lungs clear.', 'No acute  cardiopulmonary abnormality.'),
  row('3', 'Cardiomegaly', 'Heart is enlarged.', 'Cardiomegaly.'),
  row('4', 'Pleural Effusion', 'Small left effusion.', 'Small left pleural effusion.'),
  row('5', 'Cardiomegaly', 'Heart is enlarged. No effusion.', 'Cardiomegaly.'),
  row('6', 'Cardiomegaly', 'Enlarged heart.', 'Cardiomegaly.'),
];

describe('runEval on a small inline data set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'radflow-eval-'));
  const reportsCsv = join(dir, 'reports.csv');
  const labelsCsv = join(dir, 'labels.csv');
  const header = 'uid,MeSH,Problems,image,indication,comparison,findings,impression';
  writeFileSync(
    reportsCsv,
    [
      header,
      ...ROWS.map((r) => `${r.uid},x,${r.problems},img,ind,none,"${r.findings}","${r.impression}"`),
    ].join('\n'),
  );
  writeFileSync(
    labelsCsv,
    [
      negbioHeader(),
      negbioRow('1', []),
      negbioRow('2', []),
      negbioRow('3', ['Cardiomegaly']),
      negbioRow('4', ['Effusion']),
      negbioRow('5', ['Cardiomegaly']),
      negbioRow('6', ['Cardiomegaly']),
    ].join('\n'),
  );

  it('scores an injected model beside the rules and the baseline and writes JSON and HTML', async () => {
    const calls: string[] = [];
    // A stand-in model for this unit test: echoes the first findings sentence, or labels from a keyword.
    const generate: GenerateFn = async (task, inputs) => {
      calls.push(`${task}:${inputs.length}`);
      // Report 2's draft names an effusion its findings never mention: the enricher's check takes it out.
      if (task === 'impression')
        return inputs.map((i) =>
          i.findings === 'Lungs clear.' ? 'Lungs clear, small effusion.' : i.findings!.split('.')[0]! + '.',
        );
      if (task === 'abnormality_labels')
        return inputs.map((i) => (/enlarged/i.test(i.report!) ? 'cardiomegaly' : 'none'));
      return inputs.map(() => 'none');
    };
    const lines: string[] = [];
    const outDir = join(dir, 'out');
    const results = await runEval({
      task: 'all',
      reportsCsv,
      labelsCsv,
      outDir,
      generate,
      model: { name: 'stub', version: '0' },
      resamples: 50,
      batchSize: 4,
      print: (l) => lines.push(l),
      splitsDir: join(dir, 'no-splits'),
    });
    expect(calls).toEqual([
      'impression:4',
      'impression:2',
      'abnormality_labels:4',
      'abnormality_labels:2',
      'device_labels:4',
      'device_labels:2',
    ]);
    expect(Object.keys(results.impression!.systems)).toEqual(['stub', 'enricher (checked)', 'baseline']);
    const drafts = readFileSync(join(outDir, 'impressions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(drafts.find((d) => d.uid === '2')).toEqual({
      uid: '2',
      draft: 'Lungs clear, small effusion.',
      checked: 'Lungs clear.',
      edits: [{ kind: 'unsupported-finding-removed', label: 'pleural effusion' }],
      signed: 'No acute  cardiopulmonary abnormality.',
    });
    expect(drafts.filter((d) => 'checked' in d)).toHaveLength(1);
    const labels = results.labels!.systems;
    expect(Object.keys(labels)).toEqual([
      'stub',
      'rules',
      'enricher (merged)',
      'merged if rules-then-model',
      'baseline',
    ]);
    // stub finds the 3 cardiomegaly reports and misses the effusion: micro P 1, R 3/4
    expect(labels['stub']!.all!.scores.micro).toMatchObject({ tp: 3, fp: 0, fn: 1 });
    expect(labels['rules']!.all!.scores.micro).toMatchObject({ tp: 4, fp: 0, fn: 0 });
    // what the enricher emits (rules by default): the rules' effusion beside the cardiomegaly both found
    expect(labels['enricher (merged)']!.all!.scores.micro).toMatchObject({ tp: 4, fp: 0, fn: 0 });
    expect(labels['merged if rules-then-model']!.all!.scores.micro).toMatchObject({ tp: 4, fp: 0, fn: 0 });
    // the most frequent NegBio label set of these rows is {cardiomegaly}: predicted for all six reports
    expect(labels['baseline']!.all!.scores.micro).toMatchObject({ tp: 3, fp: 3, fn: 1 });
    expect(results.labels!.unparsed).toBe(0);
    expect(lines.join('\n')).toContain('ROUGE-L');
    const json = JSON.parse(readFileSync(join(outDir, 'eval-results.json'), 'utf8'));
    expect(json.model).toEqual({ name: 'stub', version: '0' });
    expect(readFileSync(join(outDir, 'eval-report.html'), 'utf8')).toContain('<svg');
    // each labelled report's model labels beside NegBio's, to read the misses (report 4's effusion)
    const perReport = readFileSync(join(outDir, 'labels.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(perReport).toHaveLength(6);
    expect(perReport.find((r) => r.uid === '4')).toEqual({
      uid: '4',
      model: [],
      negbio: ['pleural effusion'],
    });
    expect(perReport.find((r) => r.uid === '3')).toEqual({
      uid: '3',
      model: ['cardiomegaly'],
      negbio: ['cardiomegaly'],
    });
  });

  it('counts and skips reports with neither findings nor impression in every task (never asks the model)', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'radflow-eval-empty-'));
    const withEmpty = join(emptyDir, 'reports.csv');
    const withEmptyLabels = join(emptyDir, 'labels.csv');
    const rows = [
      ...ROWS,
      row('7', 'normal', '', ''),
      row('8', 'normal', '  ', ' '),
      row('9', 'Cardiomegaly', '', 'Cardiomegaly.'),
    ];
    writeFileSync(
      withEmpty,
      [
        header,
        ...rows.map((r) => `${r.uid},x,${r.problems},img,ind,none,"${r.findings}","${r.impression}"`),
      ].join('\n'),
    );
    // Open-i's empty reports have NegBio rows (all "normal"), so the labels task reaches them.
    writeFileSync(
      withEmptyLabels,
      [
        readFileSync(labelsCsv, 'utf8'),
        negbioRow('7', []),
        negbioRow('8', []),
        negbioRow('9', ['Cardiomegaly']),
      ].join('\n'),
    );
    // Builds the prompt as the model runtime does: an empty report throws PromptInputError there.
    const asked: string[] = [];
    const generate: GenerateFn = async (task, inputs) =>
      inputs.map((input) => {
        buildPrompt(task, input);
        asked.push(`${task}:${input.report ?? input.findings}`);
        return task === 'impression' ? 'Cardiomegaly.' : 'none';
      });
    const lines: string[] = [];
    const results = await runEval({
      task: 'all',
      reportsCsv: withEmpty,
      labelsCsv: withEmptyLabels,
      generate,
      resamples: 20,
      print: (l) => lines.push(l),
      splitsDir: join(emptyDir, 'no-splits'),
    });
    expect(results.reports).toBe(9);
    expect(results.impression!.counts.all).toBe(6);
    expect(results.impression!.skipped).toEqual({ empty: 2, noFindings: 1, noImpression: 0 });
    expect(results.labels!.counts.all).toBe(7);
    expect(results.labels!.skipped).toEqual({ empty: 2, noReference: 0 });
    expect(results.devices!.counts.all).toBe(7);
    expect(results.devices!.skipped).toEqual({ empty: 2 });
    expect(asked.some((a) => a.endsWith(':') || a.endsWith(':undefined'))).toBe(false);
    const printed = lines.join('\n');
    expect(printed.match(/2 report\(s\) skipped: neither findings nor impression/g)).toHaveLength(3);
    expect(printed).toContain('1 report(s) skipped: no findings');
  });

  it('refuses the labels task without a labels CSV', async () => {
    await expect(runEval({ task: 'labels', reportsCsv, print: () => {} })).rejects.toThrow(/labels CSV/);
  });

  it('honours uids and limit', async () => {
    const results = await runEval({
      task: 'impression',
      reportsCsv,
      uids: ['3', '4', '5'],
      limit: 2,
      resamples: 20,
      print: () => {},
    });
    expect(results.reports).toBe(2);
    expect(results.impression!.counts.all).toBe(2);
  });
});

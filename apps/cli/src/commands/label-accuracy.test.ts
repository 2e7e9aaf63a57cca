import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalInputError, readNegbioCsv, runLabelAccuracy } from './label-accuracy.ts';
import { negbioHeader, negbioRow } from './negbio-csv.testing.ts';

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'radflow-la-'));
  const reportsCsv = join(dir, 'reports.csv');
  const labelsCsv = join(dir, 'labels.csv');
  writeFileSync(
    reportsCsv,
    [
      'uid,MeSH,Problems,image,indication,comparison,findings,impression',
      '1,normal,normal,i,i,c,"No pneumothorax or effusion.","No acute disease."',
      '2,x,Cardiomegaly,i,i,c,"The heart is enlarged.","Cardiomegaly."',
      '3,x,Pneumonia,i,i,c,"Right lower lobe opacity.","This may represent pneumonia."',
      '4,x,Effusion,i,i,c,,"Large left pleural effusion."',
    ].join('\n'),
  );
  writeFileSync(
    labelsCsv,
    [
      negbioHeader(),
      negbioRow('1', []),
      negbioRow('2', ['Cardiomegaly']),
      negbioRow('3', ['Pneumonia']),
      negbioRow('4', ['Effusion']),
    ].join('\n'),
  );
  return { dir, reportsCsv, labelsCsv };
}

describe('runLabelAccuracy', () => {
  it('scores the rule labeler per label with micro and macro, uncertain as negative by default', async () => {
    const { reportsCsv, labelsCsv } = fixture();
    const lines: string[] = [];
    const result = await runLabelAccuracy({
      reportsCsv,
      labelsCsv,
      resamples: 50,
      print: (l) => lines.push(l),
    });
    expect(result.reports).toBe(4);
    expect(result.uncertain).toBe('negative');
    // "may represent pneumonia" is uncertain, hence a miss under the NegBio convention.
    expect(result.rules.scores.micro).toMatchObject({ tp: 2, fp: 0, fn: 1 });
    expect(result.rules.scores.perLabel.find((s) => s.label === 'pneumonia')).toMatchObject({ tp: 0, fn: 1 });
    expect(lines.join('\n')).toContain('Cardiomegaly');
    expect(lines.join('\n')).toContain('micro');
  });

  it('counts uncertain as positive on request and shows the model beside the rules', async () => {
    const { reportsCsv, labelsCsv } = fixture();
    const modelLabels = new Map<string, string[]>([
      ['2', ['cardiomegaly']],
      ['3', ['pneumonia', 'pleural effusion']],
    ]);
    const result = await runLabelAccuracy({
      reportsCsv,
      labelsCsv,
      uncertain: 'positive',
      resamples: 50,
      modelLabels,
      modelName: 'tiny',
      print: () => {},
    });
    expect(result.rules.scores.micro).toMatchObject({ tp: 3, fp: 0, fn: 0 });
    expect(result.model!.scores.micro).toMatchObject({ tp: 2, fp: 1, fn: 1 });
    expect(result.table).toContain('tiny F1');
  });

  it('leaves out, and names, the labels the reference never marks present', async () => {
    const { reportsCsv, labelsCsv } = fixture();
    const lines: string[] = [];
    const result = await runLabelAccuracy({
      reportsCsv,
      labelsCsv,
      resamples: 50,
      modelLabels: new Map([['1', ['atelectasis']]]),
      print: (l) => lines.push(l),
    });
    // The fixture's reference marks only cardiomegaly, pneumonia and effusion: a model atelectasis is not scored.
    expect(result.labels.map((l) => l.id).sort()).toEqual(['cardiomegaly', 'pleural effusion', 'pneumonia']);
    expect(result.model!.scores.micro).toMatchObject({ fp: 0 });
    expect(lines.join('\n')).toMatch(
      /not scored \(the reference marks it present in none of its 4 rows\): atelectasis, .*hernia/,
    );
  });

  it('filters by uid and counts what it skipped', async () => {
    const { reportsCsv, labelsCsv } = fixture();
    const result = await runLabelAccuracy({
      reportsCsv,
      labelsCsv,
      uids: ['2', '99'],
      resamples: 20,
      print: () => {},
    });
    expect(result.reports).toBe(1);
    expect(result.skipped).toBe(1);
    expect(result.empty).toBe(0);
  });

  it('counts and skips reports with neither findings nor impression, and says so', async () => {
    const { dir, reportsCsv, labelsCsv } = fixture();
    const reports = join(dir, 'with-empty.csv');
    const labels = join(dir, 'with-empty-labels.csv');
    writeFileSync(
      reports,
      readFileSync(reportsCsv, 'utf8') + '\n5,x,normal,i,i,c,,\n6,x,normal,i,i,c," "," "',
    );
    writeFileSync(
      labels,
      [readFileSync(labelsCsv, 'utf8'), negbioRow('5', []), negbioRow('6', [])].join('\n'),
    );
    const lines: string[] = [];
    const result = await runLabelAccuracy({
      reportsCsv: reports,
      labelsCsv: labels,
      resamples: 20,
      print: (l) => lines.push(l),
    });
    expect(result.reports).toBe(4);
    expect(result.empty).toBe(2);
    expect(result.skipped).toBe(0);
    expect(lines).toContain('2 report(s) skipped: neither findings nor impression');
  });

  it('gives a typed error naming the file for a labels CSV with a bad value', () => {
    const { dir } = fixture();
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, [negbioHeader(), negbioRow('1', []).replace(/,0,/, ',maybe,')].join('\n'));
    expect(() => readNegbioCsv(bad)).toThrow(EvalInputError);
    expect(() => readNegbioCsv(join(dir, 'missing.csv'))).toThrow(/cannot be read/);
  });
});

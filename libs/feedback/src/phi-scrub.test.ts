import { existsSync, readFileSync } from 'node:fs';
import { dataPath } from '@radflow/config';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { scrubPhi, scrubPhiWithSpans, type PhiKind } from './phi-scrub.ts';

const cases: { input: string; output: string; kinds: Partial<Record<PhiKind, number>> }[] = [
  {
    input: 'Findings discussed with Dr. John Smith at 10:30 a.m. on 03/12/2019 by telephone.',
    output: 'Findings discussed with Dr. XXXX at XXXX on XXXX by telephone.',
    kinds: { name: 1, time: 1, date: 1 },
  },
  { input: 'dr. smith was notified.', output: 'dr. XXXX was notified.', kinds: { name: 1 } },
  { input: "Mrs. O'Brien-Jones called back.", output: 'Mrs. XXXX called back.', kinds: { name: 1 } },
  {
    input: 'Reviewed by Prof. J. van der Berg today.',
    output: 'Reviewed by Prof. XXXX today.',
    kinds: { name: 1 },
  },
  {
    input: 'Results discussed with Emergency Department physician Smith.',
    output: 'Results discussed with Emergency Department physician XXXX.',
    kinds: { name: 1 },
  },
  {
    input: 'Findings called to the referring physician, Dr. Ed Lee, at 1430 hours.',
    output: 'Findings called to the referring physician, Dr. XXXX, at XXXX hours.',
    kinds: { name: 1, time: 1 },
  },
  {
    input: 'Electronically signed by: Jane A. Doe, MD on 2019-03-12T10:22:00Z',
    output: 'Electronically signed by: XXXX, MD on XXXX',
    kinds: { name: 1, date: 1 },
  },
  { input: 'Dictated by Robert Brown M.D.', output: 'Dictated by XXXX M.D.', kinds: { name: 1 } },
  { input: 'Attending: Maria Garcia', output: 'Attending: XXXX', kinds: { name: 1 } },
  {
    input: 'MRN: 12345678. Accession #ACC-2019-445566. Patient ID: AB12345.',
    output: 'MRN: XXXX. Accession #XXXX. Patient ID: XXXX.',
    kinds: { identifier: 3 },
  },
  { input: 'Order 987654 for exam E1234567.', output: 'Order XXXX for exam XXXX.', kinds: { identifier: 2 } },
  { input: 'SSN 123-45-6789 on file.', output: 'SSN XXXX on file.', kinds: { identifier: 1 } },
  {
    input: 'Call (555) 123-4567 ext. 22 or 555.987.6543, pager 4321.',
    output: 'Call XXXX or XXXX, pager XXXX.',
    kinds: { phone: 3 },
  },
  { input: 'Callback +1 617-555-0199 please.', output: 'Callback XXXX please.', kinds: { phone: 1 } },
  {
    input: 'Patient lives at 123 Main Street, Apt 4B, Springfield, IL 62704.',
    output: 'Patient lives at XXXX.',
    kinds: { address: 1 },
  },
  {
    input: 'Mail to P.O. Box 42 or Boston, MA 02115.',
    output: 'Mail to XXXX or XXXX.',
    kinds: { address: 2 },
  },
  {
    input: 'Email j.smith@hospital.org or see https://pacs.example.org/study/1.2.3.',
    output: 'Email XXXX or see XXXX.',
    kinds: { email: 1, url: 1 },
  },
  { input: 'Workstation 10.20.30.40 sent it.', output: 'Workstation XXXX sent it.', kinds: { ip: 1 } },
  {
    input: '85-year-old male. Age: 92. 67 yo female.',
    output: 'XXXX-year-old male. Age: XXXX. XXXX yo female.',
    kinds: { age: 3 },
  },
  {
    input: 'Comparison: March 3, 2019 and 4th of July 2018 and Jan 2017 and 5/12.',
    output: 'Comparison: XXXX and XXXX and XXXX and XXXX.',
    kinds: { date: 4 },
  },
  { input: 'Prior from 12-01-18 and 1.2.2020.', output: 'Prior from XXXX and XXXX.', kinds: { date: 2 } },
  // Bare names, known by a given name in compromise's lexicon, in the forms reports write them.
  {
    input: 'Pt John Smith presented; Mary-Jane O’Neil and Peter van der Berg reviewed it.',
    output: 'Pt XXXX presented; XXXX and XXXX reviewed it.',
    kinds: { name: 3 },
  },
  { input: 'Patient: Smith, John. Garcia-Lopez, Maria', output: 'Patient: XXXX. XXXX', kinds: { name: 2 } },
  { input: 'Spoke with Smith, J. at bedside.', output: 'Spoke with XXXX at bedside.', kinds: { name: 1 } },
  {
    input: 'Radiologist feedback (B. Okafor): resident Tomás Ibáñez missed it.',
    output: 'Radiologist feedback (XXXX): resident XXXX missed it.',
    kinds: { name: 2 },
  },
  {
    input: 'Jean-Luc Picard (resident) placed the line.',
    output: 'XXXX (resident) placed the line.',
    kinds: { name: 1 },
  },
  { input: 'Feedback from Dr Lopez: fine.', output: 'Feedback from Dr XXXX: fine.', kinds: { name: 1 } },
  // Places: named hospitals and clinics, a saint's possessive, a town after "from", "in"...
  {
    input: "Prior from St. Mary's Hospital; seen at Lakeside Medical Center in Springfield.",
    output: 'Prior from XXXX; seen at XXXX in XXXX.',
    kinds: { place: 3 },
  },
  {
    input: "Films from St. Vincent's and Springfield General; resident of Maplewood, OH.",
    output: 'Films from XXXX and XXXX; resident of XXXX.',
    kinds: { place: 3 },
  },
  { input: 'Ninety-three-year-old man.', output: 'XXXX-year-old man.', kinds: { age: 1 } },
];

// Real report language that must come through unchanged: measurements, vertebral levels, views, years, fractions.
const clinical = [
  'PA and lateral views of the chest. Heart size is normal. No pleural effusion or pneumothorax.',
  'T11-T12 compression deformity. L5-S1 degenerative change. C6/C7 fusion hardware.',
  'A 3.5 cm nodule in the right upper lobe; 10x12mm nodule at the left base. Cardiothoracic ratio 16.2/24.7.',
  'The ET tube tip is 4.5 cm above the carina. Right IJ catheter tip in the SVC. NG tube in the stomach.',
  'Stable since 2019. Left-sided chest pain for 1-1/2 weeks. 8-1/2 months pregnant. 1/2 of the hemithorax.',
  'Discussed with the referring physician at the bedside. Findings called to ER. Patient was informed.',
  'Dr. XXXX discussed the findings. XXXX-year-old with XXXX. Normal chest x-XXXX at XXXX hours.',
  'Moderate cardiomegaly, grade 2 of 4. 2 views. Since May the effusion has improved.',
  // Eponyms, devices, services, scores: capitalised like names and places, but neither.
  'Swan-Ganz catheter in the right main pulmonary artery. Kerley B lines. Hampton hump. No Westermark sign.',
  'Morgagni hernia; small left Bochdalek hernia. Chilaiditi sign. Harrington rods. Port-A-Cath and Foley catheter.',
  'Tetralogy of Fallot. History of Hodgkin lymphoma. Jackson-Pratt drain. Film obtained in Trendelenburg position.',
  'Findings discussed with Neurosurgery and called to Interventional Radiology. Follow up in Pulmonary Clinic.',
  'Chest pain 8/10. Grade 2/6 systolic murmur. Immigrant from Bangladesh. Symptoms since Thanksgiving.',
];

describe('scrubPhi', () => {
  // The first scrub loads compromise's name lexicon (about a second on a busy machine): not any one test's time.
  beforeAll(() => {
    expect(scrubPhi('Seen by John Smith.').text).toBe('Seen by XXXX.');
  }, 30_000);

  it.each(cases)('scrubs "$input"', ({ input, output, kinds }) => {
    const result = scrubPhi(input);
    expect(result.text).toBe(output);
    expect(result.counts).toEqual(kinds);
    expect(result.total).toBe(Object.values(kinds).reduce((a, b) => a + (b ?? 0), 0));
  });

  it.each(clinical)('leaves clinical text alone: "%s"', (text) => {
    expect(scrubPhi(text)).toEqual({ text, counts: {}, total: 0 });
  });

  it('says where in the original text each removed span was', () => {
    const text = 'Discussed with Dr. Lopez at 3:15 pm, MRN 00482913, at Lakeside Medical Center.';
    const result = scrubPhiWithSpans(text);
    expect(result.text).toBe('Discussed with Dr. XXXX at XXXX, MRN XXXX, at XXXX.');
    expect(result.spans.map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([
      ['name', 'Lopez'],
      ['time', '3:15 pm'],
      ['identifier', '00482913'],
      ['place', 'Lakeside Medical Center'],
    ]);
    expect(scrubPhi(text)).toEqual({ text: result.text, counts: result.counts, total: result.total });
  });

  it('takes another placeholder when asked', () => {
    expect(scrubPhi('Seen by Dr. House on 1/2/2020.', { placeholder: '[REDACTED]' }).text).toBe(
      'Seen by Dr. [REDACTED] on [REDACTED].',
    );
  });

  it('is idempotent and never removes Open-i XXXX tokens on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const once = scrubPhi(text);
        const twice = scrubPhi(once.text);
        expect(twice.text).toBe(once.text);
        expect(twice.total).toBe(0);
        expect(once.text.split('XXXX').length).toBeGreaterThanOrEqual(text.split('XXXX').length);
      }),
      { numRuns: 500 },
    );
  });

  it('removes every injected identifier from report-like text', () => {
    const surname = fc.constantFrom(
      'Smith',
      'Nguyen',
      "O'Connor",
      'Garcia-Lopez',
      'McDonald',
      'Okafor',
      'Kowalski',
    );
    const given = fc.constantFrom('John', 'Aisha', 'Wei', 'Maria', 'Pieter', 'Fatima');
    const digits = (n: number) =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
    const phi = fc.oneof(
      fc
        .tuple(fc.constantFrom('Dr.', 'Dr', 'Mr.', 'Mrs.', 'Ms.'), given, surname)
        .map(([t, g, s]) => ({ text: `${t} ${g} ${s}`, secret: s })),
      fc
        .tuple(given, surname, fc.constantFrom('MD', 'M.D.', 'DO', 'RN'))
        .map(([g, s, c]) => ({ text: `signed by ${g} ${s}, ${c}`, secret: s })),
      digits(8).map((d) => ({ text: `MRN ${d}`, secret: d })),
      digits(7).map((d) => ({ text: `accession number A${d}`, secret: d })),
      fc
        .tuple(digits(3), digits(3), digits(4))
        .map(([a, b, c]) => ({ text: `call ${a}-${b}-${c}`, secret: `${b}-${c}` })),
      fc
        .tuple(
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 28 }),
          fc.integer({ min: 1990, max: 2030 }),
        )
        .map(([m, d, y]) => ({ text: `on ${m}/${d}/${y}`, secret: `${m}/${d}/${y}` })),
      fc
        .tuple(
          fc.constantFrom('January', 'Feb', 'March', 'Sept', 'December'),
          fc.integer({ min: 1, max: 28 }),
          fc.integer({ min: 1990, max: 2030 }),
        )
        .map(([m, d, y]) => ({ text: `on ${m} ${d}, ${y}`, secret: `${m} ${d}` })),
      fc
        .tuple(fc.integer({ min: 1, max: 9999 }), surname)
        .map(([n, s]) => ({ text: `at ${n} ${s} Avenue`, secret: `${n} ${s}` })),
      fc.tuple(given, surname).map(([g, s]) => ({
        text: `${g.toLowerCase()}.${s.toLowerCase().replace(/'/g, '')}@example.org`,
        secret: '@example.org',
      })),
      fc.integer({ min: 18, max: 104 }).map((age) => ({ text: `${age}-year-old`, secret: `${age}-year` })),
    );
    const sentence = fc.constantFrom(...clinical);
    fc.assert(
      fc.property(fc.array(fc.tuple(sentence, phi), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([s, p]) => `${s} Seen ${p.text}.`).join(' ');
        const scrubbed = scrubPhi(text).text;
        for (const [s, p] of parts) {
          expect(scrubbed).not.toContain(p.secret);
          expect(scrubbed).toContain(s.slice(0, 20));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('barely touches the already de-identified Open-i reports (few false positives)', () => {
    const csv = dataPath('openi/reports.csv');
    expect(existsSync(csv), `Open-i reports expected at ${csv}`).toBe(true);
    const rows = parse(readFileSync(csv), { columns: true }) as Record<string, string>[];
    let fields = 0;
    let changed = 0;
    for (const row of rows) {
      for (const column of ['indication', 'comparison', 'findings', 'impression']) {
        const text = row[column] ?? '';
        if (!text) continue;
        fields++;
        const result = scrubPhi(text);
        if (result.total > 0) changed++;
        // Open-i's own placeholders survive.
        expect(result.text.split('XXXX').length).toBeGreaterThanOrEqual(text.split('XXXX').length);
      }
    }
    expect(rows.length).toBeGreaterThan(3000);
    expect(changed / fields).toBeLessThan(0.001);
  }, 30_000);
});

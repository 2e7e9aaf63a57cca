import fc from 'fast-check';
import { Message } from 'node-hl7-client';
import type { ReportEnrichedPayload } from '@radflow/schemas';
import { describe, expect, it } from 'vitest';
import { enrichedSample } from '../conformance.testing.ts';
import { buildAiResultsOru } from './ai-results-oru.ts';

/** The conformance test's sample, without the patient name (a source that sent none). */
function enriched(overrides: Partial<ReportEnrichedPayload['enrichment']> = {}): ReportEnrichedPayload {
  const sample = enrichedSample(overrides);
  delete sample.report.patient.name;
  return sample;
}

/** Non-blank text without control characters (those become spaces by design). */
const printable = (s: string) =>
  s.trim() !== '' && [...s].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);

function parse(text: string) {
  const message = new Message({ text });
  const obx = [...message.get('OBX')];
  const field = (segment: (typeof obx)[number], path: string) => segment.get(path).toString();
  return { message, obx, field };
}

describe('buildAiResultsOru', () => {
  const text = buildAiResultsOru(enriched());
  const { message, obx, field } = parse(text);

  it('is an HL7 v2.5.1 ORU^R01 with the patient and the source order', () => {
    expect(message.get('MSH.9.1').toString()).toBe('ORU');
    expect(message.get('MSH.9.2').toString()).toBe('R01');
    expect(message.get('MSH.12').toString()).toBe('2.5.1');
    expect(message.get('MSH.5').toString()).toBe('RIS');
    expect(message.get('MSH.7').toString()).toBe('20240301101504+0000');
    expect(message.get('PID.3.1').toString()).toBe('MRN-77');
    expect(message.get('PID.3.4.2').toString()).toBe('1.2.3.4.5');
    expect(message.get('PID.3.4.3').toString()).toBe('ISO');
    expect(message.get('OBR.3').toString()).toBe('F-555');
    expect(message.get('OBR.18').toString()).toBe('ACC-1001');
    expect(message.get('OBR.4.1').toString()).toBe('36643-5');
    expect(message.get('OBR.4.3').toString()).toBe('LN');
    expect(message.get('OBR.7').toString()).toBe('20240301095500+0000');
    expect(message.get('OBR.25').toString()).toBe('P');
  });

  it('writes every MSH field in its own position (MSH-1 is the field separator)', () => {
    const msh = (text.split('\r')[0] ?? '').split('|');
    // msh[n - 1] is MSH-n for n >= 2, since "MSH" sits where MSH-1's separator is counted.
    const byPosition = Object.fromEntries(
      msh.slice(1).flatMap((value, i) => (value === '' ? [] : [[i + 2, value]])),
    );
    expect(byPosition).toEqual({
      2: '^~\\&',
      3: 'RADFLOW',
      4: 'RADFLOW',
      5: 'RIS',
      6: 'GENHOSP',
      7: '20240301101504+0000',
      9: 'ORU^R01^ORU_R01',
      10: expect.stringMatching(/^RF[0-9a-f]{18}$/),
      11: 'P',
      12: '2.5.1',
      15: 'NE',
      16: 'NE',
      18: 'UNICODE UTF-8',
    });
    for (const [n, value] of [
      [12, '2.5.1'],
      [15, 'NE'],
      [16, 'NE'],
      [17, ''],
      [18, 'UNICODE UTF-8'],
      [19, ''],
    ] as const)
      expect(message.get(`MSH.${n}`).toString(), `MSH-${n}`).toBe(value);
  });

  it('fills PID-5 from the source name, and with the v2 null "" when there is none', () => {
    expect(message.get('PID.5').toString()).toBe('""');
    const named = enriched();
    named.report.patient.name = { family: 'DOE', given: ['JANE', 'Q', 'R'], suffix: 'JR', prefix: 'DR' };
    const parsed = parse(buildAiResultsOru(named));
    expect(parsed.message.get('PID.5.1').toString()).toBe('DOE');
    expect(parsed.message.get('PID.5.2').toString()).toBe('JANE');
    expect(parsed.message.get('PID.5.3').toString()).toBe('Q R');
    expect(parsed.message.get('PID.5.4').toString()).toBe('JR');
    expect(parsed.message.get('PID.5.5').toString()).toBe('DR');
    named.report.patient.name = { family: '', given: [' '] };
    expect(parse(buildAiResultsOru(named)).message.get('PID.5').toString()).toBe('""');
  });

  it('writes the draft impression line by line, each present or uncertain label, and the priority', () => {
    expect(obx.map((s) => [field(s, 'OBX.2'), field(s, 'OBX.3.1'), field(s, 'OBX.5.1')])).toEqual([
      ['TX', 'draft-impression', 'Small right apical pneumothorax.'],
      ['TX', 'draft-impression', 'No effusion.'],
      ['CE', 'pneumothorax', 'present'],
      ['CE', 'edema', 'uncertain'],
      ['CE', 'chest tube', 'present'],
      ['CE', 'worklist-priority', 'stat'],
    ]);
    expect(obx.map((s) => field(s, 'OBX.1'))).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(field(obx[2]!, 'OBX.3.3')).toBe('99RFA');
    expect(field(obx[2]!, 'OBX.8')).toBe('A');
    expect(field(obx[4]!, 'OBX.3.3')).toBe('99RFD');
    expect(field(obx[2]!, 'OBX.5.4')).toBe('52101004');
  });

  it('marks every OBX preliminary and names the model and its version in OBX-17 and OBX-18', () => {
    for (const segment of obx) {
      expect(field(segment, 'OBX.11')).toBe('P');
      expect(field(segment, 'OBX.17.1')).toBe('radflow-cxr-small@0.3.1');
      expect(field(segment, 'OBX.17.2')).toBe('radflow-cxr-small 0.3.1');
      expect(field(segment, 'OBX.18.1')).toBe('radflow-cxr-small@0.3.1');
      expect(field(segment, 'OBX.19')).toBe('20240301101504+0000');
    }
  });

  it('puts the priority reasons in NTE segments after the priority OBX', () => {
    const lines = text.split('\r');
    const priorityAt = lines.findIndex((line) => line.includes('worklist-priority'));
    expect(lines.slice(priorityAt + 1)).toEqual(['NTE|1|L|pneumothorax present', 'NTE|2|L|new since prior']);
  });

  it('is the same message, control id included, when the same enrichment is replayed', () => {
    expect(buildAiResultsOru(enriched())).toBe(text);
    expect(message.get('MSH.10').toString()).toMatch(/^RF[0-9a-f]{18}$/);
    const other = parse(
      buildAiResultsOru(enriched({ model: { name: 'radflow-cxr-small', version: '0.4.0' } })),
    );
    expect(other.message.get('MSH.10').toString()).not.toBe(message.get('MSH.10').toString());
  });

  it('writes a degraded enrichment without an impression and says so', () => {
    const degraded = buildAiResultsOru(
      enriched({ degraded: true, model: { name: 'radflow-rules', version: '1.0.0' } }),
    );
    const parsed = parse(degraded);
    expect(parsed.obx.some((s) => parsed.field(s, 'OBX.2') === 'TX')).toBe(false);
    expect(degraded).toContain('rule-based labels only (degraded)');
    expect(parsed.field(parsed.obx[0]!, 'OBX.17.1')).toBe('radflow-rules@1.0.0');
  });

  it("says in an NTE what the rules changed in the model's draft (fixed phrases, no report text)", () => {
    const checked = buildAiResultsOru(
      enriched({
        rulesVersion: 'radflow-rules@1.1.0',
        draftImpressionEdits: [
          { kind: 'critical-finding-added', reason: 'pneumothorax' },
          { kind: 'unsupported-finding-removed', label: 'pneumonia' },
        ],
      }),
    );
    // The message's own notes: the NTEs after OBR, before the first OBX (priority reasons follow their OBX).
    const notesOf = (message: string) => {
      const segments = message.split('\r');
      return segments
        .slice(
          0,
          segments.findIndex((segment) => segment.startsWith('OBX|')),
        )
        .filter((segment) => segment.startsWith('NTE|'));
    };
    const nte = notesOf(checked);
    expect(nte).toHaveLength(2);
    expect(nte[1]).toBe(
      'NTE|2|L|Draft impression checked against the findings by radflow-rules@1.1.0: added from the findings: pneumothorax; removed, not supported by the findings: pneumonia.',
    );
    expect(notesOf(text)).toHaveLength(1);
  });

  it('uses the patient key when the report has no patient identifier', () => {
    const anonymous = enriched();
    delete anonymous.report.patient.identifier;
    const parsed = parse(buildAiResultsOru(anonymous));
    expect(parsed.message.get('PID.3.1').toString()).toBe('a1b2c3d4e5f60718');
    expect(parsed.message.get('PID.3.4.1').toString()).toBe('RADFLOW-PATIENT-KEY');
  });

  it('escapes | ^ & ~ \\ in every value so they parse back unchanged', () => {
    const nasty = 'a|b^c&d~e\\f';
    const input = enriched({
      draftImpression: `Impression ${nasty}`,
      abnormalities: [{ label: `label ${nasty}`, state: 'present', source: 'model' }],
      devices: [],
      model: { name: `model ${nasty}`, version: '1^2' },
      priority: { level: 'urgent', reasons: [`reason ${nasty}`] },
    });
    input.report.accession = `ACC ${nasty}`;
    input.report.patient.identifier = { system: 'LOCAL&AUTH', value: `MRN ${nasty}` };
    input.report.patient.name = { family: `Fam ${nasty}`, given: [`Giv ${nasty}`] };
    const built = buildAiResultsOru(input);
    expect(built.split('\r').every((line) => /^[A-Z][A-Z0-9]{2}\|/.test(line))).toBe(true);
    const parsed = parse(built);
    expect(parsed.field(parsed.obx[0]!, 'OBX.5')).toBe(`Impression ${nasty}`);
    expect(parsed.field(parsed.obx[1]!, 'OBX.3.1')).toBe(`label ${nasty}`);
    expect(parsed.field(parsed.obx[1]!, 'OBX.17.1')).toBe(`model ${nasty}@1^2`);
    expect(parsed.message.get('OBR.18').toString()).toBe(`ACC ${nasty}`);
    expect(parsed.message.get('PID.3.1').toString()).toBe(`MRN ${nasty}`);
    expect(parsed.message.get('PID.3.4.1').toString()).toBe('LOCAL&AUTH');
    expect(parsed.message.get('PID.5.1').toString()).toBe(`Fam ${nasty}`);
    expect(parsed.message.get('PID.5.2').toString()).toBe(`Giv ${nasty}`);
    expect(built).toContain('NTE|1|L|reason a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
  });

  it('round-trips arbitrary impression lines and labels through the parser', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }).filter(printable),
        fc.string({ minLength: 1, maxLength: 30 }).filter(printable),
        (line, label) => {
          const input = enriched({
            draftImpression: line,
            abnormalities: [{ label, state: 'uncertain', source: 'model' }],
            devices: [],
          });
          const parsed = parse(buildAiResultsOru(input));
          expect(parsed.field(parsed.obx[0]!, 'OBX.5')).toBe(line.trimEnd());
          expect(parsed.field(parsed.obx[1]!, 'OBX.3.1')).toBe(label);
        },
      ),
      { numRuns: 200 },
    );
  });
});

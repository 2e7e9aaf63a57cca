import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSampleFeed } from './sample-feed.ts';

describe('the demo feed', () => {
  it('sends the HL7 samples and, always, the FHIR examples from data/interop/fhir, stamped per run', () => {
    const feed = loadSampleFeed('run1');
    expect(feed.filter((m) => m.kind === 'hl7v2').length).toBe(6);
    const fhir = feed.filter((m) => m.kind === 'fhir');
    expect(fhir.map((m) => m.name)).toEqual([
      'fhir-core_diagnosticreport-example-ultrasound.json',
      'uscore_DiagnosticReport-chest-xray-report.json',
    ]);
    for (const message of fhir) expect(JSON.parse(message.bytes.toString('utf8')).id).toMatch(/-run1$/);
  });

  it('fails loudly when the FHIR examples are missing instead of quietly sending fewer messages', () => {
    expect(() => loadSampleFeed('run1', mkdtempSync(join(tmpdir(), 'radflow-no-fhir-')))).toThrow(
      /no FHIR examples/,
    );
  });
});

import type { DiagnosticReport, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { enrichedFixture, storedWriteback } from './enriched-fixture.testing.ts';
import { readableTime, xhtmlText } from './narrative.ts';
import { retiredResource } from './supersession.ts';
import { buildWritebackBundle } from './writeback-bundle.ts';

const divs = (resources: (Resource | undefined)[]) =>
  resources.map((r) => (r as { text?: { div?: string } } | undefined)?.text?.div ?? '');

describe('generated narratives', () => {
  it('escape model text: markup, quotes and characters XML forbids never reach the XHTML as markup', () => {
    expect(xhtmlText(`<script>alert("x")</script> & 'y'\u0001\uFFFE\uD800`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
    const hostile = enrichedFixture();
    hostile.enrichment.draftImpression = '<script>alert(1)</script><img src=x onerror=alert(2)> & done';
    hostile.enrichment.priority.reasons = ['<b onclick="x()">stat</b>'];
    hostile.enrichment.abnormalities.push({ label: '<iframe>', state: 'present', source: 'model' });
    for (const div of divs((buildWritebackBundle(hostile).entry ?? []).map((e) => e.resource))) {
      expect(div).not.toMatch(/<(script|img|iframe)/i);
      // Only the elements radflow writes appear as markup, with no attributes but the namespace.
      for (const [, name, attributes] of div.matchAll(/<\/?([a-z]+)([^>]*)>/g)) {
        expect(['div', 'p', 'b', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'ul', 'li']).toContain(name);
        expect(['', ' xmlns="http://www.w3.org/1999/xhtml"']).toContain(attributes);
      }
    }
  });

  it('keep model text in markdown notes from opening HTML tags, and show it plainly in the narrative', () => {
    const hostile = enrichedFixture();
    hostile.enrichment.priority.reasons = ['<b onclick="x()">pneumothorax</b> present \\o/'];
    const task = (buildWritebackBundle(hostile).entry ?? []).find((e) => e.resource?.resourceType === 'Task')
      ?.resource as { note?: { text: string }[]; text?: { div: string } };
    expect(task.note?.[0]?.text).toBe('\\<b onclick="x()"\\>pneumothorax\\</b\\> present \\\\o/');
    expect(task.text?.div).toContain(
      '<li>&lt;b onclick=&quot;x()&quot;&gt;pneumothorax&lt;/b&gt; present \\o/</li>',
    );
  });

  it('mark a retired resource entered in error, in the text too', () => {
    const stored = storedWriteback(enrichedFixture(), 'id');
    const report = stored.find((r) => r.resourceType === 'DiagnosticReport') as DiagnosticReport;
    const [div] = divs([retiredResource(report)]);
    expect(div).toContain('<b>Entered in error</b>');
    expect(div).toContain('superseded');
    expect(div).toContain('4 AI findings'.replace('4', String(report.result?.length)));
  });

  it('show times readably', () => {
    expect(readableTime('2024-03-01T10:15:04.250Z')).toBe('2024-03-01 10:15 UTC');
    expect(readableTime('2024-03-01T09:55:00+01:00')).toBe('2024-03-01 09:55:00+01:00');
    expect(readableTime('2024-03')).toBe('2024-03');
  });
});

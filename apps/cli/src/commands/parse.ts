import { loadConfig } from '@radflow/config';
import { ackCodeOf } from '@radflow/inbound';
import { readInputOutcomes } from './input-files.ts';

/**
 * `radflow parse FILE...`: the canonical report of each message or resource, or its typed error, as JSON.
 * For operators debugging a feed: it prints report content to stdout, so run it where PHI may be shown.
 */
export function runParse(files: string[]): number {
  const config = loadConfig();
  let failures = 0;
  for (const { message, outcome } of readInputOutcomes(files, config)) {
    const file = message.source;
    if (!outcome.ok) {
      failures++;
      const { code, reason, location } = outcome.error;
      const ackCode = ackCodeOf(code);
      console.log(
        JSON.stringify({ file, kind: message.kind, error: { code, reason, location, ackCode } }, null, 2),
      );
      continue;
    }
    console.log(
      JSON.stringify(
        {
          file,
          kind: message.kind,
          reports: outcome.accepted.map((report) => ({ filter: 'accepted', report })),
          skipped: outcome.skipped.map(({ report, code, reason }) => ({ filter: { code, reason }, report })),
        },
        null,
        2,
      ),
    );
  }
  return failures > 0 ? 1 : 0;
}

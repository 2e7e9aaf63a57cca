import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  PHI_LABELLED_SET_URL,
  evaluatePhiScrubber,
  formatPhiEvaluation,
  labelledSetFrom,
  type LabelledSplit,
} from '@radflow/feedback';

/**
 * `radflow phi-scrub-eval`: the retraining scrubber's precision and recall on the labelled set of
 * libs/feedback (invented sentences, so the details it prints hold no real PHI).
 */
export function phiScrubEvalCommand(): Command {
  return new Command('phi-scrub-eval')
    .description(
      "precision and recall of the retraining PHI scrubber on libs/feedback's labelled set, per PHI type, and what it removed from the hard negatives",
    )
    .addOption(
      new Option('--split <split>', 'dev (tuned on), heldout (measured once) or all')
        .choices(['dev', 'heldout', 'all'])
        .default('all'),
    )
    .option('--set <file>', 'another labelled set in the same JSON shape')
    .option('--details', 'also list every miss and false positive')
    .action((options: { split: LabelledSplit | 'all'; set?: string; details?: boolean }) => {
      const set = labelledSetFrom(JSON.parse(readFileSync(options.set ?? PHI_LABELLED_SET_URL, 'utf8')));
      const splits = options.split === 'all' ? (['dev', 'heldout', 'all'] as const) : [options.split];
      const tables = splits.map((split) =>
        formatPhiEvaluation(evaluatePhiScrubber(set, { split }), { details: options.details ?? false }),
      );
      console.log(tables.join('\n\n'));
    });
}

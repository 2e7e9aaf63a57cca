import { ModelHost } from '@radflow/model-runtime';
import { labelTaskReport, parseModelLabels } from './eval.ts';
import { hasReportText, readReportsCsv, runLabelAccuracy } from './label-accuracy.ts';
import { splitUids } from './split-uids.ts';

export interface LabelsCommandOptions {
  reports: string;
  labels: string;
  model?: string;
  split: string;
  limit?: string;
}

/**
 * `radflow labels`: the rule labeler's precision, recall and F1 per NegBio label (micro and macro, with
 * bootstrap intervals), and with --model the model's labels scored in the same table.
 */
export async function runLabelsCommand(options: LabelsCommandOptions): Promise<void> {
  let uids = splitUids(options.split) ?? readReportsCsv(options.reports).map((row) => row.uid);
  if (options.limit) uids = uids.slice(0, Number(options.limit));
  if (!options.model) {
    await runLabelAccuracy({ reportsCsv: options.reports, labelsCsv: options.labels, uids });
    return;
  }
  const host = await ModelHost.start(options.model, { threads: 2 });
  try {
    const rows = new Map(readReportsCsv(options.reports).map((row) => [row.uid, row]));
    const modelLabels = new Map<string, string[]>();
    // Reports with neither findings nor impression have nothing to label (Open-i has a few): runLabelAccuracy
    // counts and skips them, so the model is not asked.
    const wanted = uids.filter((uid) => rows.has(uid) && hasReportText(rows.get(uid)!));
    let done = 0;
    // Concurrent requests so the runtime batches them; the answers are constrained to the vocabulary.
    for (let start = 0; start < wanted.length; start += 32) {
      const chunk = wanted.slice(start, start + 32);
      const answers = await Promise.all(
        chunk.map((uid) =>
          host.runTask(
            'abnormality_labels',
            { report: labelTaskReport(rows.get(uid)!) },
            { deadlineMs: 120_000 },
          ),
        ),
      );
      chunk.forEach((uid, index) =>
        modelLabels.set(uid, parseModelLabels('abnormality_labels', answers[index]!.text) ?? []),
      );
      done += chunk.length;
      process.stderr.write(`\rmodel labels ${done}/${wanted.length}`);
    }
    process.stderr.write('\n');
    await runLabelAccuracy({
      reportsCsv: options.reports,
      labelsCsv: options.labels,
      uids,
      modelLabels,
      modelName: `${host.model.name} ${host.model.version}`,
    });
  } finally {
    await host.close();
  }
}

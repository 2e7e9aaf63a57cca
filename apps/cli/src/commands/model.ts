import { Command } from 'commander';
import { runModelShadow, runModelStatus, type ShadowStatus } from '@radflow/retrainer';

const pct = (v: number) => (v * 100).toFixed(1);
const show = (i: { estimate: number; lower: number; upper: number }) =>
  `${pct(i.estimate)} [${pct(i.lower)}, ${pct(i.upper)}]`;

/** The running comparison as an operator reads it: one line per metric, in points, with the 95% intervals. */
export function formatShadowStatus(status: ShadowStatus): string {
  const { verdict, policy } = status;
  const lines = [
    `${status.name} ${status.candidateVersion} in shadow beside ${status.servingVersion} since ${status.startedAt}`,
    `${verdict.reports} reports scored over ${verdict.hoursInShadow.toFixed(1)} h; period: ${policy.minReports} reports and ${policy.periodHours} h; ` +
      `stopped when the difference's ${Math.round(policy.level * 100)}% interval lies wholly below -${pct(policy.tolerance)}`,
  ];
  for (const c of verdict.comparisons) {
    lines.push(
      `  ${c.metric.padEnd(7)} candidate ${show(c.candidate)}  serving ${show(c.current)}  difference ${show(c.difference)}${c.worse ? '  WORSE' : ''}`,
    );
  }
  lines.push(`verdict now: ${verdict.verdict} (${verdict.reasons.join('; ')})`);
  return lines.join('\n');
}

/** `radflow model status|shadow`: the registry as an operator sees it (`radflow rollback` goes back a version). */
export function modelCommand(): Command {
  const model = new Command('model').description(
    'the model registry: what serves, the candidates and their state, shadow evaluation',
  );
  model
    .command('status')
    .description(
      'the serving version, the candidates (in shadow or kept) and the latest gate and shadow decisions',
    )
    .option('--model <name>', 'registry name (default: RETRAIN_MODEL_NAME or the serving model)')
    .action(async (options: { model?: string }) => {
      console.log(
        JSON.stringify(await runModelStatus(options.model ? { modelName: options.model } : {}), null, 2),
      );
    });
  model
    .command('shadow')
    .description(
      "the candidate in shadow: reports scored, both models' means and the paired difference with intervals",
    )
    .option('--model <name>', 'registry name (default: RETRAIN_MODEL_NAME or the serving model)')
    .option('--json', 'print the whole comparison as JSON')
    .action(async (options: { model?: string; json?: boolean }) => {
      const status = await runModelShadow(options.model ? { modelName: options.model } : {});
      if (!status) console.log('no candidate is in shadow');
      else console.log(options.json ? JSON.stringify(status, null, 2) : formatShadowStatus(status));
    });
  return model;
}

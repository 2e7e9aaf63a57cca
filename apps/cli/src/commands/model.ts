import { userInfo } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import {
  runModelCanary,
  runModelPromote,
  runModelRollback,
  runModelShadow,
  runModelStatus,
  type CanaryStatus,
  type ShadowStatus,
} from '@radflow/retrainer';
import { ModelRegistryError } from '@radflow/store';

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

/** The running canary as an operator reads it: both arms' live scores and the difference, in points. */
export function formatCanaryStatus(status: CanaryStatus): string {
  const { verdict, policy } = status;
  const lines = [
    `${status.name} ${status.version} serves ${pct(status.share)}% of reports as a canary beside ${status.servingVersion} ` +
      `since ${status.startedAt} (started by ${status.startedBy}${status.reason ? `: ${status.reason}` : ''})`,
    `${verdict.reports.canary} canary and ${verdict.reports.serving} serving reports scored over ${verdict.hoursInCanary.toFixed(1)} h; ` +
      `period: ${policy.minReports} reports per arm and ${policy.periodHours} h; rolled back when the difference's ` +
      `${Math.round(policy.level * 100)}% interval lies wholly below -${pct(policy.tolerance)}`,
  ];
  for (const c of verdict.comparisons) {
    lines.push(
      `  ${c.metric.padEnd(7)} canary ${show(c.candidate)}  serving ${show(c.current)}  difference ${show(c.difference)}${c.worse ? '  WORSE' : ''}`,
    );
  }
  const next =
    verdict.verdict === 'pass' && !status.autoPromote ? '; promote it with radflow model promote' : '';
  lines.push(`verdict now: ${verdict.verdict} (${verdict.reasons.join('; ')})${next}`);
  return lines.join('\n');
}

/** A canary share as given on the command line: a fraction in (0, 1), or a percentage such as `10%`. */
export function parseShare(value: string): number {
  const text = value.trim();
  const share = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(share) || text === '' || share <= 0 || share >= 1)
    throw new InvalidArgumentError('a share between 0 and 1 (exclusive), e.g. 0.1 or 10%');
  return share;
}

export interface PromoteOptions {
  canary?: number;
  reason?: string;
  force?: boolean;
  by?: string;
}

export interface RollbackOptions {
  to?: string;
  reason?: string;
  by?: string;
}

/** What `radflow model promote|rollback|status|shadow|canary` call: the retrainer's command cores, or fakes in tests. */
export interface ModelRunners {
  status: typeof runModelStatus;
  shadow: typeof runModelShadow;
  canary: typeof runModelCanary;
  promote: typeof runModelPromote;
  rollback: typeof runModelRollback;
  print(text: string): void;
  fail(text: string): void;
}

const defaultRunners: ModelRunners = {
  status: runModelStatus,
  shadow: runModelShadow,
  canary: runModelCanary,
  promote: runModelPromote,
  rollback: runModelRollback,
  print: (text) => console.log(text),
  fail: (text) => console.error(text),
};

function operator(by: string | undefined): string {
  if (by?.trim()) return by.trim();
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/** The registry's refusals are the operator's to read (code and message, no report content); anything else throws. */
async function registryAction(runners: ModelRunners, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ModelRegistryError)) throw error;
    runners.fail(`${error.code}: ${error.message}`);
    process.exitCode = 2;
  }
}

/** `radflow model status|shadow|canary|promote|rollback`: the registry as an operator sees and changes it. */
export function modelCommand(runners: ModelRunners = defaultRunners): Command {
  const model = new Command('model').description(
    'the model registry: what serves, the candidates and their state, shadow evaluation, canary, promotion, rollback',
  );
  const named = (options: { model?: string }) => (options.model ? { modelName: options.model } : {});
  model
    .command('status')
    .description(
      'the serving version, the canary, the candidates (in shadow or kept) and the latest gate, shadow, canary and operator decisions',
    )
    .option('--model <name>', 'registry name (default: RETRAIN_MODEL_NAME or the serving model)')
    .action(async (options: { model?: string }) => {
      runners.print(JSON.stringify(await runners.status(named(options)), null, 2));
    });
  model
    .command('shadow')
    .description(
      "the candidate in shadow: reports scored, both models' means and the paired difference with intervals",
    )
    .option('--model <name>', 'registry name (default: RETRAIN_MODEL_NAME or the serving model)')
    .option('--json', 'print the whole comparison as JSON')
    .action(async (options: { model?: string; json?: boolean }) => {
      const status = await runners.shadow(named(options));
      if (!status) runners.print('no candidate is in shadow');
      else runners.print(options.json ? JSON.stringify(status, null, 2) : formatShadowStatus(status));
    });
  model
    .command('canary')
    .description("the running canary: its share, both arms' live scores and their difference with intervals")
    .option('--model <name>', 'registry name (default: RETRAIN_MODEL_NAME or the serving model)')
    .option('--json', 'print the whole comparison as JSON')
    .action(async (options: { model?: string; json?: boolean }) => {
      const status = await runners.canary(named(options));
      if (!status) runners.print('no canary is running');
      else runners.print(options.json ? JSON.stringify(status, null, 2) : formatCanaryStatus(status));
    });
  model
    .command('promote')
    .description(
      "serve VERSION (it must have passed the fixed-set gate and a shadow period), or with --canary a share of reports by accession hash; promoting the running canary's version ends the canary",
    )
    .argument('<name>', 'registry name of the model')
    .argument('<version>', 'the version to serve')
    .option('--canary <share>', 'serve only this share of reports (0.1 or 10%) as a canary', parseShare)
    .option('--reason <text>', 'why, recorded with the decision')
    .option('--force', 'promote although the gate or shadow has not passed it (needs --reason)')
    .option('--by <operator>', 'who decides (default: the login name)')
    .action(async (name: string, version: string, options: PromoteOptions) => {
      if (options.force && !options.reason?.trim()) {
        runners.fail('--force needs --reason: the reason is recorded with the decision');
        process.exitCode = 2;
        return;
      }
      await registryAction(runners, async () => {
        const result = await runners.promote({
          modelName: name,
          version,
          canaryShare: options.canary,
          reason: options.reason,
          force: options.force ?? false,
          operator: operator(options.by),
        });
        runners.print(JSON.stringify(result, null, 2));
      });
    });
  model
    .command('rollback')
    .description(
      "undo the latest change: end a running canary, or else serve the version that served before (or --to VERSION); a radiologist's first model is retired, their reports go back to the shared model",
    )
    .argument('<name>', 'registry name of the model')
    .option('--to <version>', 'a version that has served before (also ends a running canary)')
    .option('--reason <text>', 'why, recorded with the decision', 'operator rollback')
    .option('--by <operator>', 'who decides (default: the login name)')
    .action(async (name: string, options: RollbackOptions) => {
      await registryAction(runners, async () => {
        const result = await runners.rollback({
          modelName: name,
          toVersion: options.to,
          reason: options.reason,
          operator: operator(options.by),
        });
        runners.print(JSON.stringify(result, null, 2));
      });
    });
  return model;
}

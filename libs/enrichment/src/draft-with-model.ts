import type { ParsedAnswer } from '@radflow/prompts';
import type { RadiologyReport } from '@radflow/schemas';
import type { ModelDraft } from './types.ts';

/** Anything that runs a Rad-Phi2 task: the in-process model host, or an HTTP client of the inference service. */
export interface TaskRunner {
  runTask(task: string, inputs: Record<string, string>, options: TaskOptions): Promise<TaskAnswer>;
}

export interface TaskOptions {
  deadlineMs: number;
  /** The report's worklist priority (from the rules): the model's queue serves STAT first. */
  priority?: 'stat' | 'urgent' | 'routine';
  /** A registered model version to answer (a canary, a radiologist's model); absent: the serving model. */
  model?: { name: string; version: string };
}

export interface TaskAnswer {
  model: { name: string; version: string };
  answer: ParsedAnswer | null;
}

/**
 * The report text the model reads: findings for the impression task, the whole report for the others, written
 * the way the model was trained (`SECTION: text` lines in a fixed order) whatever the sender's layout.
 */
function promptInputs(report: RadiologyReport): { findings: string; report: string } {
  const findings = report.sections.findings?.trim() || report.text;
  const { indication, comparison, impression } = report.sections;
  const lines = [
    ['INDICATION', indication],
    ['COMPARISON', comparison],
    ['FINDINGS', report.sections.findings],
    ['IMPRESSION', impression],
  ]
    .filter(([, text]) => text?.trim())
    .map(([name, text]) => `${name}: ${text!.trim()}`);
  return { findings, report: lines.length > 0 ? lines.join('\n') : report.text };
}

/** For comparisons two reports share one context window: findings and impression only, without headers noise. */
function comparisonText(report: RadiologyReport): string {
  const { findings, impression } = report.sections;
  return findings || impression ? [findings, impression].filter(Boolean).join(' ') : report.text;
}

/**
 * Runs the enrichment task set for one report (draft impression, abnormality and device labels, and with a
 * prior report the temporal findings and progression). The tasks go in together so the model batches them.
 */
export async function draftWithModel(
  runner: TaskRunner,
  report: RadiologyReport,
  prior: RadiologyReport | undefined,
  deadlineMs: number,
  priority?: TaskOptions['priority'],
  model?: TaskOptions['model'],
): Promise<ModelDraft> {
  const inputs = promptInputs(report);
  const options: TaskOptions = { deadlineMs, ...(priority ? { priority } : {}), ...(model ? { model } : {}) };
  const [impression, abnormalities, devices, temporalFindings, temporalProgression] = await Promise.all([
    runner.runTask('impression', { findings: inputs.findings }, options),
    runner.runTask('abnormality_labels', { report: inputs.report }, options),
    runner.runTask('device_labels', { report: inputs.report }, options),
    // The comparison is extra: when it fails (say, two long reports overflow the context) the draft goes on without it.
    prior
      ? runner.runTask('temporal_findings', comparisonInputs(report, prior), options).catch(() => undefined)
      : undefined,
    prior
      ? runner
          .runTask('temporal_progression', comparisonInputs(report, prior), options)
          .catch(() => undefined)
      : undefined,
  ]);
  const draft: ModelDraft = {
    model: impression.model,
    abnormalities: labelsOf(abnormalities.answer),
    devices: labelsOf(devices.answer),
  };
  if (impression.answer?.format === 'text' && impression.answer.text)
    draft.draftImpression = impression.answer.text;
  if (temporalFindings?.answer?.format === 'added_removed') {
    draft.temporal = {
      added: temporalFindings.answer.added,
      removed: temporalFindings.answer.removed,
      changed:
        temporalProgression?.answer?.format === 'progression'
          ? temporalProgression.answer.progression.map((p) => ({
              finding: p.finding,
              progression: p.progression,
            }))
          : [],
    };
  }
  return draft;
}

function comparisonInputs(report: RadiologyReport, prior: RadiologyReport): Record<string, string> {
  return { report: comparisonText(report), priorReport: comparisonText(prior) };
}

function labelsOf(answer: ParsedAnswer | null): string[] {
  return answer?.format === 'labels' ? answer.labels : [];
}

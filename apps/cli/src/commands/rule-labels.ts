import { createInterface } from 'node:readline';
import { ruleAbnormalityCalls } from '@radflow/evaluation';

/** One report section pair to label; `id` is the caller's, returned unchanged. */
export interface RuleLabelRequest {
  id: string;
  findings: string;
  impression: string;
}

export class RuleLabelInputError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`rule-labels input line ${line}: ${reason}`);
    this.name = 'RuleLabelInputError';
  }
}

function requestOf(text: string, line: number): RuleLabelRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RuleLabelInputError(line, 'not JSON');
  }
  const { id, findings, impression } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof id !== 'string' || typeof findings !== 'string' || typeof impression !== 'string')
    throw new RuleLabelInputError(line, 'needs string fields id, findings and impression');
  return { id, findings, impression };
}

/** The abnormality labels the rule labeler finds present (vocabulary order); uncertain and absent ones are left out. */
export function presentRuleLabels(request: RuleLabelRequest): string[] {
  return ruleAbnormalityCalls(request)
    .filter((call) => call.state === 'present')
    .map((call) => call.label);
}

/**
 * `radflow rule-labels`: JSON lines of {id, findings, impression} in, {id, labels} out. The model trainer
 * (models/training) labels the report variants it makes with the same rules the enricher runs.
 */
export async function runRuleLabels(
  input: NodeJS.ReadableStream = process.stdin,
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
): Promise<void> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (!text.trim()) continue;
    const request = requestOf(text, line);
    write(JSON.stringify({ id: request.id, labels: presentRuleLabels(request) }));
  }
}

import { createHash } from 'node:crypto';

/** Short, stable fingerprint of a text: lets an operator correlate failures without the text (which may hold PHI). */
export function fingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/**
 * The model wrote something the answer format of its task does not allow. Carries the task, why, the output's
 * length and fingerprint, never the output itself.
 */
export class ModelOutputParseError extends Error {
  override readonly name: string = 'ModelOutputParseError';
  readonly task: string;
  readonly reason: string;
  readonly outputLength: number;
  readonly outputFingerprint: string;

  constructor(task: string, reason: string, output: string) {
    super(
      `model output for task ${task} could not be parsed: ${reason} (length ${output.length}, sha256 ${fingerprint(output)})`,
    );
    this.task = task;
    this.reason = reason;
    this.outputLength = output.length;
    this.outputFingerprint = fingerprint(output);
  }
}

/** Labels outside the task's vocabulary. The offending labels are listed (clipped) so the vocabulary can be fixed. */
export class UnknownLabelError extends ModelOutputParseError {
  override readonly name: string = 'UnknownLabelError';
  readonly unknownLabels: string[];
  readonly vocabulary: string;

  constructor(task: string, vocabulary: string, unknownLabels: string[], output: string) {
    const listed = unknownLabels.slice(0, 5).map((label) => clip(label, 40));
    super(
      task,
      `labels not in vocabulary "${vocabulary}": ${listed.map((l) => JSON.stringify(l)).join(', ')}`,
      output,
    );
    this.unknownLabels = listed;
    this.vocabulary = vocabulary;
  }
}

/** A prompt could not be built: unknown task or missing input. */
export class PromptInputError extends Error {
  override readonly name = 'PromptInputError';
  readonly task: string;
  readonly missing: string[];

  constructor(task: string, message: string, missing: string[] = []) {
    super(message);
    this.task = task;
    this.missing = missing;
  }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

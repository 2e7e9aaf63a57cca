/** Base of every error the runtime raises on purpose: `code` is stable for HTTP mapping and alerts. */
export class ModelRuntimeError extends Error {
  override readonly name: string = 'ModelRuntimeError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A model directory could not be loaded: which file, and what is wrong with it. */
export class ModelLoadError extends ModelRuntimeError {
  override readonly name: string = 'ModelLoadError';
  constructor(
    readonly modelDir: string,
    message: string,
  ) {
    super('MODEL_LOAD_FAILED', `cannot load model from ${modelDir}: ${message}`);
  }
}

/** The request queue is full: the caller should back off and retry (HTTP 429). */
export class OverloadedError extends ModelRuntimeError {
  override readonly name: string = 'OverloadedError';
  constructor(
    readonly queueLimit: number,
    readonly retryAfterMs: number,
  ) {
    super(
      'OVERLOADED',
      `inference queue is full (limit ${queueLimit}); retry after about ${retryAfterMs} ms`,
    );
  }
}

/** A request's deadline passed before its answer was complete; no more compute is spent on it (HTTP 504). */
export class DeadlineExceededError extends ModelRuntimeError {
  override readonly name: string = 'DeadlineExceededError';
  constructor(
    readonly stage: 'queued' | 'generating',
    readonly deadlineMs: number,
  ) {
    super('DEADLINE_EXCEEDED', `deadline of ${deadlineMs} ms passed while ${stage}`);
  }
}

/** The prompt plus the answer budget does not fit the model's context window. */
export class InputTooLongError extends ModelRuntimeError {
  override readonly name: string = 'InputTooLongError';
  constructor(
    readonly promptTokens: number,
    readonly maxPromptTokens: number,
  ) {
    super(
      'INPUT_TOO_LONG',
      `prompt has ${promptTokens} tokens; this model accepts at most ${maxPromptTokens}`,
    );
  }
}

/** The model handle was closed (drained after a reload, or shut down) before the request could be queued. */
export class ModelUnavailableError extends ModelRuntimeError {
  override readonly name: string = 'ModelUnavailableError';
  constructor(message: string) {
    super('MODEL_UNAVAILABLE', message);
  }
}

/** The caller gave up on the request (client disconnected, sibling task failed); its row was dropped. */
export class RequestCancelledError extends ModelRuntimeError {
  override readonly name: string = 'RequestCancelledError';
  constructor(readonly stage: 'queued' | 'generating') {
    super('REQUEST_CANCELLED', `request cancelled by its caller while ${stage}`);
  }
}

/** The ONNX session failed while running a batch; every request of that batch gets this error. */
export class GenerationFailedError extends ModelRuntimeError {
  override readonly name: string = 'GenerationFailedError';
  constructor(cause: unknown) {
    super('GENERATION_FAILED', `model run failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.cause = cause;
  }
}

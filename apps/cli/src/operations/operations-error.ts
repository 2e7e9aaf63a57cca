/** An operator's command that cannot go on: what went wrong, a stable code, and what to do about it. */
export class OperationsError extends Error {
  override readonly name = 'OperationsError';

  constructor(
    message: string,
    readonly code: string,
    /** The next step for the operator, printed under the message. */
    readonly hint: string,
  ) {
    super(message);
  }
}

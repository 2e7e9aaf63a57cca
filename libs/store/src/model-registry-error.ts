/** The operator asked for something the registry cannot do; the message says what to do instead. */
export class ModelRegistryError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'UNKNOWN_MODEL_VERSION'
      | 'NO_CURRENT_MODEL'
      | 'NOTHING_TO_ROLL_BACK'
      | 'VERSION_EXISTS'
      | 'NOT_DEPLOYABLE'
      | 'ALREADY_SERVING'
      | 'CANARY_RUNNING'
      | 'NO_CANARY'
      | 'INVALID_SHARE'
      | 'NOT_PROMOTABLE',
  ) {
    super(message);
    this.name = 'ModelRegistryError';
  }
}

/** Injection tokens of the worklist's own HTTP application. */
export const WORKLIST_CONFIG = Symbol('radflow.worklist.config');
export const WORKLIST_LOGGER = Symbol('radflow.worklist.logger');

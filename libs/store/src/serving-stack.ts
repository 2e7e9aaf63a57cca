import { ModelRegistryError } from './model-registry-error.ts';

export type DeploymentAction = 'bootstrap' | 'promotion' | 'rollback' | 'retirement';

type ServingStep = { version: string; action: DeploymentAction };

/**
 * The versions serving in turn: bootstrap and promotion push, a rollback without a target pops back to the version
 * that served before, a rollback with a target pushes it, a retirement empties it (nothing of the name serves). The
 * current model is the top.
 */
export function servingStack(deployments: readonly ServingStep[]): string[] {
  const stack: string[] = [];
  for (const d of deployments) {
    if (d.action === 'retirement') stack.length = 0;
    else if (d.action === 'rollback' && stack.length >= 2 && stack[stack.length - 2] === d.version)
      stack.pop();
    else stack.push(d.version);
  }
  return stack;
}

/**
 * Where a rollback goes from the serving history: `toVersion`, which must have served before, or else the version
 * that served before the current one. Throws ModelRegistryError when there is nowhere to go.
 */
export function rollbackTarget(
  name: string,
  deployments: readonly ServingStep[],
  toVersion?: string,
): { current: string; target: string } {
  const stack = servingStack(deployments);
  const current = stack.at(-1);
  if (current === undefined)
    throw new ModelRegistryError(
      `no ${name} model has been deployed: nothing to roll back`,
      'NO_CURRENT_MODEL',
    );
  if (toVersion !== undefined) {
    if (!deployments.some((d) => d.version === toVersion)) {
      throw new ModelRegistryError(
        `${name} ${toVersion} never served: roll back only to a version that did (see the registry's history)`,
        'NOT_DEPLOYABLE',
      );
    }
    if (toVersion === current)
      throw new ModelRegistryError(`${name} ${toVersion} is already serving`, 'NOTHING_TO_ROLL_BACK');
    return { current, target: toVersion };
  }
  const previous = stack.at(-2);
  if (previous === undefined)
    throw new ModelRegistryError(
      `${name} ${current} is the first version served: there is no earlier one`,
      'NOTHING_TO_ROLL_BACK',
    );
  return { current, target: previous };
}

import { describe, expect, it } from 'vitest';
import { ModelRegistryError } from './model-registry-error.ts';
import { rollbackTarget, servingStack, type DeploymentAction } from './serving-stack.ts';

const d = (version: string, action: DeploymentAction) => ({ version, action, previousVersion: null });

describe('servingStack', () => {
  it('pushes promotions, pops plain rollbacks, pushes rollbacks to an older target', () => {
    expect(servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('c', 'promotion')])).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('a', 'rollback')])).toEqual(['a']);
    expect(
      servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('c', 'promotion'), d('a', 'rollback')]),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(servingStack([])).toEqual([]);
  });

  it('empties on a retirement, and a later promotion serves again', () => {
    expect(servingStack([d('a', 'bootstrap'), d('b', 'promotion'), d('b', 'retirement')])).toEqual([]);
    expect(servingStack([d('a', 'promotion'), d('a', 'retirement'), d('c', 'promotion')])).toEqual(['c']);
  });
});

describe('rollbackTarget', () => {
  const served = [d('a', 'bootstrap'), d('b', 'promotion'), d('c', 'promotion')];

  it('goes back one step, or to a named version that served before', () => {
    expect(rollbackTarget('m', served)).toEqual({ current: 'c', target: 'b' });
    expect(rollbackTarget('m', [...served, d('b', 'rollback')])).toEqual({ current: 'b', target: 'a' });
    expect(rollbackTarget('m', served, 'a')).toEqual({ current: 'c', target: 'a' });
  });

  it('refuses with the code an operator acts on', () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ModelRegistryError);
        return (error as ModelRegistryError).code;
      }
      return 'no error';
    };
    expect(code(() => rollbackTarget('m', []))).toBe('NO_CURRENT_MODEL');
    expect(code(() => rollbackTarget('m', [d('a', 'bootstrap')]))).toBe('NOTHING_TO_ROLL_BACK');
    expect(code(() => rollbackTarget('m', served, 'c'))).toBe('NOTHING_TO_ROLL_BACK');
    expect(code(() => rollbackTarget('m', served, 'z'))).toBe('NOT_DEPLOYABLE');
  });
});

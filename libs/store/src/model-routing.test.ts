import { describe, expect, it } from 'vitest';
import { ModelDeployments } from './model-deployments.ts';
import { registryTestDatabase, testModelName } from './model-registry-test-database.ts';
import { ModelRouting } from './model-routing.ts';
import { ModelVersions } from './model-versions.ts';

const database = registryTestDatabase();

describe('ModelRouting on PostgreSQL', () => {
  it("reads the shared model's current version, its canary and each radiologist model's current version and canary", async () => {
    const versions = new ModelVersions(database());
    const deployments = new ModelDeployments(database());
    const routing = new ModelRouting(database());
    const shared = testModelName();
    const alice = `${shared}~r-00112233aabbccdd`;
    const bob = `${shared}~r-ffeeddccbbaa9988`;
    expect(await routing.table(shared)).toEqual({ radiologists: {} });

    const deploy = async (name: string, version: string, action: 'bootstrap' | 'promotion') => {
      await versions.register({ name, version, modelDir: `/models/${version}`, status: 'candidate' });
      await deployments.deploy(name, version, action, 'test');
    };
    await deploy(shared, '1.0.0', 'bootstrap');
    await deploy(shared, '1.1.0', 'promotion');
    await deploy(alice, '1.1.0-a1', 'bootstrap');
    await deploy(alice, '1.1.0-a2', 'promotion');
    await deployments.rollback(alice, 'worse in shadow');
    await deploy(bob, '1.1.0-b1', 'bootstrap');
    // Neither a radiologist model of this shared model nor the shared model itself: not in its table.
    await deploy(`${shared}-other`, '9.0.0', 'bootstrap');
    await deploy(`${shared}~r-not-a-key`, '9.0.0', 'bootstrap');
    await versions.register({ name: shared, version: '1.2.0', modelDir: '/models/1.2.0', status: 'shadow' });
    await database().query(
      `INSERT INTO model_canaries (name, version, share, started_by) VALUES ($1, '1.2.0', 0.25, 'test')`,
      [shared],
    );

    // Alice's next adapter serves a tenth of her reports; canaries of other names stay out of this table.
    for (const [name, version] of [
      [alice, '1.1.0-a3'],
      [`${shared}-other`, '9.1.0'],
      [`${shared}~r-not-a-key`, '9.1.0'],
    ] as const) {
      await versions.register({ name, version, modelDir: `/models/${version}`, status: 'shadow' });
      await database().query(
        `INSERT INTO model_canaries (name, version, share, started_by) VALUES ($1, $2, 0.1, 'test')`,
        [name, version],
      );
    }

    expect(await routing.table(shared)).toEqual({
      serving: '1.1.0',
      canary: { version: '1.2.0', share: 0.25 },
      radiologists: { '00112233aabbccdd': '1.1.0-a1', ffeeddccbbaa9988: '1.1.0-b1' },
      radiologistCanaries: { '00112233aabbccdd': { version: '1.1.0-a3', share: 0.1 } },
    });
    await database().query('DELETE FROM model_canaries WHERE name = $1', [alice]);
    expect((await routing.table(shared)).radiologistCanaries).toBeUndefined();

    await database().query('DELETE FROM model_canaries WHERE name = $1', [shared]);
    expect((await routing.table(shared)).canary).toBeUndefined();

    // Bob's only adapter retired: his reports go back to the shared model; a later one serves him again.
    await deployments.retire(bob, 'drafts worse than the shared model');
    expect((await routing.table(shared)).radiologists).toEqual({ '00112233aabbccdd': '1.1.0-a1' });
    expect(await deployments.current(bob)).toBeUndefined();
    await expect(deployments.retire(bob, 'again')).rejects.toMatchObject({ code: 'NO_CURRENT_MODEL' });
    await deploy(bob, '1.1.0-b2', 'promotion');
    expect((await routing.table(shared)).radiologists).toEqual({
      '00112233aabbccdd': '1.1.0-a1',
      ffeeddccbbaa9988: '1.1.0-b2',
    });
  });
});

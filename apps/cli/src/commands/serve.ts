import { loadConfig } from '@radflow/config';
import { startHost } from '@radflow/platform';
import { WorklistServer } from '@radflow/worklist';
import { selectApps } from '../app-catalog.ts';

/** `radflow serve [apps...]`: runs the named apps (all by default) in this process until interrupted. */
export async function runServe(appNames: string[]): Promise<void> {
  const config = loadConfig();
  const apps = selectApps(appNames);
  const host = await startHost(apps, config, { processName: 'radflow' });
  console.log(
    `radflow serving ${apps.map((a) => a.name).join(', ')}${host.httpPort ? ` (HTTP on 127.0.0.1:${host.httpPort})` : ''}`,
  );
  if (apps.some((a) => a.name === 'worklist'))
    console.log(`worklist page on http://${config.worklist.host}:${host.app.get(WorklistServer).port}/`);
}

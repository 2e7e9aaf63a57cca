import { buildWebAssets, distDir } from './web-assets.ts';

await buildWebAssets();
console.log(`worklist page bundled into ${distDir}`);

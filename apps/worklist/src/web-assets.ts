import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const webDir = fileURLToPath(new URL('../web/', import.meta.url));
export const distDir = fileURLToPath(new URL('../dist/', import.meta.url));

/**
 * Bundles the page (web/main.tsx with Preact, web/styles.css) into dist/ with esbuild: minified, one script and
 * one style sheet, nothing fetched at run time. `npm run build -w @radflow/worklist` (infra/run setup runs it).
 */
export async function buildWebAssets(outdir = distDir): Promise<void> {
  await build({
    entryPoints: { app: `${webDir}main.tsx`, 'app-style': `${webDir}styles.css` },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
    entryNames: '[name]',
  });
}

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => statSync(`${e.parentPath}/${e.name}`).mtimeMs),
  );
}

export interface WebAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** The built bundle in memory; built first when dist/ is missing or older than web/ (a checkout without a build). */
export class WebAssets {
  private readonly assets = new Map<string, WebAsset>();

  static async load(outdir = distDir): Promise<WebAssets> {
    const script = `${outdir}app.js`;
    if (!existsSync(script) || statSync(script).mtimeMs < newestSource(webDir)) await buildWebAssets(outdir);
    const assets = new WebAssets();
    assets.add('app.js', readFileSync(script), 'text/javascript; charset=utf-8');
    assets.add('app.css', readFileSync(`${outdir}app-style.css`), 'text/css; charset=utf-8');
    return assets;
  }

  private add(name: string, body: Buffer, contentType: string): void {
    this.assets.set(name, {
      body,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`,
    });
  }

  get(name: string): WebAsset | undefined {
    return this.assets.get(name);
  }
}

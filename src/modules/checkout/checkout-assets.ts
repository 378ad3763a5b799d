import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type CheckoutAsset = 'checkout.js' | 'page.js' | 'page.css' | 'demo.js';

/** The project root: the nearest folder above this file holding package.json (works from src/ and dist/src/). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above the checkout module');
    dir = parent;
  }
  return dir;
}

/**
 * The browser bundles `npm run build:checkout` writes to dist/checkout (checkout/build.ts), read
 * once and kept in memory. A missing bundle is an error naming the command that makes it.
 */
export class CheckoutAssets {
  private readonly cache = new Map<CheckoutAsset, Buffer>();
  private readonly dir = join(projectRoot(), 'dist', 'checkout');

  get(name: CheckoutAsset): Buffer {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const path = join(this.dir, name);
    if (!existsSync(path))
      throw new Error(`${path} is missing: run npm run build:checkout (npm run build does it too)`);
    const content = readFileSync(path);
    this.cache.set(name, content);
    return content;
  }
}

#!/usr/bin/env node
// The project's single CLI. Runs the TypeScript sources directly through tsx — except the edge worker's
// events-only mode, which runs from a prebuilt bundle to fit a ~100 MB node (see bin/edge-bundle.mjs).
const args = process.argv.slice(2);
if (args[0] === 'edge' && args.includes('--events-only')) {
  const { edgeCliBundle } = await import('./edge-bundle.mjs');
  await import(await edgeCliBundle());
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}

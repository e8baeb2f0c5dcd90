#!/usr/bin/env node
// The project's single CLI. Runs the TypeScript sources directly through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');

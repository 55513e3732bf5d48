#!/usr/bin/env node
// The CLI ships as TypeScript and runs through tsx, which also lets users write suites in TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);

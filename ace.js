/*
| JavaScript entrypoint for ace commands. TypeScript is compiled on the fly
| by ts-node (swc), so no build step is needed in development or tests.
*/
import 'ts-node-maintained/register/esm'

await import('./bin/console.js')

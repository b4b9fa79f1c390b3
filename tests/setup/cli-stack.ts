// The CLI tests' own stack (vitest.config.ts): the same setup as every other
// file's, under another path, since vitest runs one global setup file once
// for all the projects that name it.
export { default } from './stack.ts';

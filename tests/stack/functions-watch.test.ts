// Watch mode (`npm start`): saving a function's file reloads it, and so does
// a change to shared code; the reload shows in the next call.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionsHarness, type FunctionsHarness } from '../helpers/functions-harness.ts';
import { waitFor } from '../helpers/wait.ts';

let dir: string;
let fx: FunctionsHarness;

const source = (text: string) => `import { suffix } from '../_shared/suffix.ts';\nDeno.serve(() => new Response('${text}' + suffix));\n`;

beforeAll(async () => {
	dir = mkdtempSync(path.join(tmpdir(), 'foldwork-watch-'));
	mkdirSync(path.join(dir, 'open'));
	mkdirSync(path.join(dir, '_shared'));
	writeFileSync(path.join(dir, 'open/index.ts'), source('v1'));
	writeFileSync(path.join(dir, '_shared/suffix.ts'), "export const suffix = '';\n");
	fx = await startFunctionsHarness({ functionsDir: dir, watch: true, functions: { open: { verifyJwt: false } } });
});

afterAll(async () => {
	await fx?.close();
	rmSync(dir, { recursive: true, force: true });
});

const call = async () => (await fetch(`${fx.apiUrl}/functions/v1/open`)).text();

describe('watch mode', () => {
	it('reloads a function when its file changes', async () => {
		expect(await call()).toBe('v1');
		writeFileSync(path.join(dir, 'open/index.ts'), source('v2'));
		expect(await waitFor('the reloaded function', async () => ((await call()) === 'v2' ? true : undefined))).toBe(true);
	});

	it('reloads every running function when _shared changes', async () => {
		await call();
		writeFileSync(path.join(dir, '_shared/suffix.ts'), "export const suffix = '+shared';\n");
		expect(await waitFor('the reloaded shared code', async () => ((await call()).endsWith('+shared') ? true : undefined))).toBe(true);
	});
});

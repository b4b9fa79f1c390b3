// The browser guard (scripts/vite-browser-guard.ts): its decisions on sample
// code and imports, the plugin wired into vite.config.ts, and the tools'
// browser part (src/lib/tools/registry.ts and everything it imports, `#`
// imports as the browser build resolves them) free of Node code, *.server.ts
// modules, the compute code only run() needs, and RDKit (its Web Worker's).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAst, type Plugin } from 'vite';
import { describe, expect, it } from 'vitest';
import {
	browserGuard,
	builtinImportMessage,
	findProcessEnv,
	isNodeBuiltin,
	isOwnModule,
	isScriptModule,
	PLUGIN_NAME,
	processEnvMessage,
	sourceLineOfProcessEnv
} from '../../../scripts/vite-browser-guard.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const own = (file: string) => path.join(root, file);

describe('browser guard decisions', () => {
	it('knows Node builtins, with and without the node: prefix', () => {
		for (const name of ['node:child_process', 'node:fs/promises', 'node:sqlite', 'child_process', 'fs', 'fs/promises', 'os', 'path', 'crypto'])
			expect(isNodeBuiltin(name), name).toBe(true);
		for (const name of ['zod', '@rdkit/rdkit', './dssp.server.ts', '#lib/tools/registry.ts', '$app/env/public', 'fsevents', 'pathe'])
			expect(isNodeBuiltin(name), name).toBe(false);
	});

	it('checks our own modules only, not dependencies or virtual modules', () => {
		expect(isOwnModule(own('src/lib/tools/registry.ts'))).toBe(true);
		expect(isOwnModule(own('src/routes/app/tools/[tool]/+page.svelte?svelte&type=style&lang.css'))).toBe(true);
		expect(isOwnModule(own('node_modules/@rdkit/rdkit/dist/RDKit_minimal.js'))).toBe(false);
		expect(isOwnModule('\0virtual:something')).toBe(false);
		expect(isOwnModule('__vite-browser-external:node:fs')).toBe(false);
		expect(isScriptModule(own('src/lib/a.ts'))).toBe(true);
		expect(isScriptModule(own('src/lib/A.svelte'))).toBe(true);
		expect(isScriptModule(own('src/lib/A.svelte?svelte&type=style&lang.css'))).toBe(false);
		expect(isScriptModule(own('src/app.css'))).toBe(false);
		expect(isScriptModule(own('src/lib/data.txt?raw'))).toBe(false);
	});

	it('finds process.env in code, however it is written', () => {
		expect(findProcessEnv('const a = 1;\nexport const tool = process.env.MKDSSP ?? "mkdssp";')).toEqual({ line: 2, column: 20 });
		expect(findProcessEnv('const env = process["env"];')).not.toBeNull();
		expect(findProcessEnv('const env = globalThis.process.env;')).not.toBeNull();
		expect(findProcessEnv('const { env } = process;')).not.toBeNull();
		expect(findProcessEnv('const f = (o = {}) => `${process.env.HOME}`;')).not.toBeNull();
		expect(findProcessEnv('export function f(env: Record<string, string | undefined> = process.env) { return env; }', 'ts')).not.toBeNull();
	});

	it('does not count process.env in comments, strings or other names', () => {
		expect(findProcessEnv('// reads process.env on the worker only\n/* process.env */\nconst s = "process.env";\nconst r = /process.env/;')).toBeNull();
		expect(findProcessEnv('const a = process.argv; const b = myprocess.env; const c = process.envelope;')).toBeNull();
		expect(findProcessEnv('const { argv } = process;')).toBeNull();
	});

	it('points at the source line, skipping comments', () => {
		expect(sourceLineOfProcessEnv('// default process.env\nimport x from "y";\n\nconst e = process.env.X;\n')).toBe(4);
		expect(sourceLineOfProcessEnv('<script lang="ts">\n\tconst { env } = process;\n</script>')).toBe(2);
		expect(sourceLineOfProcessEnv(' * process.env is never read here\n')).toBeNull();
	});

	it('names the offending module and who imported it', () => {
		const message = builtinImportMessage('node:child_process', own('src/lib/tools/structure-analysis/dssp.ts'), [own('src/lib/tools/structure-analysis/index.ts')], root);
		expect(message).toContain('"node:child_process" is a Node module, imported by src/lib/tools/structure-analysis/dssp.ts');
		expect(message).toContain('because src/lib/tools/structure-analysis/index.ts imports it');
		expect(message).toContain('*.server.ts');
		const env = processEnvMessage(own('src/lib/a.ts'), 3, [own('src/lib/b.ts'), own('src/routes/+page.svelte')], root);
		expect(env).toContain('src/lib/a.ts:3 reads process.env');
		expect(env).toContain('because src/lib/b.ts, src/routes/+page.svelte import it');
	});
});

/** The plugin's hooks, called as Vite calls them, with a context whose error() throws as Vite's does. */
function hooks(plugin: Plugin) {
	const context = {
		error(message: string): never {
			throw new Error(message);
		}
	};
	const call = (hook: unknown, ...args: unknown[]) => {
		const fn = (typeof hook === 'function' ? hook : (hook as { handler: (...a: unknown[]) => unknown }).handler) as (...a: unknown[]) => unknown;
		return fn.call(context, ...args);
	};
	return {
		resolveId: (source: string, importer: string | undefined, options: object = {}) => call(plugin.resolveId, source, importer, options),
		transform: (code: string, id: string) => call(plugin.transform, code, id),
		appliesTo: (consumer: 'client' | 'server') => (plugin.applyToEnvironment as (e: unknown) => boolean)({ config: { consumer } })
	};
}

describe('browser guard plugin', () => {
	const plugin = browserGuard();
	const guard = hooks(plugin);

	it('runs for the browser (client) build only, never for server code', () => {
		expect(plugin.name).toBe(PLUGIN_NAME);
		expect(guard.appliesTo('client')).toBe(true);
		expect(guard.appliesTo('server')).toBe(false);
	});

	it('refuses a Node builtin imported by our browser code', () => {
		expect(() => guard.resolveId('node:fs', own('src/lib/tools/structure-analysis/index.ts'))).toThrow(/"node:fs" is a Node module, imported by .*structure-analysis\/index\.ts/);
		expect(() => guard.resolveId('child_process', own('src/lib/components/A.svelte'))).toThrow(/"child_process" is a Node module/);
	});

	it('lets dependencies, ordinary imports and the dependency scan through', () => {
		expect(guard.resolveId('node:fs', own('node_modules/@rdkit/rdkit/dist/RDKit_minimal.js'))).toBeNull();
		expect(guard.resolveId('zod', own('src/lib/tools/registry.ts'))).toBeNull();
		expect(guard.resolveId('./dssp.server.ts', own('src/lib/tools/structure-analysis/worker.server.ts'))).toBeNull();
		expect(guard.resolveId('node:fs', own('src/routes/+page.server.ts'), { scan: true })).toBeNull();
		expect(guard.resolveId('node:fs', undefined)).toBeNull();
	});

	it('refuses process.env in our browser code, and only there', () => {
		expect(() => guard.transform('export const x = process.env.SECRET;', own('src/lib/nowhere.ts'))).toThrow(/src\/lib\/nowhere\.ts reads process\.env/);
		expect(guard.transform('export const x = process.env.NODE_ENV;', own('node_modules/some-lib/index.js'))).toBeNull();
		expect(guard.transform('// process.env is for the worker\nexport const x = 1;', own('src/lib/nowhere.ts'))).toBeNull();
	});

	it('is one of the plugins in vite.config.ts', async () => {
		const config = (await import('../../../vite.config.ts')).default as { plugins?: unknown[] };
		const names: string[] = [];
		const collect = async (entry: unknown): Promise<void> => {
			const value = await entry;
			if (Array.isArray(value)) for (const item of value) await collect(item);
			else if (value && typeof value === 'object' && 'name' in value) names.push(String(value.name));
		};
		await collect(config.plugins ?? []);
		expect(names).toContain(PLUGIN_NAME);
	});
});

// --- the tools' browser part ---------------------------------------------------

/** Modules only run() needs: the browser part must not load them (smaller bundle). */
const COMPUTE_ONLY = [
	'protein-properties/compute.ts',
	'protein-properties/table.ts',
	'sequence-tools/complement.ts',
	'sequence-tools/orfs.ts',
	'sequence-tools/translate.ts',
	'sequence-tools/translation-table.ts',
	'pairwise-alignment/align-pair.ts',
	'molecule-properties/compute.ts',
	'structure-analysis/analyze.ts',
	'structure-analysis/table.ts',
	'structure-analysis/dssp-input.ts',
	'docking/vina-output.ts',
	'structure-prediction/pdb.ts',
	'gpu-selftest/attention.ts'
].map((file) => own(`src/lib/tools/${file}`));

interface ImportNode {
	type: string;
	importKind?: string;
	exportKind?: string;
	source?: { type: string; value?: unknown } | null;
}

/** Module specifiers a TypeScript file loads at run time (type-only imports and exports are erased, so left out). */
function runtimeImports(code: string): string[] {
	const specifiers: string[] = [];
	const visit = (value: unknown): void => {
		if (Array.isArray(value)) return value.forEach(visit);
		if (!value || typeof value !== 'object') return;
		const node = value as ImportNode;
		const typeOnly = node.importKind === 'type' || node.exportKind === 'type';
		const loads = ['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression'].includes(node.type);
		if (loads && !typeOnly && node.source?.type === 'Literal' && typeof node.source.value === 'string') specifiers.push(node.source.value);
		for (const child of Object.values(value)) if (child && typeof child === 'object') visit(child);
	};
	visit(parseAst(code, { lang: 'ts' }));
	return specifiers;
}

type PackageImport = string | { browser?: string; default: string };
const packageImports = (JSON.parse(readFileSync(own('package.json'), 'utf8')) as { imports: Record<string, PackageImport> }).imports;

/** The file a `#` import names in the browser build (package.json's "browser" condition first), or null for a dependency. */
function browserImport(specifier: string): string | null {
	const mapped = packageImports[specifier];
	if (mapped !== undefined) return own(typeof mapped === 'string' ? mapped : (mapped.browser ?? mapped.default));
	return specifier.startsWith('#lib/') ? own(`src/lib/${specifier.slice('#lib/'.length)}`) : null;
}

/** Every file of ours that `entry` loads, directly or not, with the specifiers each one imports. */
function browserGraph(entry: string): Map<string, string[]> {
	const graph = new Map<string, string[]>();
	const pending = [entry];
	while (pending.length) {
		const file = pending.pop()!;
		if (graph.has(file)) continue;
		const specifiers = runtimeImports(readFileSync(file, 'utf8'));
		graph.set(file, specifiers);
		for (const specifier of specifiers) {
			const target = specifier.startsWith('#')
				? browserImport(specifier)
				: specifier.startsWith('.')
					? path.resolve(path.dirname(file), specifier)
					: null;
			if (target) {
				expect(existsSync(target), `${specifier} imported by ${file}`).toBe(true);
				pending.push(target);
			}
		}
	}
	return graph;
}

describe("the tools' browser part", () => {
	const graph = browserGraph(own('src/lib/tools/registry.ts'));
	const files = [...graph.keys()];

	it('reaches every tool, and no *.server.ts module', () => {
		expect(files.filter((f) => f.endsWith('/index.ts')).length).toBeGreaterThanOrEqual(8);
		expect(files.filter((f) => /\.server\.[^/]+$/.test(f)).map((f) => path.relative(root, f))).toEqual([]);
	});

	it('imports no Node builtin and reads no process.env', () => {
		const builtins = [...graph].flatMap(([file, specifiers]) => specifiers.filter(isNodeBuiltin).map((s) => `${path.relative(root, file)}: ${s}`));
		expect(builtins).toEqual([]);
		const env = files.filter((file) => findProcessEnv(readFileSync(file, 'utf8'), 'ts') !== null).map((f) => path.relative(root, f));
		expect(env).toEqual([]);
	});

	it('reads molecules through RDKit\'s Web Worker, never loading RDKit on the page', () => {
		expect(files).toContain(own('src/lib/rdkit/worker-client.ts'));
		const rdkitImports = [...graph].flatMap(([file, specifiers]) => specifiers.filter((s) => s.startsWith('@rdkit/')).map((s) => `${path.relative(root, file)}: ${s}`));
		expect(rdkitImports).toEqual([]);
		expect(files).not.toContain(own('src/lib/rdkit/load.ts'));
	});

	it('leaves out the compute code that only run() needs', () => {
		expect(files.filter((f) => COMPUTE_ONLY.includes(f)).map((f) => path.relative(root, f))).toEqual([]);
		// The list names real files, so a rename cannot make this test pass vacuously.
		for (const file of COMPUTE_ONLY) expect(existsSync(file), file).toBe(true);
	});
});

// A Vite plugin that stops Node-only code at the browser's door: the client
// build fails, and the dev server answers with an error for the module, when
// a module bundled for the browser imports a Node builtin (`node:fs`,
// `child_process`, ...) or our own browser code reads `process.env`. Vite
// alone only warns ("externalized for browser compatibility") and the page
// crashes at run time. SvelteKit already refuses `*.server.*` files and
// `$lib/server/` in the browser; this catches the Node code that sits in an
// ordinary module. Server (SSR) code and the worker are not checked.
//
// Only our own modules are checked, not node_modules: dependencies such as
// RDKit's Emscripten loader import `node:fs` behind a Node-only branch, and
// Vite replaces those imports with empty stubs on purpose.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { parseAst, type Plugin } from 'vite';

export const PLUGIN_NAME = 'foldwork:browser-guard';

const builtins = new Set(builtinModules);

/** Whether an import specifier names a Node builtin: `node:*`, or a bare builtin name such as `fs` or `fs/promises`. */
export function isNodeBuiltin(specifier: string): boolean {
	if (specifier.startsWith('node:')) return true;
	return builtins.has(specifier.replace(/[?#].*$/, ''));
}

/** A module id without its query (`Foo.svelte?svelte&type=style` -> `Foo.svelte`). */
export function stripQuery(id: string): string {
	return id.replace(/[?#].*$/, '');
}

/** Whether a module id is one of our own files (not a dependency, not a virtual module). */
export function isOwnModule(id: string): boolean {
	if (id.startsWith('\0') || id.startsWith('virtual:') || id.startsWith('__vite')) return false;
	const file = stripQuery(id);
	return path.isAbsolute(file) && !file.split(/[\\/]/).includes('node_modules');
}

/** Whether a module holds JavaScript to read (not CSS, assets or raw text). */
export function isScriptModule(id: string): boolean {
	if (/[?&](?:raw|url|inline)\b/.test(id) || /[?&]type=style\b/.test(id)) return false;
	return /\.(?:[cm]?[jt]sx?|svelte)$/.test(stripQuery(id));
}

export interface SourcePosition {
	/** 1-based. */
	line: number;
	/** 0-based, as Vite and Rollup count. */
	column: number;
}

interface AstNode {
	type: string;
	start: number;
	[key: string]: unknown;
}

const isNode = (value: unknown): value is AstNode => typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';

/** `env` as a property name: `.env`, `['env']`, or `{ env }` in a pattern. */
function isEnvKey(key: unknown, computed: unknown): boolean {
	if (!isNode(key)) return false;
	return computed ? key.type === 'Literal' && key.value === 'env' : key.type === 'Identifier' && key.name === 'env';
}

/** `process`, or `globalThis.process` (and `window.`, `self.`, `global.`). */
function isProcess(node: unknown): boolean {
	if (!isNode(node)) return false;
	if (node.type === 'Identifier') return node.name === 'process';
	return (
		node.type === 'MemberExpression' &&
		!node.computed &&
		isNode(node.property) &&
		node.property.type === 'Identifier' &&
		node.property.name === 'process' &&
		isNode(node.object) &&
		node.object.type === 'Identifier' &&
		['globalThis', 'window', 'self', 'global'].includes(String(node.object.name))
	);
}

/** `process.env`, `process['env']`, `globalThis.process.env`, or `const { env } = process`. */
function readsProcessEnv(node: AstNode): boolean {
	if (node.type === 'MemberExpression') return isEnvKey(node.property, node.computed) && isProcess(node.object);
	if (node.type === 'VariableDeclarator' || node.type === 'AssignmentExpression') {
		const [pattern, value] = node.type === 'VariableDeclarator' ? [node.id, node.init] : [node.left, node.right];
		if (!isProcess(value) || !isNode(pattern) || pattern.type !== 'ObjectPattern' || !Array.isArray(pattern.properties)) return false;
		return pattern.properties.some((p: unknown) => isNode(p) && p.type === 'Property' && isEnvKey(p.key, p.computed));
	}
	return false;
}

/**
 * Where code first reads `process.env`, or null. The code is parsed (as
 * JavaScript, or TypeScript with lang 'ts'), so comments and strings that
 * mention process.env do not count. Code that does not parse is not judged
 * (null): the bundler reports it anyway.
 */
export function findProcessEnv(code: string, lang: 'js' | 'ts' = 'js'): SourcePosition | null {
	if (!/\bprocess\b/.test(code)) return null;
	let program: unknown;
	try {
		program = parseAst(code, { lang });
	} catch {
		return null;
	}
	const stack: unknown[] = [program];
	let first: number | null = null;
	while (stack.length) {
		const value = stack.pop();
		if (Array.isArray(value)) {
			stack.push(...value);
			continue;
		}
		if (!isNode(value)) continue;
		if (readsProcessEnv(value) && (first === null || value.start < first)) first = value.start;
		for (const [key, child] of Object.entries(value)) if (key !== 'type' && typeof child === 'object' && child !== null) stack.push(child);
	}
	if (first === null) return null;
	const before = code.slice(0, first).split('\n');
	return { line: before.length, column: before[before.length - 1].length };
}

const PROCESS_ENV_TEXT = /\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*(?:globalThis\.)?process\b/;

/**
 * The 1-based line of the source file (TypeScript, Svelte) that reads
 * process.env, for the message: the check itself runs on the compiled code,
 * whose lines differ. Lines that are comments are skipped; null when no line
 * is found.
 */
export function sourceLineOfProcessEnv(source: string): number | null {
	const lines = source.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const match = PROCESS_ENV_TEXT.exec(lines[i]);
		if (!match) continue;
		const before = lines[i].slice(0, match.index);
		if (before.includes('//') || /^\s*\*/.test(before) || /^\s*\/\*/.test(before)) continue;
		return i + 1;
	}
	return null;
}

/** `file` relative to the project root, for messages. */
export function displayPath(id: string, root: string): string {
	const file = stripQuery(id);
	return path.isAbsolute(file) ? path.relative(root, file) || file : file;
}

function importedBy(importers: readonly string[], root: string): string {
	const own = importers.filter((id) => !id.startsWith('\0'));
	if (own.length === 0) return '';
	return `, which is in the browser bundle because ${own.map((id) => displayPath(id, root)).join(', ')} ${own.length === 1 ? 'imports' : 'import'} it`;
}

const ADVICE =
	'Browser code must not use Node: move the Node-only part into a *.server.ts module (SvelteKit never bundles those for the browser) and import it only from server code or the worker (see STYLE.md, "Browser code and server code are different modules").';

/** The error for browser module `importer` importing Node builtin `specifier`; `importers` are the modules that import `importer`. */
export function builtinImportMessage(specifier: string, importer: string, importers: readonly string[], root: string): string {
	return `"${specifier}" is a Node module, imported by ${displayPath(importer, root)}${importedBy(importers, root)}. ${ADVICE}`;
}

/**
 * The error for browser module `id` reading process.env (on line
 * `sourceLine` of its file when known); `importers` are the modules that
 * import it.
 */
export function processEnvMessage(id: string, sourceLine: number | null, importers: readonly string[], root: string): string {
	const where = sourceLine === null ? displayPath(id, root) : `${displayPath(id, root)}:${sourceLine}`;
	return `${where} reads process.env${importedBy(importers, root)}; the browser has no process.env (public settings come from $app/env/public). ${ADVICE}`;
}

/**
 * The plugin: add it to vite.config.ts's plugins. It runs only in the
 * client environment.
 */
export function browserGuard(): Plugin {
	let root = process.cwd();
	// In a build: module id -> the modules that import it, filled in as modules are parsed.
	const importers = new Map<string, Set<string>>();
	const importersOf = (context: unknown, id: string): string[] => {
		const fromGraph = devImporters(context, id);
		return fromGraph ?? [...(importers.get(id) ?? [])];
	};
	return {
		name: PLUGIN_NAME,
		// Before Vite's own resolver, which would quietly stub the builtin out.
		enforce: 'pre',
		applyToEnvironment: (environment) => environment.config.consumer === 'client',
		configResolved(config) {
			root = config.root;
		},
		buildStart() {
			importers.clear();
		},
		moduleParsed(info) {
			for (const imported of [...info.importedIds, ...info.dynamicallyImportedIds]) {
				let set = importers.get(imported);
				if (!set) importers.set(imported, (set = new Set()));
				set.add(info.id);
			}
		},
		resolveId(source, importer, options) {
			// The dependency scanner of the dev server also walks server files; it is not the browser bundle.
			if ((options as { scan?: boolean }).scan) return null;
			if (!importer || !isOwnModule(importer) || !isNodeBuiltin(source)) return null;
			this.error(builtinImportMessage(source, importer, importersOf(this, importer), root));
		},
		transform: {
			// After Svelte and TypeScript are compiled, so what is checked is the JavaScript the browser gets.
			order: 'post',
			handler(code, id) {
				if (!isOwnModule(id) || !isScriptModule(id)) return null;
				const at = findProcessEnv(code);
				if (!at) return null;
				let sourceLine: number | null = null;
				try {
					sourceLine = sourceLineOfProcessEnv(readFileSync(stripQuery(id), 'utf8'));
				} catch {
					// A module with no file of its own: the message names the module only.
				}
				this.error(processEnvMessage(id, sourceLine, importersOf(this, id), root));
			}
		}
	};
}

type DevContext = {
	environment?: { mode?: string; moduleGraph?: { getModuleById(id: string): { importers: Set<{ id: string | null }> } | undefined } };
};

/** Who imports module `id`, from the dev server's module graph; undefined outside the dev server. */
function devImporters(context: unknown, id: string): string[] | undefined {
	const environment = (context as DevContext).environment;
	if (environment?.mode !== 'dev') return undefined;
	const node = environment.moduleGraph?.getModuleById(id);
	return node ? [...node.importers].flatMap((m) => (m.id ? [m.id] : [])) : [];
}

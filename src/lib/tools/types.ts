// The contract every tool implements: a browser part (ToolSpec) shared by
// the form, the estimate and the worker, and a worker part (ToolWorker) that
// only workers load. See DESIGN.md sections 5 and 6.
import type { z } from 'zod';
import type { ToolCatalogEntry } from './catalog.ts';

export type CellValue = string | number | boolean | null;

export interface TableColumn {
	key: string;
	label: string;
	type: 'string' | 'number' | 'integer' | 'boolean';
	unit?: string;
}

/** The declared table part of every result: CSV export builds its columns from it. */
export interface ResultTable {
	columns: TableColumn[];
	rows: Array<Record<string, CellValue>>;
}

export interface ToolResult {
	table: ResultTable;
	/** Whatever the tool's page needs beyond the table (plots, alignments, depictions). */
	[extra: string]: unknown;
}

export interface RunContext {
	signal: AbortSignal;
	/** pct in 0..100; the caller throttles. */
	progress(pct: number, message?: string): void;
	writeFile?(name: string, mediaType: string, content: string | Uint8Array): Promise<void>;
}

/** One problem found in pasted or uploaded input, named so a scientist can fix it. */
export interface InputIssue {
	/**
	 * What the issue is about in plain words, for inputs made of parts rather than
	 * records ("search box", "receptor", "ligands"; "ligand" with the ligand's name in
	 * `record`): people read "search box: …", not "record 'box': …".
	 */
	field?: string;
	/** Record id (or "line N" when no record is known yet). */
	record?: string;
	/** 1-based position in the record's sequence, when it applies. */
	position?: number;
	/** 1-based line in the pasted text, when it applies. */
	line?: number;
	message: string;
}

export type ParseOutcome<TInput> =
	| { ok: true; input: TInput; notices: string[] }
	| { ok: false; errors: InputIssue[] };

/** Raw form input: pasted text, or uploaded files read as text. */
export interface RawInput {
	text?: string;
	files?: Array<{ name: string; text: string }>;
	/** Named text boxes, for tools with more than one (e.g. pairwise-alignment's query and targets). */
	fields?: Record<string, string>;
}

export interface ToolExample {
	label: string;
	text: string;
	/** Named boxes the example fills besides the main text (RawInput.fields), e.g. docking's receptor and box. */
	fields?: Record<string, string>;
}

/**
 * A tool's browser part: what the form needs to build its boxes, check the
 * input as it is typed and show examples. It lives in the tool's index.ts
 * and imports nothing that needs Node (child processes, files, process.env)
 * nor the compute code that only run() uses; src/lib/tools/registry.ts maps
 * tool ids to these for the web app.
 */
export interface ToolSpec<TInput = unknown, TSettings = unknown> {
	catalog: ToolCatalogEntry;
	inputSchema: z.ZodType<TInput>;
	/** Every field has a default, so `{}` parses. */
	settingsSchema: z.ZodType<TSettings, unknown>;
	/** Synchronous for sequence tools; molecule tools wait for RDKit. */
	parseInput(raw: RawInput, settings?: Partial<TSettings>): ParseOutcome<TInput> | Promise<ParseOutcome<TInput>>;
	examples: ToolExample[];
	/**
	 * How the tool computes what it reports, where conventions differ between
	 * programs (pK sets, residue masses, descriptor rules): shown under its
	 * results, and said at more length in the tool's README.md.
	 */
	conventions?: string[];
}

/**
 * A tool's worker part, in the tool's worker.server.ts: SvelteKit refuses to
 * bundle `*.server.ts` modules for the browser, so nothing it imports can
 * leak into the web app.
 */
export interface ToolWorker<TInput = unknown, TSettings = unknown, TResult extends ToolResult = ToolResult> {
	run(input: TInput, settings: TSettings, ctx: RunContext): Promise<TResult>;
	/**
	 * Why this machine cannot run the tool (a program or service missing), or
	 * null when it can. A worker checks it once at start and does not take
	 * the tool's jobs while unavailable, so they wait for a worker that can.
	 */
	checkAvailable?(): Promise<string | null>;
	/**
	 * The versions of the back-end programs and libraries the tool runs
	 * ({ "AutoDock Vina": "1.2.5" }), asked once when a worker starts (after
	 * checkAvailable said yes) and recorded on every job it runs
	 * (jobs.provenance). Absent for tools that are all our own code.
	 */
	programVersions?(): Promise<Record<string, string>>;
}

/** A whole tool, spec and worker part joined (src/lib/tools/runners.server.ts): what the worker, tests and benches run. */
export interface ToolDefinition<TInput = unknown, TSettings = unknown, TResult extends ToolResult = ToolResult>
	extends ToolSpec<TInput, TSettings>,
		ToolWorker<TInput, TSettings, TResult> {}

/**
 * Bad input found at run time (the worker re-validates what the browser
 * checked). Its message is shown to the scientist as is; anything else thrown
 * by a run function is an unexpected crash.
 */
export class ToolInputError extends Error {
	readonly issues: InputIssue[];
	constructor(issues: InputIssue[] | string) {
		const list = typeof issues === 'string' ? [{ message: issues }] : issues;
		super(list.map(describeIssue).join('\n'));
		this.name = 'ToolInputError';
		this.issues = list;
	}
}

/**
 * A fault outside the tool and the input that may clear on its own (a model
 * server restarting, overloaded or unreachable), so the job should be tried
 * again rather than failed. The message says what happened, for the log.
 */
export class TransientToolError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'TransientToolError';
	}
}

export function describeIssue(issue: InputIssue): string {
	const where: string[] = [];
	if (issue.line !== undefined) where.push(`line ${issue.line}`);
	if (issue.record !== undefined) where.push(`${issue.field ?? 'record'} '${issue.record}'`);
	else if (issue.field !== undefined) where.push(issue.field);
	if (issue.position !== undefined) where.push(`position ${issue.position}`);
	return where.length ? `${where.join(', ')}: ${issue.message}` : issue.message;
}

/** Throws the signal's reason when the job was cancelled or timed out. */
export function checkAborted(signal: AbortSignal): void {
	if (signal.aborted) throw signal.reason ?? new DOMException('Aborted', 'AbortError');
}

/** Lets the event loop deliver abort signals (and progress) during long pure computations. */
export function yieldToEventLoop(): Promise<void> {
	const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
	return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}

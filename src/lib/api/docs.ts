// What /docs/api shows, worked out from the contract and the tools' request
// examples: each route with its schemas, and per tool a curl request and the
// same job through the CLI, with the input file the CLI reads.
import { apiRoutes, MAX_BATCH_JOBS, MAX_WAIT_SECONDS } from './contract.ts';
import { buildOpenApiDocument, type ToolRequestExample } from './openapi.ts';

export interface RouteDoc {
	id: string;
	method: string;
	path: string;
	summary: string;
	description: string | null;
	scope: 'read' | 'write';
	parameters: Array<{ name: string; in: string; required: boolean; description: string | null }>;
	request: string | null;
	response: string;
	errors: number[];
}

export interface ToolExampleDoc {
	tool: string;
	toolName: string;
	label: string;
	curl: string;
	/** The CLI's input file: its name and text. */
	file: { name: string; text: string };
	cli: string;
	/** Whether long texts were shortened in the curl example. */
	shortened: boolean;
}

const SHOWN_TEXT = 160;

/** The JSON with every string longer than SHOWN_TEXT cut, for reading on a page. */
function shortenStrings(value: unknown): { value: unknown; shortened: boolean } {
	let shortened = false;
	const walk = (v: unknown): unknown => {
		if (typeof v === 'string' && v.length > SHOWN_TEXT) {
			shortened = true;
			return `${v.slice(0, SHOWN_TEXT)}…`;
		}
		if (Array.isArray(v)) return v.map(walk);
		if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
		return v;
	};
	return { value: walk(value), shortened };
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

type Rec = Record<string, unknown>;
const fastaOf = (records: Rec[]) => records.map((r) => `>${r.id}${r.description ? ` ${r.description}` : ''}\n${r.sequence}\n`).join('');

/** The file the CLI would read for this input: FASTA, SMILES lines, a PDB file, or the input JSON itself. */
export function cliInputFile(example: ToolRequestExample): { name: string; text: string } {
	const input = example.input as Rec;
	if (Array.isArray(input.sequences)) return { name: 'input.fasta', text: fastaOf(input.sequences as Rec[]) };
	if (input.query && Array.isArray(input.targets)) return { name: 'input.fasta', text: fastaOf([input.query as Rec, ...(input.targets as Rec[])]) };
	const molecules = input.molecules as Rec[] | undefined;
	if (Array.isArray(molecules) && molecules.every((m) => typeof m.smiles === 'string')) {
		return { name: 'input.smi', text: molecules.map((m) => `${m.smiles} ${m.id}\n`).join('') };
	}
	const structures = input.structures as Rec[] | undefined;
	if (Array.isArray(structures) && structures.length === 1 && typeof structures[0].content === 'string') {
		return { name: `input.${structures[0].format === 'mmcif' ? 'cif' : 'pdb'}`, text: structures[0].content };
	}
	return { name: 'input.json', text: `${JSON.stringify(input, null, 2)}\n` };
}

export function toolExampleDoc(example: ToolRequestExample): ToolExampleDoc {
	const { value, shortened } = shortenStrings({ tool: example.tool, input: example.input });
	const curl = [
		'curl -X POST "$FOLDWORK_API_URL/v1/jobs" \\',
		'  -H "Authorization: Bearer $FOLDWORK_TOKEN" \\',
		'  -H "Content-Type: application/json" \\',
		`  -d ${shellQuote(JSON.stringify(value, null, 2))}`
	].join('\n');
	const file = cliInputFile(example);
	return {
		tool: example.tool,
		toolName: example.toolName,
		label: example.label,
		curl,
		file,
		cli: `foldwork submit ${example.tool} ${file.name} --wait`,
		shortened
	};
}

/** The routes as the docs page lists them, with their JSON Schemas from the generated document. */
export function routeDocs(): RouteDoc[] {
	const document = buildOpenApiDocument();
	return apiRoutes.map((route) => {
		const operation = document.paths[route.path][route.method.toLowerCase()] as {
			parameters: Array<{ name: string; in: string; required: boolean; description?: string }>;
		};
		const name = route.id[0].toUpperCase() + route.id.slice(1);
		const schema = (key: string) => JSON.stringify(document.components.schemas[key], null, 2);
		return {
			id: route.id,
			method: route.method,
			path: route.path,
			summary: route.summary,
			description: route.description ?? null,
			scope: route.scope,
			parameters: operation.parameters.map((p) => ({ name: p.name, in: p.in, required: p.required, description: p.description ?? null })),
			request: route.request ? schema(`${name}Request`) : null,
			response: schema(`${name}Response`),
			errors: route.errors
		};
	});
}

export const DOC_LIMITS = { batch: MAX_BATCH_JOBS, waitSeconds: MAX_WAIT_SECONDS };

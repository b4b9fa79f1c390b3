// The docking form -> the job input. Form fields (all text):
//   receptor           PDB text (or upload a .pdb/.ent file)
//   receptor_name      optional; default the file name or "receptor"
//   ligands            SMILES lines ("SMILES name") or SDF (or upload .smi/.sdf/.mol files; raw.text counts too)
//   box_mode           manual | ligand | residues
//   center_x/y/z, size_x/y/z      for manual (Å)
//   box_ligand, box_chain, box_resnum   for ligand: the bound hetero group, e.g. STI [A] [201]
//   box_residues       for residues: "A:315 A:381, A:253"
//   padding            for ligand/residues: Å added on every side (default 4)
// The receptor is read and the box resolved here too, so a missing ligand or
// residue is reported beside the form before anything is charged.
import { checkInputSize } from '../parse/input-size.ts';
import type { InputIssue, ParseOutcome, RawInput } from '../types.ts';
import { resolveBox } from './box.ts';
import { ligandTextWrongFormat, looksLikeSdfText, parseSdfLigands, parseSmilesLines } from './ligand-text.ts';
import { readReceptor } from './receptor.ts';
import { DEFAULT_PADDING, inputSchema, MAX_RECEPTOR_CHARS, type BoxInput, type DockingInput, type LigandInput } from './schema.ts';
import { count } from '#lib/ui/plural.ts';

const RECEPTOR_FILE = /\.(pdb|ent)$/i;
const LIGAND_FILE = /\.(smi|smiles|sdf|sd|mol|txt)$/i;

function looksLikePdb(text: string): boolean {
	return /^(ATOM {2}|HETATM)/m.test(text) && !looksLikeSdfText(text);
}

interface Parts {
	receptor?: { name: string; text: string };
	ligandTexts: Array<{ source: string; text: string }>;
	issues: InputIssue[];
}

/** Sorts uploads into the receptor and ligand texts, by extension and then by content. */
function collect(raw: RawInput): Parts {
	const fields = raw.fields ?? {};
	const parts: Parts = { ligandTexts: [], issues: [] };
	const receptors: Array<{ name: string; text: string }> = [];
	if (fields.receptor?.trim()) receptors.push({ name: fields.receptor_name?.trim() || 'receptor', text: fields.receptor });
	if (fields.ligands?.trim()) parts.ligandTexts.push({ source: 'ligands', text: fields.ligands });
	if (raw.text?.trim()) parts.ligandTexts.push({ source: 'ligands', text: raw.text });
	for (const file of raw.files ?? []) {
		const isReceptor = RECEPTOR_FILE.test(file.name) || (!LIGAND_FILE.test(file.name) && looksLikePdb(file.text));
		if (isReceptor) receptors.push({ name: fields.receptor_name?.trim() || file.name.replace(/\.[^.]*$/, '') || 'receptor', text: file.text });
		else parts.ligandTexts.push({ source: file.name, text: file.text });
	}
	if (receptors.length > 1) parts.issues.push({ field: 'receptor', message: `${receptors.length} receptor structures given; dock into one receptor per job` });
	parts.receptor = receptors[0];
	return parts;
}

function parseLigands(texts: Parts['ligandTexts']): { ligands: LigandInput[]; issues: InputIssue[]; notices: string[] } {
	const ligands: LigandInput[] = [];
	const issues: InputIssue[] = [];
	const notices: string[] = [];
	for (const { source, text } of texts) {
		const wrong = ligandTextWrongFormat(text);
		if (wrong) {
			issues.push({ field: 'ligands', record: source, message: wrong });
			continue;
		}
		const parsed = looksLikeSdfText(text) ? parseSdfLigands(text) : parseSmilesLines(text);
		ligands.push(...parsed.ligands);
		issues.push(...parsed.issues);
		notices.push(...parsed.notices);
	}
	if (texts.length === 0) issues.push({ field: 'ligands', message: 'no ligands given: paste SMILES lines ("SMILES name") or SDF' });
	return { ligands, issues, notices };
}

/** A number field; `fallback` when blank and allowed. */
function numberField(fields: Record<string, string>, key: string, label: string, issues: InputIssue[], fallback?: number): number {
	const text = fields[key]?.trim() ?? '';
	if (text === '' && fallback !== undefined) return fallback;
	const value = text === '' ? NaN : Number(text);
	if (!Number.isFinite(value)) issues.push({ field: 'search box', message: text === '' ? `give the ${label}` : `the ${label} must be a number, not '${text.slice(0, 20)}'` });
	return value;
}

function boxFromFields(fields: Record<string, string>, issues: InputIssue[]): BoxInput | undefined {
	const mode = fields.box_mode?.trim();
	const before = issues.length;
	if (mode === 'manual') {
		const center = (['x', 'y', 'z'] as const).map((a) => numberField(fields, `center_${a}`, `box center ${a}`, issues));
		const size = (['x', 'y', 'z'] as const).map((a) => numberField(fields, `size_${a}`, `box size ${a}`, issues));
		return issues.length > before ? undefined : { mode, center: center as [number, number, number], size: size as [number, number, number] };
	}
	const padding = numberField(fields, 'padding', 'padding', issues, DEFAULT_PADDING);
	if (mode === 'ligand') {
		const resname = fields.box_ligand?.trim() ?? '';
		if (resname === '') issues.push({ field: 'search box', message: 'name the bound ligand (its residue name in the PDB file, e.g. STI)' });
		const chain = fields.box_chain?.trim() || undefined;
		const resnum = fields.box_resnum?.trim() ? numberField(fields, 'box_resnum', 'ligand residue number', issues) : undefined;
		return issues.length > before ? undefined : { mode, resname, chain, resnum, padding };
	}
	if (mode === 'residues') {
		const residues = (fields.box_residues ?? '').split(/[\s,;]+/).filter(Boolean);
		if (residues.length === 0) issues.push({ field: 'search box', message: 'list the residues around the site, e.g. A:315 A:381' });
		return issues.length > before ? undefined : { mode, residues, padding };
	}
	issues.push({ field: 'search box', message: 'choose how to place the search box: manual (center and size), around a bound ligand, or around residues' });
	return undefined;
}

/** zod's messages for the assembled input, each naming its ligand or part. */
function schemaIssues(input: unknown, error: { issues: Array<{ path: PropertyKey[]; message: string }> }): InputIssue[] {
	const ligands = (input as { ligands?: LigandInput[] }).ligands ?? [];
	return error.issues.slice(0, 50).map((issue) => {
		const [part, index] = issue.path;
		if (part === 'ligands' && typeof index === 'number') return { field: 'ligand', record: ligands[index]?.name ?? String(index + 1), message: issue.message };
		return { field: part === 'box' ? 'search box' : part === 'receptor' ? 'receptor' : 'ligands', message: issue.message };
	});
}

export function parseDockingInput(raw: RawInput, maxInputBytes: number): ParseOutcome<DockingInput> {
	const fields = raw.fields ?? {};
	const parts = collect(raw);
	const issues = [...parts.issues];
	const notices: string[] = [];
	if (!parts.receptor) issues.push({ field: 'receptor', message: 'give a receptor structure (PDB file)' });
	else if (parts.receptor.text.length > MAX_RECEPTOR_CHARS) {
		issues.push({ field: 'receptor', message: `the receptor has ${parts.receptor.text.length} characters; at most ${MAX_RECEPTOR_CHARS} (keep the chains around the binding site)` });
	}
	const ligands = parseLigands(parts.ligandTexts);
	issues.push(...ligands.issues);
	notices.push(...ligands.notices);
	const box = boxFromFields(fields, issues);
	if (issues.length) return { ok: false, errors: issues };
	const candidate = { receptor: parts.receptor!, ligands: ligands.ligands, box: box! };
	const parsed = inputSchema.safeParse(candidate);
	if (!parsed.success) return { ok: false, errors: schemaIssues(candidate, parsed.error) };
	const receptor = readReceptor(parsed.data.receptor.text);
	if (!receptor.ok) return { ok: false, errors: receptor.issues };
	const resolved = resolveBox(receptor.structure, parsed.data.box);
	if (!resolved.ok) return { ok: false, errors: resolved.issues };
	const tooBig = checkInputSize(parsed.data, maxInputBytes);
	if (tooBig) return { ok: false, errors: [tooBig] };
	const { structure } = receptor;
	if (structure.watersRemoved) notices.push(`${count(structure.watersRemoved, 'water atom')} will be removed from the receptor`);
	if (structure.otherModelsIgnored) notices.push('the receptor has several models; the first is used');
	notices.push(...resolved.resolved.notes);
	return { ok: true, input: parsed.data, notices };
}

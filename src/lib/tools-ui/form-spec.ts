// What each tool's form asks for: its input boxes (RawInput.text, or named
// RawInput.fields where the tool's parseInput reads them), file uploads, how
// its examples and a stored job input fill the boxes, and how its settings
// are labelled. The generic ToolForm renders this; the tools' own parseInput
// and zod schemas decide what is valid.
import { geneticCodes } from '#lib/tools/sequence-tools/genetic-codes.ts';
import type { InputIssue } from '#lib/tools/types.ts';
import { asArray, asRecord, asString, fastaText, firstRecordSplit, moleculesText } from './input-text.ts';

export interface FieldOption {
	value: string;
	label: string;
}

export type FormValues = Record<string, string>;

export interface InputFieldSpec {
	/** `text` is RawInput.text; any other key is RawInput.fields[key]. */
	key: string;
	label: string;
	kind: 'textarea' | 'text' | 'number' | 'select';
	hint?: string;
	placeholder?: string;
	rows?: number;
	options?: FieldOption[];
	/** An "Upload" button beside the box: the file's text replaces the box's. */
	upload?: { accept: string; /** A field that takes the file's base name while it is blank. */ nameField?: string };
	/** Shown only when this holds; hidden fields are still sent (the parser ignores what the chosen mode does not use). */
	visibleWhen?: (values: Readonly<FormValues>) => boolean;
	initial?: string;
	/** Fields of one group sit together under the group's legend. */
	group?: string;
	/** Box content is data (sequences, SMILES, PDB): monospace. */
	mono?: boolean;
}

export interface SettingHint {
	label: string;
	hint?: string;
	/** A select with these choices, for settings the schema cannot list (a refined number). */
	options?: Array<{ value: string | number; label: string }>;
	/** Labels for an enum's values. */
	optionLabels?: Record<string, string>;
	visibleWhen?: (settings: Readonly<Record<string, unknown>>) => boolean;
}

export interface FormInput {
	values: FormValues;
	files: Array<{ name: string; text: string }>;
}

export interface ToolFormSpec {
	fields: InputFieldSpec[];
	groups?: Record<string, string>;
	/** Several uploaded files, sent as RawInput.files. */
	files?: { label: string; accept: string; hint?: string };
	/** The field an input problem is shown beside. */
	fieldOf(issue: InputIssue): string;
	/** An example's text as form values. */
	exampleValues(text: string): FormValues;
	/** A stored job input as form values and files (to duplicate a job). */
	fromInput(input: unknown): FormInput;
	settings: Record<string, SettingHint>;
}

const FASTA_ACCEPT = '.fasta,.fa,.faa,.fna,.fas,.fsa,.seq,.txt';

function sequencesSpec(label: string, hint: string, settings: Record<string, SettingHint> = {}): ToolFormSpec {
	return {
		fields: [{ key: 'text', label, kind: 'textarea', rows: 10, mono: true, hint, placeholder: '>name description\nSEQUENCE…' }],
		files: { label: 'Upload FASTA files', accept: FASTA_ACCEPT },
		fieldOf: () => 'text',
		exampleValues: (text) => ({ text }),
		fromInput: (input) => ({ values: { text: fastaText(asArray(asRecord(input).sequences)) }, files: [] }),
		settings
	};
}

const proteinSettings: Record<string, SettingHint> = {
	pH: { label: 'pH', hint: 'For the net charge.' },
	hydropathyWindow: { label: 'Hydropathy window (residues)', hint: 'An odd number from 3 to 21.' }
};

const FRAME_LABELS: Record<string, string> = {
	'1': 'Frame 1',
	'2': 'Frame 2',
	'3': 'Frame 3',
	'-1': 'Frame -1',
	'-2': 'Frame -2',
	'-3': 'Frame -3',
	F: 'Forward frames (1, 2, 3)',
	R: 'Reverse frames (-1, -2, -3)',
	'6': 'All six frames'
};

const translating = (s: Readonly<Record<string, unknown>>) => s.translate !== false;
const findingOrfs = (s: Readonly<Record<string, unknown>>) => s.findOrfs !== false;

const sequenceToolsSettings: Record<string, SettingHint> = {
	reverseComplement: { label: 'Reverse complement' },
	translate: { label: 'Translate' },
	frames: { label: 'Frames', optionLabels: FRAME_LABELS, visibleWhen: translating },
	geneticCode: {
		label: 'Genetic code',
		options: geneticCodes.filter((c) => c.id !== 0).map((c) => ({ value: c.id, label: `${c.id}. ${c.name}` }))
	},
	findOrfs: { label: 'Find ORFs' },
	orfMode: { label: 'ORFs run', optionLabels: { 'start-to-stop': 'Start codon to stop codon', 'stop-to-stop': 'Stop codon to stop codon' }, visibleWhen: findingOrfs },
	orfStartCodons: { label: 'Start codons', optionLabels: { atg: 'ATG only', code: "The genetic code's start codons" }, visibleWhen: findingOrfs },
	orfOutput: { label: 'ORF output', optionLabels: { protein: 'Protein', nucleotide: 'Nucleotides' }, visibleWhen: findingOrfs },
	orfMinLength: { label: 'Shortest ORF (nucleotides)', hint: 'Without the stop codon.', visibleWhen: findingOrfs },
	orfMaxLength: { label: 'Longest ORF (nucleotides)', visibleWhen: findingOrfs },
	orfMethionine: { label: 'Write the start codon as M', visibleWhen: findingOrfs },
	orfBothStrands: { label: 'Search both strands', visibleWhen: findingOrfs }
};

const globalMode = (s: Readonly<Record<string, unknown>>) => s.mode !== 'local';

const pairwiseSpec: ToolFormSpec = {
	fields: [
		{ key: 'query', label: 'Query', kind: 'textarea', rows: 4, mono: true, hint: 'One sequence (FASTA or plain).', upload: { accept: FASTA_ACCEPT } },
		{ key: 'targets', label: 'Targets', kind: 'textarea', rows: 8, mono: true, hint: 'One or more sequences in FASTA; each is aligned to the query.', upload: { accept: FASTA_ACCEPT } }
	],
	fieldOf: (issue) => (issue.message.startsWith('query:') || issue.record === 'query' ? 'query' : 'targets'),
	exampleValues: (text) => {
		const [query, targets] = firstRecordSplit(text);
		return { query, targets };
	},
	fromInput: (input) => {
		const { query, targets } = asRecord(input);
		return { values: { query: fastaText(query === undefined ? [] : [query]), targets: fastaText(asArray(targets)) }, files: [] };
	},
	settings: {
		mode: { label: 'Alignment', optionLabels: { global: 'Global (Needleman-Wunsch)', local: 'Local (Smith-Waterman)' } },
		matrix: { label: 'Substitution matrix', hint: 'DNAFULL for nucleotides.' },
		gapOpen: { label: 'Gap open penalty' },
		gapExtend: { label: 'Gap extend penalty' },
		endGapPenalties: { label: 'Penalise end gaps', visibleWhen: globalMode },
		endGapOpen: { label: 'End gap open penalty', visibleWhen: (s) => globalMode(s) && s.endGapPenalties === true },
		endGapExtend: { label: 'End gap extend penalty', visibleWhen: (s) => globalMode(s) && s.endGapPenalties === true }
	}
};

const MOLECULE_ACCEPT = '.smi,.smiles,.sdf,.sd,.mol,.txt';

const moleculePropertiesSpec: ToolFormSpec = {
	fields: [
		{
			key: 'text',
			label: 'Molecules (SMILES or SDF)',
			kind: 'textarea',
			rows: 10,
			mono: true,
			hint: 'One SMILES per line, optionally followed by a name; or SDF records.',
			placeholder: 'CC(=O)Oc1ccccc1C(=O)O aspirin'
		}
	],
	files: { label: 'Upload SMILES or SDF files', accept: MOLECULE_ACCEPT },
	fieldOf: () => 'text',
	exampleValues: (text) => ({ text }),
	fromInput: (input) => ({ values: { text: moleculesText(asArray(asRecord(input).molecules), 'id', 'molblock') }, files: [] }),
	settings: {
		depiction: { label: '2D depictions' },
		depictionWidth: { label: 'Depiction width (px)', visibleWhen: (s) => s.depiction !== false },
		depictionHeight: { label: 'Depiction height (px)', visibleWhen: (s) => s.depiction !== false }
	}
};

const structureAnalysisSpec: ToolFormSpec = {
	fields: [
		{
			key: 'text',
			label: 'Structure (PDB or mmCIF)',
			kind: 'textarea',
			rows: 8,
			mono: true,
			hint: 'Paste one structure, or upload one or more files.',
			placeholder: 'ATOM      1  N   MET A   1 …'
		}
	],
	files: { label: 'Upload PDB or mmCIF files', accept: '.pdb,.ent,.cif,.mmcif,.txt' },
	fieldOf: () => 'text',
	exampleValues: (text) => ({ text }),
	fromInput: (input) => ({
		values: { text: '' },
		files: asArray(asRecord(input).structures).map((s) => {
			const { name, format, content } = asRecord(s);
			return { name: `${asString(name) || 'structure'}.${format === 'mmcif' ? 'cif' : 'pdb'}`, text: asString(content) };
		})
	}),
	settings: { secondaryStructure: { label: 'Secondary structure (DSSP)' } }
};

const boxMode = (mode: string) => (v: Readonly<FormValues>) => v.box_mode === mode;
const aroundSomething = (v: Readonly<FormValues>) => v.box_mode === 'ligand' || v.box_mode === 'residues';
const coordinate = (key: string, label: string): InputFieldSpec => ({ key, label, kind: 'number', group: 'box', visibleWhen: boxMode('manual') });

const dockingSpec: ToolFormSpec = {
	fields: [
		{ key: 'receptor', label: 'Receptor (PDB)', kind: 'textarea', rows: 6, mono: true, hint: 'Paste or upload the receptor structure as PDB.', upload: { accept: '.pdb,.ent', nameField: 'receptor_name' } },
		{ key: 'receptor_name', label: 'Receptor name', kind: 'text', placeholder: 'receptor' },
		{ key: 'ligands', label: 'Ligands (SMILES or SDF)', kind: 'textarea', rows: 6, mono: true, hint: 'One SMILES per line followed by a name, or SDF records.', upload: { accept: MOLECULE_ACCEPT } },
		{
			key: 'box_mode',
			label: 'Place the search box',
			kind: 'select',
			group: 'box',
			initial: 'ligand',
			options: [
				{ value: 'ligand', label: 'Around a bound ligand' },
				{ value: 'residues', label: 'Around residues' },
				{ value: 'manual', label: 'Center and size' }
			]
		},
		{ key: 'box_ligand', label: 'Bound ligand (residue name)', kind: 'text', group: 'box', placeholder: 'STI', visibleWhen: boxMode('ligand') },
		{ key: 'box_chain', label: 'Chain (optional)', kind: 'text', group: 'box', placeholder: 'A', visibleWhen: boxMode('ligand') },
		{ key: 'box_resnum', label: 'Residue number (optional)', kind: 'number', group: 'box', visibleWhen: boxMode('ligand') },
		{ key: 'box_residues', label: 'Residues', kind: 'text', group: 'box', placeholder: 'A:315 A:381', hint: 'chain:number, separated by spaces or commas.', visibleWhen: boxMode('residues') },
		coordinate('center_x', 'Center x (Å)'),
		coordinate('center_y', 'Center y (Å)'),
		coordinate('center_z', 'Center z (Å)'),
		coordinate('size_x', 'Size x (Å)'),
		coordinate('size_y', 'Size y (Å)'),
		coordinate('size_z', 'Size z (Å)'),
		{ key: 'padding', label: 'Padding (Å)', kind: 'number', group: 'box', placeholder: '4', visibleWhen: aroundSomething }
	],
	groups: { box: 'Search box' },
	fieldOf: (issue) => (issue.field === 'receptor' ? 'receptor' : issue.field === 'search box' ? 'box_mode' : 'ligands'),
	exampleValues: (text) => ({ ligands: text }),
	fromInput: (input) => {
		const { receptor, ligands, box } = asRecord(input);
		const r = asRecord(receptor);
		const b = asRecord(box);
		const values: FormValues = {
			receptor: asString(r.text),
			receptor_name: asString(r.name),
			ligands: moleculesText(asArray(ligands), 'name', 'sdf'),
			box_mode: asString(b.mode) || 'ligand'
		};
		const num = (v: unknown) => (typeof v === 'number' ? String(v) : '');
		if (b.mode === 'manual') {
			const center = asArray(b.center);
			const size = asArray(b.size);
			(['x', 'y', 'z'] as const).forEach((axis, k) => {
				values[`center_${axis}`] = num(center[k]);
				values[`size_${axis}`] = num(size[k]);
			});
		} else {
			values.padding = num(b.padding);
			if (b.mode === 'ligand') {
				values.box_ligand = asString(b.resname);
				values.box_chain = asString(b.chain);
				values.box_resnum = num(b.resnum);
			} else {
				values.box_residues = asArray(b.residues).map(asString).join(' ');
			}
		}
		return { values, files: [] };
	},
	settings: {
		exhaustiveness: { label: 'Exhaustiveness', hint: 'A more thorough search, priced in steps of 8: per ligand, 2 credits up to 8, 4 up to 16, 6 up to 24, 8 up to 32.' },
		num_modes: { label: 'Poses per ligand' },
		energy_range: { label: 'Energy range (kcal/mol)', hint: 'Poses within this of the best are kept.' },
		seed: { label: 'Random seed', hint: 'The same seed gives the same poses.' },
		ph: { label: 'Protonation pH' }
	}
};

const specs: Record<string, ToolFormSpec> = {
	'protein-properties': sequencesSpec('Protein sequences (FASTA)', 'Paste FASTA or plain sequences, or upload files.', proteinSettings),
	'sequence-tools': sequencesSpec('DNA or RNA sequences (FASTA)', 'Paste FASTA or plain sequences, or upload files.', sequenceToolsSettings),
	'gpu-selftest': sequencesSpec('Protein sequences (FASTA)', 'Up to 4,000 residues each.'),
	'structure-prediction': sequencesSpec('Protein sequences (FASTA)', 'One structure is predicted for each sequence.'),
	'pairwise-alignment': pairwiseSpec,
	'molecule-properties': moleculePropertiesSpec,
	'structure-analysis': structureAnalysisSpec,
	docking: dockingSpec
};

/** The form of a tool; a tool without its own gets pasted text and files. */
export function formSpec(toolId: string): ToolFormSpec {
	return Object.hasOwn(specs, toolId)
		? specs[toolId]
		: {
				fields: [{ key: 'text', label: 'Input', kind: 'textarea', rows: 10, mono: true }],
				files: { label: 'Upload files', accept: '' },
				fieldOf: () => 'text',
				exampleValues: (text) => ({ text }),
				fromInput: () => ({ values: { text: '' }, files: [] }),
				settings: {}
			};
}

/** Every field's starting value. */
export function initialValues(spec: ToolFormSpec): FormValues {
	return Object.fromEntries(spec.fields.map((f) => [f.key, f.initial ?? '']));
}

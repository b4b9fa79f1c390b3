// The tool catalog: one entry per tool, the metadata the database's `tools`
// table holds too (a test proves the two agree). Pricing is computed by the
// database from these rules; the TypeScript side only displays them.
//
// Every job input is a JSON object whose records sit in one top-level array,
// named by `itemsField` (e.g. { "sequences": [{ "id", "sequence" }] }). The
// database counts those records for limits and per-input pricing.

export type ComputeClass = 'cpu' | 'gpu';
export type InputKind = 'sequences' | 'structures' | 'molecules';

export type PricingRule =
	| { kind: 'free' }
	| { kind: 'flat'; credits: number }
	/** `credits` for each record in the input's items array (e.g. per target, per molecule). */
	| { kind: 'per_input'; credits: number; unit: string }
	/** `credits` for each structure file in the input. */
	| { kind: 'per_structure'; credits: number }
	/** A SQL function public.<fn>(input jsonb, settings jsonb) returns integer. */
	| { kind: 'calculator'; fn: string; description: string };

export interface ToolCatalogEntry {
	id: string;
	name: string;
	/**
	 * The tool's own version (semver): raise it whenever what the tool computes
	 * or how it reports it changes. Each job records the version that ran it
	 * (jobs.provenance), and archives name it.
	 */
	version: string;
	category: 'Sequence analysis' | 'Alignment' | 'Cheminformatics' | 'Structure analysis' | 'Docking' | 'Structure prediction';
	description: string;
	computeClass: ComputeClass;
	inputKind: InputKind;
	/** Top-level key of the input object that holds the array of records. */
	itemsField: string;
	pricing: PricingRule;
	timeLimitSeconds: number;
	/** Largest accepted input, in bytes of its JSON text. */
	maxInputBytes: number;
	/** Most records in the items array. */
	maxItems: number;
	enabled: boolean;
}

const MiB = 1024 * 1024;

export const toolCatalog: readonly ToolCatalogEntry[] = [
	{
		id: 'protein-properties',
		name: 'Protein properties',
		version: '1.0.0',
		category: 'Sequence analysis',
		description: 'Mass, pI, charge, extinction coefficients, stability, GRAVY and hydropathy of protein sequences (ProtParam conventions).',
		computeClass: 'cpu',
		inputKind: 'sequences',
		itemsField: 'sequences',
		pricing: { kind: 'free' },
		timeLimitSeconds: 300,
		maxInputBytes: 20 * MiB,
		maxItems: 20_000,
		enabled: true
	},
	{
		id: 'sequence-tools',
		name: 'Sequence tools',
		version: '1.0.0',
		category: 'Sequence analysis',
		description: 'Reverse complement, translation in any frame with NCBI genetic codes, and ORF finding for DNA/RNA.',
		computeClass: 'cpu',
		inputKind: 'sequences',
		itemsField: 'sequences',
		pricing: { kind: 'free' },
		timeLimitSeconds: 300,
		maxInputBytes: 20 * MiB,
		maxItems: 10_000,
		enabled: true
	},
	{
		id: 'pairwise-alignment',
		name: 'Pairwise alignment',
		version: '1.0.0',
		category: 'Alignment',
		description: 'Global (Needleman-Wunsch) or local (Smith-Waterman) alignment with affine gaps, one query against many targets.',
		computeClass: 'cpu',
		inputKind: 'sequences',
		itemsField: 'targets',
		pricing: { kind: 'per_input', credits: 1, unit: 'aligned pair' },
		timeLimitSeconds: 600,
		maxInputBytes: 5 * MiB,
		maxItems: 500,
		enabled: true
	},
	{
		id: 'molecule-properties',
		name: 'Molecule properties',
		version: '1.0.0',
		category: 'Cheminformatics',
		description: 'Canonical SMILES, formula, masses, cLogP, TPSA, H-bond counts, Lipinski/Veber rules, InChIKey and 2D depictions (RDKit).',
		computeClass: 'cpu',
		inputKind: 'molecules',
		itemsField: 'molecules',
		pricing: { kind: 'per_input', credits: 1, unit: 'molecule' },
		timeLimitSeconds: 300,
		maxInputBytes: 10 * MiB,
		maxItems: 5_000,
		enabled: true
	},
	{
		id: 'structure-analysis',
		name: 'Structure analysis',
		version: '1.0.0',
		category: 'Structure analysis',
		description: 'Chains, sequences, missing residues, ligands, radius of gyration, B-factors, phi/psi and DSSP secondary structure of PDB/mmCIF files.',
		computeClass: 'cpu',
		inputKind: 'structures',
		itemsField: 'structures',
		pricing: { kind: 'per_structure', credits: 2 },
		timeLimitSeconds: 600,
		maxInputBytes: 50 * MiB,
		maxItems: 20,
		enabled: true
	},
	{
		id: 'docking',
		name: 'Molecular docking',
		version: '1.0.0',
		category: 'Docking',
		description: 'Dock ligands into a receptor with AutoDock Vina after Open Babel preparation; top poses with affinities.',
		computeClass: 'cpu',
		inputKind: 'molecules',
		itemsField: 'ligands',
		pricing: { kind: 'calculator', fn: 'price_docking', description: '2 credits per ligand for each 8 units of exhaustiveness' },
		timeLimitSeconds: 3600,
		maxInputBytes: 20 * MiB,
		maxItems: 50,
		enabled: true
	},
	{
		id: 'structure-prediction',
		name: 'Structure prediction (ESMFold)',
		version: '1.0.0',
		category: 'Structure prediction',
		description: 'Predict protein structures with an ESMFold-compatible model server on a GPU worker; per-residue pLDDT.',
		computeClass: 'gpu',
		inputKind: 'sequences',
		itemsField: 'sequences',
		pricing: { kind: 'calculator', fn: 'price_structure_prediction', description: '1 credit per started 100 residues, at least 5 per sequence' },
		timeLimitSeconds: 1800,
		maxInputBytes: 1 * MiB,
		maxItems: 50,
		enabled: true
	},
	{
		id: 'gpu-selftest',
		name: 'GPU self-test',
		version: '1.0.0',
		category: 'Structure prediction',
		description: 'Runs one self-attention layer (the core of GPU structure predictors) over each protein on a GPU worker, and checks the result against an independent computation.',
		computeClass: 'gpu',
		inputKind: 'sequences',
		itemsField: 'sequences',
		pricing: { kind: 'free' },
		timeLimitSeconds: 300,
		maxInputBytes: 1 * MiB,
		maxItems: 50,
		enabled: true
	}
];

export function catalogEntry(id: string): ToolCatalogEntry | undefined {
	return toolCatalog.find((t) => t.id === id);
}

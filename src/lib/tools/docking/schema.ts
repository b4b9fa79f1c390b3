// What a docking job is made of, shared by the form, the estimate and the
// worker: one receptor (PDB text), the ligands (SMILES or one SDF record
// each) and the search box, plus AutoDock Vina's settings. The limits keep a
// job inside what one CPU worker docks in the tool's time limit.
import { z } from 'zod';

/** Most characters of receptor PDB text (a 100,000-atom PDB is about 8 MB). */
export const MAX_RECEPTOR_CHARS = 10_000_000;
/** Most atoms the receptor keeps after waters are removed. */
export const MAX_RECEPTOR_ATOMS = 100_000;
export const MAX_LIGANDS = 50;
export const MAX_NAME_LENGTH = 100;
export const MAX_SMILES_LENGTH = 1_000;
export const MAX_SDF_CHARS = 200_000;
/** Vina's search slows sharply with size; larger molecules are not drug-like ligands. */
export const MAX_LIGAND_HEAVY_ATOMS = 150;
/** AutoDock's own ceiling on active torsions. */
export const MAX_LIGAND_TORSIONS = 32;
/** Longest side of the search box, in Å (Vina's maps grow with the box volume). */
export const MAX_BOX_SIDE = 126;
/** Vina's manual: above about 27,000 Å³ raise exhaustiveness, or the search misses poses. */
export const LARGE_BOX_VOLUME = 27_000;
export const MAX_PADDING = 20;
export const DEFAULT_PADDING = 4;
export const MAX_BOX_RESIDUES = 200;
/** Coordinates beyond this are not from a real structure (PDB columns hold at most 9999.999). */
const MAX_COORDINATE = 9_999;

/** Characters that may appear in SMILES (atoms, bonds, branches, rings, charges, stereo). */
export const SMILES_CHARACTERS = /^[A-Za-z0-9@+\-[\]()=#$:/\\%.*]+$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const name = z
	.string()
	.trim()
	.min(1, 'every ligand needs a name')
	.max(MAX_NAME_LENGTH, `names are at most ${MAX_NAME_LENGTH} characters`)
	.refine((s) => !CONTROL_CHARACTERS.test(s), 'a name cannot contain control characters (tabs, line breaks)');

const smiles = z
	.string()
	.min(1, 'the SMILES is empty')
	.max(MAX_SMILES_LENGTH, `a SMILES is at most ${MAX_SMILES_LENGTH} characters`)
	.regex(SMILES_CHARACTERS, 'a SMILES has only atom, bond, ring and branch characters (no spaces)');

/** Number of molecules in an SDF text: one "M  END" each (V2000 and V3000). */
export function sdfRecordCount(text: string): number {
	return text.match(/^M {2}END\s*$/gm)?.length ?? 0;
}

const sdf = z
	.string()
	.min(1, 'the SDF record is empty')
	.max(MAX_SDF_CHARS, `an SDF record is at most ${MAX_SDF_CHARS} characters`)
	.refine((s) => sdfRecordCount(s) === 1, 'an SDF ligand holds exactly one molecule (one "M  END" line)');

export const ligandSchema = z
	.object({ name, smiles: smiles.optional(), sdf: sdf.optional() })
	.refine((l) => (l.smiles === undefined) !== (l.sdf === undefined), 'give each ligand either smiles or sdf');
export type LigandInput = z.infer<typeof ligandSchema>;

const coordinate = z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE);
const side = z
	.number()
	.positive('a box side must be larger than 0 Å')
	.max(MAX_BOX_SIDE, `a box side is at most ${MAX_BOX_SIDE} Å`);
const padding = z.number().min(0).max(MAX_PADDING, `padding is at most ${MAX_PADDING} Å`).default(DEFAULT_PADDING);

/** `A:123`, `A:123B` (insertion code) or `123` (that number in any chain). */
export const RESIDUE_SPEC = /^(?:([A-Za-z0-9]):)?(-?\d{1,4})([A-Za-z]?)$/;

export const boxSchema = z.discriminatedUnion('mode', [
	z.object({
		mode: z.literal('manual'),
		center: z.tuple([coordinate, coordinate, coordinate]),
		size: z.tuple([side, side, side])
	}),
	z.object({
		mode: z.literal('ligand'),
		/** The hetero group's residue name in the receptor (e.g. STI); it is removed from the receptor before docking. */
		resname: z.string().trim().regex(/^[A-Za-z0-9]{1,3}$/, 'a residue name is 1-3 letters or digits, e.g. STI'),
		chain: z.string().regex(/^[A-Za-z0-9]$/, 'a chain is one letter or digit').optional(),
		resnum: z.number().int().min(-999).max(9999).optional(),
		padding
	}),
	z.object({
		mode: z.literal('residues'),
		residues: z
			.array(z.string().trim().regex(RESIDUE_SPEC, 'write residues as chain:number, e.g. A:315'))
			.min(1, 'name at least one residue')
			.max(MAX_BOX_RESIDUES, `at most ${MAX_BOX_RESIDUES} residues`),
		padding
	})
]);
export type BoxInput = z.infer<typeof boxSchema>;

export const inputSchema = z.object({
	receptor: z.object({
		name: name.default('receptor'),
		text: z
			.string()
			.min(1, 'the receptor is empty: give a PDB file')
			.max(MAX_RECEPTOR_CHARS, `the receptor is at most ${MAX_RECEPTOR_CHARS / 1_000_000} MB of PDB text`)
	}),
	ligands: z.array(ligandSchema).min(1, 'give at least one ligand').max(MAX_LIGANDS, `at most ${MAX_LIGANDS} ligands are docked in one job`),
	box: boxSchema
});
export type DockingInput = z.infer<typeof inputSchema>;

/**
 * Vina's search effort: a whole number in this range. The database prices a
 * job by it and refuses the same values (public.price_docking);
 * tests/db/input-limits.test.ts proves the two refuse exactly the same.
 */
export const EXHAUSTIVENESS = { min: 1, max: 32, default: 8 } as const;

// Names as on Vina's command line, so a scientist recognises them; the
// database's price_docking reads `exhaustiveness` (a whole number).
export const settingsSchema = z.object({
	exhaustiveness: z.number().int().min(EXHAUSTIVENESS.min).max(EXHAUSTIVENESS.max).default(EXHAUSTIVENESS.default),
	num_modes: z.number().int().min(1).max(20).default(9),
	energy_range: z.number().positive().max(10).default(3),
	/** Fixed by default, so a rerun gives the same poses. */
	seed: z.number().int().min(0).max(2_147_483_647).default(42),
	/** Ligands are protonated for this pH by Open Babel. */
	ph: z.number().min(0).max(14).default(7.4)
});
export type DockingSettings = z.infer<typeof settingsSchema>;

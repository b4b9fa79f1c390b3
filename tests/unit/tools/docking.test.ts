// docking: the form and job input, the box, Vina's output, and real runs of
// Open Babel and AutoDock Vina on a pocket of PDB 1IEP (c-Abl with imatinib,
// tests/fixtures/docking/README.md). The oracle for affinities is the same
// vina command run directly on the files the tool prepared, with the same
// seed. Runs use exhaustiveness 2 and a 12 Å box to stay fast; redocking
// imatinib to its crystal pose is checked by bench/docking.ts (exhaustiveness 8).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogEntry } from '#lib/tools/catalog.ts';
import { resolveBox } from '#lib/tools/docking/box.ts';
import { IEP_POCKET_PDB } from '#lib/tools/docking/example-receptor.ts';
import { inputSchema, settingsSchema, type DockingInput, type DockingResult } from '#lib/tools/docking/index.ts';
import { readReceptor, receptorPdbText } from '#lib/tools/docking/receptor.ts';
import { fileStem } from '#lib/tools/docking/run.server.ts';
import { MAX_LIGANDS, type BoxInput } from '#lib/tools/docking/schema.ts';
import { checkToolResult } from '#lib/tools/result-schemas.ts';
import { createDockingTool } from '#lib/tools/runners.server.ts';
import {
	checkPosesAgainstTable,
	parseVinaPoses,
	parseVinaTable,
	posesPdb,
	unsupportedAtomTypes,
	VinaProgress
} from '#lib/tools/docking/vina-output.ts';
import { describeIssue, ToolInputError, TransientToolError, type InputIssue, type RawInput, type RunContext } from '#lib/tools/types.ts';
import { GARBAGE_V3000 } from './molecules.ts';

const FIXTURES = new URL('../../fixtures/docking/', import.meta.url).pathname;
const POCKET = IEP_POCKET_PDB;
/** The pocket with imatinib (STI) taken out, so a manual box at the hinge is free. */
const APO_POCKET = POCKET.split('\n').filter((l) => l.slice(17, 20) !== 'STI').join('\n');
const CRYSTAL_SDF = readFileSync(join(FIXTURES, '1iep_ligand.sdf'), 'utf8');
const FRAGMENT_SDF = readFileSync(join(FIXTURES, 'fragment.sdf'), 'utf8');
const FRAGMENT_SMILES = 'Nc1nccc(n1)-c1cccnc1';
/** The hinge region, where imatinib's aminopyrimidine-pyridine sits. */
const HINGE_BOX: BoxInput = { mode: 'manual', center: [13, 58, 12], size: [12, 12, 12] };
const HOSTILE_NAME = '../../$(touch pwned-marker); rm -rf ~ `id`';
const CPU = 2;

let tempRoot: string;
const spawned: Array<{ pid: number; program: string }> = [];
const tool = createDockingTool({ cpu: CPU, tempRoot: () => tempRoot, onSpawn: (pid, program) => spawned.push({ pid, program }) });
const fastSettings = settingsSchema.parse({ exhaustiveness: 2 });

interface Recorded {
	ctx: RunContext;
	files: Map<string, { mediaType: string; content: string }>;
	progress: Array<[number, string | undefined]>;
}

function recordingContext(signal = new AbortController().signal): Recorded {
	const rec: Recorded = {
		files: new Map(),
		progress: [],
		ctx: {
			signal,
			progress: (pct, message) => rec.progress.push([pct, message]),
			writeFile: async (name, mediaType, content) => {
				rec.files.set(name, { mediaType, content: String(content) });
			}
		}
	};
	return rec;
}

function input(ligands: DockingInput['ligands'], box: BoxInput = HINGE_BOX, receptor = APO_POCKET): DockingInput {
	return inputSchema.parse({ receptor: { name: '1iep', text: receptor }, ligands, box });
}

async function parse(raw: RawInput) {
	return tool.parseInput(raw);
}

async function parseErrors(raw: RawInput): Promise<InputIssue[]> {
	const outcome = await parse(raw);
	if (outcome.ok) throw new Error(`expected errors, got input ${JSON.stringify(outcome.input).slice(0, 200)}`);
	return outcome.errors;
}

const manualFields = { box_mode: 'manual', center_x: '13', center_y: '58', center_z: '12', size_x: '12', size_y: '12', size_z: '12' };

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	try {
		return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}

beforeAll(() => {
	tempRoot = mkdtempSync(join(tmpdir(), 'foldwork-docking-test-'));
});
afterAll(() => {
	rmSync(tempRoot, { recursive: true, force: true });
});

describe('docking catalog entry', () => {
	it('agrees with the input shape and with price_docking', () => {
		const entry = catalogEntry('docking')!;
		expect(entry.itemsField).toBe('ligands');
		expect(entry.maxItems).toBe(MAX_LIGANDS);
		expect(entry.computeClass).toBe('cpu');
		expect(entry.pricing).toMatchObject({ kind: 'calculator', fn: 'price_docking' });
		// price_docking takes whole numbers 1..1024 and defaults to 8; ours is a subset with the same default.
		expect(settingsSchema.parse({})).toEqual({ exhaustiveness: 8, num_modes: 9, energy_range: 3, seed: 42, ph: 7.4 });
		for (const bad of [0, 33, 2.5, '8']) expect(settingsSchema.safeParse({ exhaustiveness: bad }).success, String(bad)).toBe(false);
	});
});

describe('docking input from the form', () => {
	it('reads a pasted receptor, SMILES lines and a manual box', async () => {
		const outcome = await parse({ fields: { receptor: APO_POCKET, ligands: `# ligands\n${FRAGMENT_SMILES} hinge fragment\nCC(=O)Oc1ccccc1C(=O)O\n`, ...manualFields } });
		if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
		expect(outcome.input.ligands).toEqual([
			{ name: 'hinge fragment', smiles: FRAGMENT_SMILES },
			{ name: 'ligand_2', smiles: 'CC(=O)Oc1ccccc1C(=O)O' }
		]);
		expect(outcome.input.box).toEqual(HINGE_BOX);
		expect(outcome.notices).toContain('1 water atom will be removed from the receptor');
	});

	it('reads uploaded PDB and SDF files and a box around the bound ligand', async () => {
		const outcome = await parse({
			files: [
				{ name: '1iep_pocket.pdb', text: POCKET },
				{ name: 'ligands.sdf', text: CRYSTAL_SDF + FRAGMENT_SDF }
			],
			fields: { box_mode: 'ligand', box_ligand: 'sti', padding: '5' }
		});
		if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
		expect(outcome.input.receptor.name).toBe('1iep_pocket');
		expect(outcome.input.ligands.map((l) => l.name)).toEqual(['STI', 'aminopyrimidine-pyridine']);
		expect(outcome.input.box).toEqual({ mode: 'ligand', resname: 'sti', chain: undefined, resnum: undefined, padding: 5 });
		expect(outcome.notices).toContain('STI A201 was removed from the receptor so its site is free for docking');
	});

	it('says what is missing when the form is empty', async () => {
		const errors = await parseErrors({ fields: {} });
		expect(errors).toEqual(
			expect.arrayContaining([
				{ field: 'receptor', message: 'give a receptor structure (PDB file)' },
				expect.objectContaining({ field: 'ligands', message: expect.stringMatching(/no ligands given/) }),
				expect.objectContaining({ field: 'search box', message: expect.stringMatching(/choose how to place the search box/) })
			])
		);
		const blank = await parseErrors({ fields: { receptor: '   \n', ligands: '# only a comment\n', ...manualFields } });
		expect(blank).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'ligands', message: expect.stringMatching(/no ligands given/) })]));
		const emptyReceptor = await parseErrors({ files: [{ name: 'r.pdb', text: '' }], fields: { ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(emptyReceptor).toEqual([{ field: 'receptor', message: 'the receptor is empty: give a PDB file' }]);
	});

	it('names the line of malformed input', async () => {
		const badSmiles = await parseErrors({ fields: { receptor: APO_POCKET, ligands: `${FRAGMENT_SMILES} ok\nC1CC{C}1 braces\n`, ...manualFields } });
		expect(badSmiles).toEqual([{ line: 2, field: 'ligand', record: 'braces', message: "'{' cannot appear in a SMILES" }]);
		const notPdb = await parseErrors({ fields: { receptor: 'hello, this is my protein', ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(notPdb).toEqual([{ field: 'receptor', message: 'no ATOM or HETATM records: the receptor must be a PDB file' }]);
		const lines = APO_POCKET.split('\n');
		const broken = lines.findIndex((l) => l.startsWith('ATOM')) + 3;
		lines[broken] = lines[broken].slice(0, 40) + 'xx.yyy' + lines[broken].slice(46);
		const badAtom = await parseErrors({ fields: { receptor: lines.join('\n'), ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(badAtom).toEqual([{ field: 'receptor', line: broken + 1, message: 'an atom line without readable x, y, z (PDB columns 31-54)' }]);
		const badSdf = await parseErrors({ fields: { receptor: APO_POCKET, ligands: 'no counts line\n\n\n$$$$\n', ...manualFields } });
		expect(badSdf[0].message).toMatch(/without an "M {2}END" line/);
	});

	it('refuses, before anything is charged, ligands without carbon or with elements Vina cannot type, naming the ligand and element', async () => {
		const ligands = [`${FRAGMENT_SMILES} fine`, '[U] uranium', 'OB(O)c1ccccc1 phenylboronic acid', 'O water', '[Xe] xenon', 'CC[Sn](CC)(CC)CC tetraethyltin', '*CC dummy'].join('\n');
		const errors = await parseErrors({ fields: { receptor: APO_POCKET, ligands, ...manualFields } });
		expect(errors).toEqual([
			{ field: 'ligand', record: 'uranium', message: 'it has no carbon (only U); AutoDock Vina docks organic molecules, not lone ions or inorganic species' },
			{ field: 'ligand', record: 'phenylboronic acid', message: 'AutoDock Vina has no atom type for B; it docks molecules of C, H, N, O, S, P, Si, Se, halogens and a few metal ions' },
			{ field: 'ligand', record: 'water', message: 'it has no carbon (only O); AutoDock Vina docks organic molecules, not lone ions or inorganic species' },
			{ field: 'ligand', record: 'xenon', message: 'AutoDock Vina has no atom type for Xe; it docks molecules of C, H, N, O, S, P, Si, Se, halogens and a few metal ions' },
			{ field: 'ligand', record: 'tetraethyltin', message: 'AutoDock Vina has no atom type for Sn; it docks molecules of C, H, N, O, S, P, Si, Se, halogens and a few metal ions' },
			{ field: 'ligand', record: 'dummy', message: 'AutoDock Vina has no atom type for dummy atoms (*); it docks molecules of C, H, N, O, S, P, Si, Se, halogens and a few metal ions' }
		]);
	});

	it('judges the fragment that is docked, and leaves valences to Open Babel', async () => {
		// Open Babel keeps the largest fragment, so a lithium counter-ion does not matter; the
		// old pentavalent nitro notation is refused by RDKit's checks but read by Open Babel.
		const outcome = await parse({ fields: { receptor: APO_POCKET, ligands: 'CC(=O)[O-].[Li+] acetate\nCN(=O)=O nitromethane\n', ...manualFields } });
		if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
		expect(outcome.input.ligands.map((l) => l.name)).toEqual(['acetate', 'nitromethane']);
	});

	it('blames a garbage molblock on the input, with RDKit’s reason', async () => {
		const garbage = GARBAGE_V3000.replace(/^/, 'garbage');
		const errors = await parseErrors({ fields: { receptor: APO_POCKET, ligands: `${garbage}$$$$\n`, ...manualFields } });
		expect(errors).toEqual([{ field: 'ligand', record: 'garbage', message: 'RDKit cannot read this SDF record: RDKit read no atoms from it (CTAB version string invalid at line 4)' }]);
		const unclosed = await parseErrors({ fields: { receptor: APO_POCKET, ligands: 'C1CC ring\n', ...manualFields } });
		expect(unclosed).toEqual([{ field: 'ligand', record: 'ring', message: "RDKit cannot read this SMILES: SMILES Parse Error: unclosed ring for input: 'C1CC'" }]);
	});

	it('refuses the wrong kind of file in each place', async () => {
		const sdfAsReceptor = await parseErrors({ fields: { receptor: CRYSTAL_SDF, ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(sdfAsReceptor[0].message).toMatch(/SDF\/MOL file \(a ligand\?\); the receptor must be a PDB file/);
		const cif = await parseErrors({ fields: { receptor: 'data_1IEP\nloop_\n_atom_site.group_PDB\nATOM 1 N\n', ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(cif[0].message).toMatch(/mmCIF; save the structure as PDB/);
		const pdbqt = 'ATOM      1  N   TRP A 235      16.592  42.034   2.667  0.00  0.00    +0.000 NA\n';
		expect((await parseErrors({ fields: { receptor: pdbqt, ligands: FRAGMENT_SMILES, ...manualFields } }))[0].message).toMatch(/PDBQT/);
		const pdbAsLigands = await parseErrors({ fields: { receptor: APO_POCKET, ligands: POCKET, ...manualFields } });
		expect(pdbAsLigands[0].message).toMatch(/looks like a PDB structure; give ligands as SMILES/);
		const textCenter = await parseErrors({ fields: { receptor: APO_POCKET, ligands: FRAGMENT_SMILES, ...manualFields, center_y: 'middle' } });
		expect(textCenter).toEqual([{ field: 'search box', message: "the box center y must be a number, not 'middle'" }]);
		// What people read names the part in plain words, not "record 'box'".
		expect(describeIssue(textCenter[0])).toBe("search box: the box center y must be a number, not 'middle'");
		expect(describeIssue({ field: 'ligand', record: 'uranium', message: 'it has no carbon (only U)' })).toBe("ligand 'uranium': it has no carbon (only U)");
		const twoReceptors = await parseErrors({ files: [{ name: 'a.pdb', text: POCKET }, { name: 'b.pdb', text: POCKET }], fields: { ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(twoReceptors[0].message).toMatch(/2 receptor structures given/);
		// The job input itself (what the worker re-checks): a string where the ligands array belongs, both kinds of ligand at once.
		expect(inputSchema.safeParse({ receptor: { text: POCKET }, ligands: 'CCO', box: HINGE_BOX }).success).toBe(false);
		expect(inputSchema.safeParse({ receptor: { text: POCKET }, ligands: [{ name: 'x', smiles: 'CCO', sdf: FRAGMENT_SDF }], box: HINGE_BOX }).success).toBe(false);
		expect(inputSchema.safeParse({ receptor: { text: POCKET }, ligands: [{ name: 'two', sdf: CRYSTAL_SDF + FRAGMENT_SDF }], box: HINGE_BOX }).success).toBe(false);
		expect(inputSchema.safeParse({ receptor: { text: POCKET }, ligands: [{ name: 'x', smiles: 'C C' }], box: HINGE_BOX }).success).toBe(false);
	});

	it('refuses oversized input with the limit', async () => {
		const many = Array.from({ length: MAX_LIGANDS + 1 }, (_, i) => `CCO ethanol_${i}`).join('\n');
		expect(await parseErrors({ fields: { receptor: APO_POCKET, ligands: many, ...manualFields } })).toEqual([
			{ field: 'ligands', message: `${MAX_LIGANDS + 1} ligands given; at most ${MAX_LIGANDS} are docked in one job` }
		]);
		const bigBox = await parseErrors({ fields: { receptor: APO_POCKET, ligands: FRAGMENT_SMILES, ...manualFields, size_z: '200' } });
		expect(bigBox).toEqual([{ field: 'search box', message: 'a box side is at most 126 Å' }]);
		const longSmiles = await parseErrors({ fields: { receptor: APO_POCKET, ligands: `${'C'.repeat(1001)} long`, ...manualFields } });
		expect(longSmiles[0].message).toBe('the SMILES has 1001 characters; at most 1000');
		const hugeReceptor = await parseErrors({ fields: { receptor: POCKET.repeat(130), ligands: FRAGMENT_SMILES, ...manualFields } });
		expect(hugeReceptor[0].message).toMatch(/the receptor has \d+ characters; at most 10000000/);
		const far = readReceptor(
			[
				'ATOM      1  CA  ALA A   1       0.000   0.000   0.000  1.00 10.00           C',
				'ATOM      2  CA  GLY A 200     100.000   0.000   0.000  1.00 10.00           C'
			].join('\n')
		);
		if (!far.ok) throw new Error(JSON.stringify(far.issues));
		const wide = resolveBox(far.structure, { mode: 'residues', residues: ['A:1', 'A:200'], padding: 20 });
		expect(wide.ok ? null : wide.issues).toEqual([{ field: 'search box', message: 'the box around 2 residues is 140 Å along x; at most 126 Å (choose fewer residues or less padding)' }]);
	});

	it('keeps hostile names as text: they never reach a shell or a path', async () => {
		const outcome = await parse({ fields: { receptor: APO_POCKET, ligands: `${FRAGMENT_SMILES} ${HOSTILE_NAME}\n`, ...manualFields } });
		if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
		expect(outcome.input.ligands[0].name).toBe(HOSTILE_NAME);
		expect(fileStem(HOSTILE_NAME, new Set())).toMatch(/^[A-Za-z0-9._-]+$/);
		expect(fileStem('../../etc/passwd', new Set())).toBe('etc_passwd');
		expect(fileStem('...', new Set())).toBe('ligand');
		const taken = new Set(['receptor']);
		expect([fileStem('receptor', taken), fileStem('Receptor!', taken), fileStem('a b', taken), fileStem('a/b', taken)]).toEqual(['receptor_2', 'Receptor_3', 'a_b', 'a_b_2']);
		// A SMILES cannot smuggle options or commands: only SMILES characters pass.
		const smuggled = await parseErrors({ fields: { receptor: APO_POCKET, ligands: 'CC;touch$(x) x\n', ...manualFields } });
		expect(smuggled[0].message).toBe("';' cannot appear in a SMILES");
		expect(inputSchema.safeParse({ receptor: { text: POCKET }, ligands: [{ name: 'a\nb', smiles: 'CCO' }], box: HINGE_BOX }).success).toBe(false);
	});
});

describe('docking search box', () => {
	const read = readReceptor(POCKET);
	if (!read.ok) throw new Error('fixture');
	const structure = read.structure;

	it('boxes the bound ligand with padding and takes it out of the receptor', () => {
		const resolved = resolveBox(structure, { mode: 'ligand', resname: 'STI', padding: 4 });
		if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues));
		const sti = structure.atoms.filter((a) => a.resName === 'STI');
		expect(sti).toHaveLength(37);
		for (const [k, axis] of (['x', 'y', 'z'] as const).entries()) {
			const values = sti.map((a) => a[axis]);
			const [min, max] = [Math.min(...values), Math.max(...values)];
			expect(resolved.resolved.box.center[k]).toBeCloseTo((min + max) / 2, 3);
			expect(resolved.resolved.box.size[k]).toBeCloseTo(max - min + 8, 3);
		}
		const pdb = receptorPdbText(structure, resolved.resolved.exclude);
		expect(pdb).not.toMatch(/STI/);
		expect(pdb).not.toMatch(/HOH/);
		expect(pdb.split('\n').filter((l) => l.startsWith('ATOM')).length).toBe(958);
	});

	it('boxes residues, and names what it cannot find', () => {
		const resolved = resolveBox(structure, { mode: 'residues', residues: ['A:318'], padding: 0 });
		if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues));
		const met = structure.atoms.filter((a) => a.chain === 'A' && a.resSeq === 318);
		expect(met[0].resName).toBe('MET');
		expect(resolved.resolved.box.size[0]).toBeCloseTo(Math.max(...met.map((a) => a.x)) - Math.min(...met.map((a) => a.x)), 3);
		expect(resolved.resolved.exclude.size).toBe(0);
		const missing = resolveBox(structure, { mode: 'residues', residues: ['A:318', 'B:318', '9999'], padding: 4 });
		expect(missing.ok ? [] : missing.issues.map((i) => i.message)).toEqual(['residue B:318 is not in the receptor', 'residue 9999 is not in the receptor']);
		const noLigand = resolveBox(structure, { mode: 'ligand', resname: 'ATP', padding: 4 });
		expect(noLigand.ok ? '' : noLigand.issues[0].message).toBe('no hetero group ATP in the receptor; hetero groups in the receptor: STI A201');
	});

	it('keeps the first model and the first alternate location', () => {
		const atom = (serial: number, alt: string, x: number) =>
			`ATOM  ${String(serial).padStart(5)}  CA ${alt}ALA A   1    ${x.toFixed(3).padStart(8)}   0.000   0.000  0.50 10.00           C`;
		const text = ['MODEL        1', atom(1, 'A', 1), atom(2, 'B', 2), 'ENDMDL', 'MODEL        2', atom(3, ' ', 3), 'ENDMDL'].join('\n');
		const parsed = readReceptor(text);
		if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
		expect(parsed.structure.atoms.map((a) => a.x)).toEqual([1]);
		expect(parsed.structure).toMatchObject({ altLocsDropped: 1, otherModelsIgnored: true });
		expect(parsed.structure.atoms[0].line.slice(16, 17)).toBe(' ');
	});
});

describe("reading Vina's output", () => {
	const stdout = [
		'Computing Vina grid ... done.',
		'Performing docking (random seed: 42) ... ',
		'0%   10   20   30   40   50   60   70   80   90   100%',
		'|----|----|----|----|----|----|----|----|----|----|',
		'*'.repeat(51),
		'',
		'mode |   affinity | dist from best mode',
		'     | (kcal/mol) | rmsd l.b.| rmsd u.b.',
		'-----+------------+----------+----------',
		'   1       -14.15          0          0',
		'   2       -10.39      1.735      13.66',
		''
	].join('\n');

	it('follows the bar of stars across chunks', () => {
		const progress = new VinaProgress();
		progress.push('# banner ****** with stars before the bar\n0%   10   20\n|----|--');
		expect([progress.searching, progress.fraction]).toEqual([false, 0]);
		progress.push('--|----|\n**');
		expect(progress.fraction).toBeCloseTo(2 / 51, 6);
		progress.push('*'.repeat(60));
		expect(progress.fraction).toBe(1);
	});

	it('reads the table and the file, and checks they agree', () => {
		expect(parseVinaTable(stdout)).toEqual([
			{ mode: 1, affinity: -14.15, rmsdLb: 0, rmsdUb: 0 },
			{ mode: 2, affinity: -10.39, rmsdLb: 1.735, rmsdUb: 13.66 }
		]);
		const file = 'MODEL 1\nREMARK VINA RESULT:   -14.154      0.000      0.000\nATOM      1  C   UNL     1      15.822  54.641  12.322  0.00  0.00    +0.000 A \nENDMDL\n';
		const poses = parseVinaPoses(file);
		expect(poses).toEqual([{ mode: 1, affinity: -14.154, rmsdLb: 0, rmsdUb: 0, pdbqt: file }]);
		// Vina 1.2.3 lists mode 2 in its table but leaves it out of the file (beyond energy_range).
		expect(checkPosesAgainstTable(poses, parseVinaTable(stdout))).toBeNull();
		expect(checkPosesAgainstTable([{ ...poses[0], affinity: -13.9 }], parseVinaTable(stdout))).toMatch(/differs from its table/);
		expect(unsupportedAtomTypes(file)).toEqual([]);
		expect(unsupportedAtomTypes(file.replace(' A \n', ' B \n'))).toEqual(['B']);
	});

	it('gives a single pose its MODEL record in the PDB file', () => {
		const pdb = posesPdb('MODEL 1\nREMARK VINA RESULT: x\nATOM      1  C   UNL     1       1.000   2.000   3.000  1.00  0.00           C\nEND\n', 'x', [
			{ mode: 1, affinity: -5, rmsdLb: 0, rmsdUb: 0 }
		]);
		expect(pdb.split('\n').filter((l) => /^(MODEL|ENDMDL|ATOM|END)/.test(l))).toEqual([
			'MODEL        1',
			'ATOM      1  C   UNL     1       1.000   2.000   3.000  1.00  0.00           C',
			'ENDMDL',
			'END'
		]);
	});
});

describe('docking with Open Babel and AutoDock Vina', () => {
	let result: DockingResult;
	let rec: Recorded;

	beforeAll(async () => {
		rec = recordingContext();
		spawned.length = 0;
		result = await tool.run(
			input([
				{ name: HOSTILE_NAME, smiles: FRAGMENT_SMILES },
				{ name: 'fragment (SDF)', sdf: FRAGMENT_SDF }
			]),
			fastSettings,
			rec.ctx
		);
		// About 8 s on an idle 2-core machine; generous for a busy one.
	}, 180_000);

	it('reports every pose within energy_range, best first, for each ligand', () => {
		expect(result.table.columns.map((c) => c.key)).toEqual(['ligand', 'mode', 'affinity_kcal_mol', 'rmsd_lb', 'rmsd_ub']);
		for (const name of [HOSTILE_NAME, 'fragment (SDF)']) {
			const rows = result.table.rows.filter((r) => r.ligand === name);
			expect(rows.length).toBeGreaterThan(0);
			expect(rows.length).toBeLessThanOrEqual(fastSettings.num_modes);
			expect(rows.map((r) => r.mode)).toEqual(rows.map((_, i) => i + 1));
			const affinities = rows.map((r) => r.affinity_kcal_mol as number);
			expect(affinities).toEqual([...affinities].sort((a, b) => a - b));
			expect(affinities[affinities.length - 1] - affinities[0]).toBeLessThanOrEqual(fastSettings.energy_range);
			// The aminopyrimidine-pyridine fragment binds the hinge of the emptied pocket.
			expect(affinities[0]).toBeLessThan(-4);
			expect([rows[0].rmsd_lb, rows[0].rmsd_ub]).toEqual([0, 0]);
			const summary = result.ligands.find((l) => l.name === name)!;
			expect(summary).toMatchObject({ best_affinity_kcal_mol: affinities[0], poses: rows.length, heavy_atoms: 13, torsions: 1 });
		}
		expect(result.box).toEqual({ center: [13, 58, 12], size: [12, 12, 12], source: 'manual' });
		expect(result.programs?.vina).toMatch(/^AutoDock Vina v1\.2/);
		// The schema the worker checks results with and the job page reads them by.
		expect(checkToolResult('docking', result)).toBeNull();
	});

	it('writes prepared inputs and poses as SDF, PDB and PDBQT under safe names', () => {
		const names = [...rec.files.keys()];
		for (const name of names) expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
		const stem = fileStem(HOSTILE_NAME, new Set(['receptor']));
		expect(names.sort()).toEqual(
			[
				'receptor_prepared.pdbqt',
				`${stem}_prepared.pdbqt`,
				`${stem}_poses.sdf`,
				`${stem}_poses.pdb`,
				`${stem}_poses.pdbqt`,
				'fragment_SDF_prepared.pdbqt',
				'fragment_SDF_poses.sdf',
				'fragment_SDF_poses.pdb',
				'fragment_SDF_poses.pdbqt'
			].sort()
		);
		expect(result.files.map((f) => f.name).sort()).toEqual(names.sort());
		const rows = result.table.rows.filter((r) => r.ligand === HOSTILE_NAME);
		const sdf = rec.files.get(`${stem}_poses.sdf`)!;
		expect(sdf.mediaType).toBe('chemical/x-mdl-sdfile');
		const records = sdf.content.split('$$$$\n').filter((r) => r.trim());
		expect(records).toHaveLength(rows.length);
		records.forEach((record, i) => {
			expect(record.split('\n')[0]).toBe(`${HOSTILE_NAME} mode ${i + 1}`);
			expect(record).toContain(`> <affinity_kcal_mol>\n${rows[i].affinity_kcal_mol}\n`);
			expect(record.match(/^ +-?\d+\.\d{4} +-?\d+\.\d{4} +-?\d+\.\d{4} [A-Z]/gm)!.length).toBe(15); // 13 heavy atoms + 2 amine H
		});
		const pdb = rec.files.get(`${stem}_poses.pdb`)!;
		expect(pdb.mediaType).toBe('chemical/x-pdb');
		expect(pdb.content.match(/^MODEL {8}\d$/gm)).toHaveLength(rows.length);
		expect(pdb.content).not.toMatch(/^MODEL \d/m);
		// Nothing ran through a shell: the hostile name's command substitution never happened.
		expect(existsSync('pwned-marker') || existsSync(join(tempRoot, 'pwned-marker'))).toBe(false);
	});

	it('matches the same vina command run directly on the prepared files (fixed seed)', () => {
		const stem = fileStem(HOSTILE_NAME, new Set(['receptor']));
		const dir = mkdtempSync(join(tmpdir(), 'foldwork-docking-oracle-'));
		try {
			writeFileSync(join(dir, 'receptor.pdbqt'), rec.files.get('receptor_prepared.pdbqt')!.content);
			writeFileSync(join(dir, 'ligand.pdbqt'), rec.files.get(`${stem}_prepared.pdbqt`)!.content);
			// The command as a scientist would type it.
			const args = ['--receptor', 'receptor.pdbqt', '--ligand', 'ligand.pdbqt', '--out', 'out.pdbqt'];
			args.push('--center_x', '13', '--center_y', '58', '--center_z', '12', '--size_x', '12', '--size_y', '12', '--size_z', '12');
			args.push('--exhaustiveness', '2', '--num_modes', '9', '--energy_range', '3', '--seed', '42', '--cpu', String(CPU));
			execFileSync('vina', args, { cwd: dir, stdio: 'ignore' });
			const direct = readFileSync(join(dir, 'out.pdbqt'), 'utf8')
				.split('\n')
				.filter((l) => l.startsWith('REMARK VINA RESULT:'))
				.map((l) => l.split(/\s+/).slice(3, 6).map(Number));
			const ours = result.table.rows.filter((r) => r.ligand === HOSTILE_NAME).map((r) => [r.affinity_kcal_mol, r.rmsd_lb, r.rmsd_ub]);
			expect(ours).toEqual(direct);
			expect(rec.files.get(`${stem}_poses.pdbqt`)!.content).toBe(readFileSync(join(dir, 'out.pdbqt'), 'utf8'));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}, 60_000);

	it('reports progress per ligand and stage, rising from 0 to 100', () => {
		const values = rec.progress.map(([pct]) => pct);
		expect(values[0]).toBe(0);
		expect(values[values.length - 1]).toBe(100);
		for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
		const messages = rec.progress.map(([, m]) => m ?? '');
		expect(messages).toContain('preparing the receptor');
		expect(messages).toContain(`ligand 2/2 (fragment (SDF)): preparing`);
		expect(messages).toContain(`ligand 1/2 (${HOSTILE_NAME}): computing the grid`);
		const docking = messages.filter((m) => m.startsWith('ligand 2/2 (fragment (SDF)): docking '));
		expect(docking.length).toBeGreaterThan(5);
		expect(docking[docking.length - 1]).toBe('ligand 2/2 (fragment (SDF)): docking 100%');
		const firstLigandDone = rec.progress.find(([, m]) => m?.startsWith('ligand 1/2') && m.includes('done'))!;
		expect(firstLigandDone[0]).toBeCloseTo(54, 5);
	});

	it('leaves no temporary files and no child processes', () => {
		expect(readdirSync(tempRoot)).toEqual([]);
		expect(spawned.length).toBeGreaterThan(5);
		for (const { pid } of spawned) expect(alive(pid)).toBe(false);
	});
});

describe('docking refuses bad molecules before any docking', () => {
	it('names each ligand Open Babel or Vina cannot use, and runs no vina', { timeout: 60_000 }, async () => {
		spawned.length = 0;
		const run = tool.run(
			input([
				{ name: 'fine', smiles: FRAGMENT_SMILES },
				{ name: 'unclosed ring', smiles: 'C1CC(' },
				{ name: 'phenylboronic acid', smiles: 'OB(O)c1ccccc1' },
				{ name: 'not a molecule', sdf: 'junk\n\n\n  0  0  0  0  0  0            999 V2000\nM  END\n' },
				// Sent to the API directly, past the form's check.
				{ name: 'uranium', smiles: '[U]' }
			]),
			fastSettings,
			recordingContext().ctx
		);
		const error = await run.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ToolInputError);
		const issues = (error as ToolInputError).issues;
		expect(issues.map((i) => i.record)).toEqual(['unclosed ring', 'phenylboronic acid', 'not a molecule', 'uranium']);
		expect(issues[0].message).toMatch(/^Open Babel cannot read this SMILES: .*unmatched ring bonds/);
		expect(issues[1].message).toBe('AutoDock Vina cannot dock atom types B');
		expect(issues[2].message).toMatch(/^Open Babel cannot read this SDF record/);
		expect(issues[3].message).toBe('it has no carbon (only U); AutoDock Vina docks organic molecules, not lone ions or inorganic species');
		expect(spawned.filter((s) => s.program.endsWith('vina'))).toEqual([]);
		expect(readdirSync(tempRoot)).toEqual([]);
	});

	it('refuses a receptor with a hetero group Vina has no atom type for', { timeout: 60_000 }, async () => {
		const xenon = 'HETATM 9999 XE    XE A 900      15.000  50.000  10.000  1.00 20.00          XE  ';
		const error = await tool.run(input([{ name: 'fine', smiles: FRAGMENT_SMILES }], HINGE_BOX, `${APO_POCKET}\n${xenon}\n`), fastSettings, recordingContext().ctx).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ToolInputError);
		expect((error as Error).message).toMatch(/^receptor: AutoDock Vina cannot dock with atom types Xe in the receptor/);
	});
});

describe('cancelling a docking run', () => {
	it('kills vina at once, removes the temporary folder and throws the reason', async () => {
		spawned.length = 0;
		const controller = new AbortController();
		const rec = recordingContext(controller.signal);
		const longBox: BoxInput = { mode: 'manual', center: [15, 53, 15], size: [30, 30, 30] };
		const running = tool.run(input([{ name: 'imatinib', sdf: CRYSTAL_SDF }], longBox), settingsSchema.parse({ exhaustiveness: 32 }), rec.ctx);
		const deadline = Date.now() + 50_000;
		while (!spawned.some((s) => s.program.endsWith('vina')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		const vina = spawned.find((s) => s.program.endsWith('vina'));
		expect(vina, 'vina started').toBeDefined();
		expect(alive(vina!.pid)).toBe(true);
		const reason = new Error('cancelled by the user');
		const started = performance.now();
		controller.abort(reason);
		await expect(running).rejects.toBe(reason);
		expect(performance.now() - started).toBeLessThan(1_000);
		expect(alive(vina!.pid)).toBe(false);
		expect(readdirSync(tempRoot)).toEqual([]);
	}, 60_000);
});

describe('docking availability', () => {
	it('says which program is missing and how to install it', async () => {
		const empty = join(tempRoot, 'empty-bin');
		mkdirSync(empty, { recursive: true });
		try {
			const noPrograms = createDockingTool({ env: () => ({ PATH: empty }) });
			expect(await noPrograms.checkAvailable!()).toBe(
				'AutoDock Vina (vina) is not installed on this worker: apt-get install autodock-vina (or set FOLDWORK_VINA to the program\'s path)'
			);
			const noObabel = createDockingTool({ env: () => ({ PATH: empty, FOLDWORK_VINA: '/usr/bin/vina' }) });
			expect(await noObabel.checkAvailable!()).toMatch(/^Open Babel \(obabel\) is not installed on this worker: apt-get install openbabel/);
			const wrongOverride = createDockingTool({ env: () => ({ ...process.env, FOLDWORK_VINA: join(empty, 'vina') }) });
			expect(await wrongOverride.checkAvailable!()).toBe(`FOLDWORK_VINA is set to ${join(empty, 'vina')}, which is not an executable file`);
			// A job that reaches such a worker anyway is handed back for another worker, not failed.
			await expect(noPrograms.run(input([{ name: 'x', smiles: 'CCO' }]), fastSettings, recordingContext().ctx)).rejects.toBeInstanceOf(TransientToolError);
		} finally {
			rmSync(empty, { recursive: true, force: true });
		}
	});

	it('is available here, with the programs named by the environment', async () => {
		expect(await tool.checkAvailable!()).toBeNull();
		const pinned = createDockingTool({ env: () => ({ PATH: '', FOLDWORK_VINA: '/usr/bin/vina', FOLDWORK_OBABEL: '/usr/bin/obabel' }) });
		expect(await pinned.checkAvailable!()).toBeNull();
	});
});

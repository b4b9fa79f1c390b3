// structure-analysis against Biopython's Bio.PDB (python3-biopython) and
// Debian's mkdssp (package dssp), on structures built here from internal
// coordinates: an ideal alpha-helix and a beta-strand with a gap, a ligand,
// waters, alternate locations, insertion codes and two models.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkToolResult } from '#lib/tools/result-schemas.ts';
import { structureAnalysisTool as tool } from '#lib/tools/runners.server.ts';
import { MKDSSP, parseDsspSummary, runDssp } from '#lib/tools/structure-analysis/dssp.server.ts';
import { detectFormat, parseStructure } from '#lib/tools/structure-analysis/index.ts';
import { python, runContext, seededRandom } from './reference.ts';

type Vec = [number, number, number];
const sub = (a: Vec, b: Vec): Vec => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec, b: Vec): Vec => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a: Vec): Vec => {
	const l = Math.hypot(...a);
	return [a[0] / l, a[1] / l, a[2] / l];
};
const rad = (deg: number) => (deg * Math.PI) / 180;

/** NeRF: the atom at `bond` from c, angle b-c-d, dihedral a-b-c-d. */
function place(a: Vec, b: Vec, c: Vec, bond: number, angle: number, torsion: number): Vec {
	const bc = unit(sub(c, b));
	const n = unit(cross(sub(b, a), bc));
	const m = cross(n, bc);
	const d2 = [-bond * Math.cos(rad(angle)), bond * Math.sin(rad(angle)) * Math.cos(rad(torsion)), bond * Math.sin(rad(angle)) * Math.sin(rad(torsion))];
	return [c[0] + d2[0] * bc[0] + d2[1] * m[0] + d2[2] * n[0], c[1] + d2[0] * bc[1] + d2[1] * m[1] + d2[2] * n[1], c[2] + d2[0] * bc[2] + d2[1] * m[2] + d2[2] * n[2]];
}

interface FixtureAtom {
	name: string;
	element: string;
	pos: Vec;
}

/** Backbone (N, CA, C, O) plus CB for non-glycines, from phi/psi (omega 180). */
function buildChain(residues: string[], phiPsi: Array<[number, number]>, origin: Vec): FixtureAtom[][] {
	let n: Vec = origin;
	let ca: Vec = [origin[0] + 1.458, origin[1], origin[2]];
	let c: Vec = place([origin[0], origin[1] + 1, origin[2]], n, ca, 1.525, 111.2, -60);
	const out: FixtureAtom[][] = [];
	for (let i = 0; i < residues.length; i++) {
		const [phi, psi] = phiPsi[i];
		if (i > 0) {
			const prev = out[i - 1];
			const pN = prev[0].pos, pCA = prev[1].pos, pC = prev[2].pos;
			n = place(pN, pCA, pC, 1.329, 116.2, phiPsi[i - 1][1]);
			ca = place(pCA, pC, n, 1.458, 121.7, 180);
			c = place(pC, n, ca, 1.525, 111.2, phi);
		}
		const nextN = place(n, ca, c, 1.329, 116.2, psi);
		const o = place(nextN, ca, c, 1.231, 120.5, 180);
		const atoms: FixtureAtom[] = [
			{ name: 'N', element: 'N', pos: n },
			{ name: 'CA', element: 'C', pos: ca },
			{ name: 'C', element: 'C', pos: c },
			{ name: 'O', element: 'O', pos: o }
		];
		if (residues[i] !== 'GLY') atoms.push({ name: 'CB', element: 'C', pos: place(c, n, ca, 1.53, 110.5, -122.6) });
		out.push(atoms);
	}
	return out;
}

const fmt = (x: number, w: number, d: number) => x.toFixed(d).padStart(w);

function atomLine(record: 'ATOM' | 'HETATM', serial: number, name: string, altloc: string, resName: string, chain: string, seq: number, icode: string, p: Vec, occ: number, b: number, element: string): string {
	const atomName = name.length < 4 && element.length === 1 ? ` ${name}`.padEnd(4) : name.padEnd(4);
	return (
		record.padEnd(6) + String(serial).padStart(5) + ' ' + atomName + (altloc || ' ') + resName.padStart(3) + ' ' + chain + String(seq).padStart(4) + (icode || ' ') + '   ' +
		fmt(p[0], 8, 3) + fmt(p[1], 8, 3) + fmt(p[2], 8, 3) + fmt(occ, 6, 2) + fmt(b, 6, 2) + '          ' + element.padStart(2)
	);
}

const rand = seededRandom(4242);
const jitter = (x: number, s: number) => x + (rand() - 0.5) * 2 * s;

const HELIX = ['MET', 'ALA', 'GLU', 'LEU', 'LYS', 'LYS', 'ALA', 'LEU', 'GLU', 'ALA', 'LEU', 'LYS', 'ARG', 'LEU', 'GLY', 'TRP'];
const STRAND = ['THR', 'VAL', 'LYS', 'VAL', 'THR', 'VAL', 'TYR', 'ILE', 'SER', 'VAL', 'GLU'];
const helixAngles = HELIX.map((): [number, number] => [jitter(-57, 4), jitter(-47, 4)]);
const strandAngles = STRAND.map((): [number, number] => [jitter(-120, 8), jitter(130, 8)]);
const helix = buildChain(HELIX, helixAngles, [0, 0, 0]);
const strand = buildChain(STRAND, strandAngles, [12, 8, -5]);

/** Chain A numbering: 50, 51, 52, 52A, 52B, 53, ... (insertion codes). */
const helixNumbers = HELIX.map((_, i): [number, string] => (i < 3 ? [50 + i, ''] : i < 5 ? [52, 'AB'[i - 3]] : [50 + i - 2, '']));
/** Chain B: residue index 5 (VAL 6) is not observed (REMARK 465). */
const STRAND_GAP = 5;

function buildPdb(model2Shift: number): string {
	const lines: string[] = ['HEADER    DE NOVO PROTEIN                         01-JAN-24   XXXX              ', 'TITLE     FOLDWORK TEST FIXTURE'];
	lines.push('REMARK 465 MISSING RESIDUES', 'REMARK 465   M RES C SSSEQI', `REMARK 465     ${STRAND[STRAND_GAP]} B     ${String(STRAND_GAP + 1).padStart(3)}`);
	const seqres = (chain: string, names: string[]) => {
		for (let i = 0; i < names.length; i += 13) lines.push(`SEQRES ${String(i / 13 + 1).padStart(3)} ${chain} ${String(names.length).padStart(4)}  ${names.slice(i, i + 13).join(' ')}`.padEnd(80));
	};
	seqres('A', HELIX);
	seqres('B', STRAND);
	lines.push('CRYST1  100.000  100.000  100.000  90.00  90.00  90.00 P 1           1');
	for (let model = 1; model <= 2; model++) {
		lines.push(`MODEL     ${String(model).padStart(4)}`);
		const shift = model === 1 ? 0 : model2Shift;
		const mv = (p: Vec): Vec => [p[0] + shift, p[1] - shift, p[2] + shift / 2];
		let serial = 1;
		helix.forEach((atoms, i) => {
			const [seq, icode] = helixNumbers[i];
			for (const a of atoms) {
				const b = 10 + i + (a.name === 'CA' ? 0.5 : 0);
				if (i === 7 && a.name === 'CA') {
					// Two conformers: B (0.60) wins over A (0.40) although it comes second.
					lines.push(atomLine('ATOM', serial++, a.name, 'A', HELIX[i], 'A', seq, icode, mv([a.pos[0] + 0.3, a.pos[1] - 0.2, a.pos[2] + 0.25]), 0.4, b, a.element));
					lines.push(atomLine('ATOM', serial++, a.name, 'B', HELIX[i], 'A', seq, icode, mv(a.pos), 0.6, b, a.element));
				} else if (i === 9 && a.name === 'CB') {
					// Equal occupancy: the first conformer is kept.
					lines.push(atomLine('ATOM', serial++, a.name, 'A', HELIX[i], 'A', seq, icode, mv(a.pos), 0.5, b, a.element));
					lines.push(atomLine('ATOM', serial++, a.name, 'B', HELIX[i], 'A', seq, icode, mv([a.pos[0] + 0.5, a.pos[1], a.pos[2]]), 0.5, b, a.element));
				} else {
					lines.push(atomLine('ATOM', serial++, a.name, '', HELIX[i], 'A', seq, icode, mv(a.pos), 1, b, a.element));
				}
			}
		});
		lines.push(`TER   ${String(serial++).padStart(5)}      ${HELIX.at(-1)} A${String(helixNumbers.at(-1)![0]).padStart(4)}`);
		strand.forEach((atoms, i) => {
			if (i === STRAND_GAP) return;
			for (const a of atoms) lines.push(atomLine('ATOM', serial++, a.name, '', STRAND[i], 'B', i + 1, '', mv(a.pos), 1, 20 + 2 * i, a.element));
		});
		lines.push(`TER   ${String(serial++).padStart(5)}      ${STRAND.at(-1)} B${String(STRAND.length).padStart(4)}`);
		// Ligands: two sulfates in chain A, waters in both chains.
		const so4 = (center: Vec, seq: number) => {
			lines.push(atomLine('HETATM', serial++, 'S', '', 'SO4', 'A', seq, '', mv(center), 1, 30, 'S'));
			const offsets: Vec[] = [[1.5, 0, 0], [-0.5, 1.4, 0], [-0.5, -0.7, 1.2], [-0.5, -0.7, -1.2]];
			offsets.forEach((o, k) => lines.push(atomLine('HETATM', serial++, `O${k + 1}`, '', 'SO4', 'A', seq, '', mv([center[0] + o[0], center[1] + o[1], center[2] + o[2]]), 1, 31, 'O')));
		};
		so4([5, 15, 3], 201);
		so4([-6, 12, 9], 202);
		lines.push(atomLine('HETATM', serial++, 'O', '', 'HOH', 'A', 301, '', mv([3, -9, 4]), 1, 40, 'O'));
		lines.push(atomLine('HETATM', serial++, 'O', '', 'HOH', 'A', 302, '', mv([-4, -8, 2]), 1, 41, 'O'));
		lines.push(atomLine('HETATM', serial++, 'O', '', 'HOH', 'B', 401, '', mv([20, 3, -2]), 1, 42, 'O'));
		lines.push('ENDMDL');
	}
	lines.push('END');
	return lines.join('\n') + '\n';
}

const PDB = buildPdb(3.0);

/** The same first model as mmCIF (atom_site, author numbering, poly_seq_scheme). */
function toMmcif(pdb: string): string {
	const out = ['data_TEST', '#', 'loop_', '_pdbx_poly_seq_scheme.asym_id', '_pdbx_poly_seq_scheme.entity_id', '_pdbx_poly_seq_scheme.seq_id', '_pdbx_poly_seq_scheme.mon_id', '_pdbx_poly_seq_scheme.pdb_seq_num', '_pdbx_poly_seq_scheme.pdb_ins_code', '_pdbx_poly_seq_scheme.pdb_mon_id', '_pdbx_poly_seq_scheme.pdb_strand_id'];
	HELIX.forEach((r, i) => out.push(`A 1 ${i + 1} ${r} ${helixNumbers[i][0]} ${helixNumbers[i][1] || '.'} ${r} A`));
	STRAND.forEach((r, i) => out.push(`B 2 ${i + 1} ${r} ${i + 1} . ${i === STRAND_GAP ? '?' : r} B`));
	out.push('#', 'loop_', ...['group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_alt_id', 'label_comp_id', 'label_asym_id', 'auth_seq_id', 'pdbx_PDB_ins_code', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv', 'auth_asym_id', 'pdbx_PDB_model_num'].map((f) => `_atom_site.${f}`));
	let model = 0;
	for (const l of pdb.split('\n')) {
		if (l.startsWith('MODEL')) model++;
		if (!l.startsWith('ATOM') && !l.startsWith('HETATM')) continue;
		const f = (a: number, b: number) => l.slice(a, b).trim();
		const q = (s: string) => (s === '' ? '?' : /^[^'"\s]+$/.test(s) && !/^[_#$;]/.test(s) ? s : `'${s}'`);
		out.push([f(0, 6), f(6, 11), f(76, 78), q(f(12, 16)), f(16, 17) || '.', f(17, 20), f(21, 22), f(22, 26), f(26, 27) || '?', f(30, 38), f(38, 46), f(46, 54), f(54, 60), f(60, 66), f(21, 22), model].join(' '));
	}
	out.push('#');
	return out.join('\n') + '\n';
}

const BIOPYTHON = `
import json, sys, io, warnings
import numpy as np
from Bio.PDB import PDBParser, PPBuilder
warnings.simplefilter("ignore")
text = json.load(sys.stdin)
s = PDBParser(QUIET=True).get_structure("t", io.StringIO(text))
model = s[0]
out = {"angles": {}, "chains": {}}
for pp in PPBuilder().build_peptides(model):
    for res, (phi, psi) in zip(pp, pp.get_phi_psi_list()):
        key = "%s|%d|%s" % (res.get_parent().id, res.id[1], res.id[2].strip())
        out["angles"][key] = [None if phi is None else np.degrees(phi), None if psi is None else np.degrees(psi)]
for chain in model:
    atoms = [a for r in chain if r.id[0] == " " for a in r]
    xyz = np.array([a.coord for a in atoms], dtype=float)
    rg = float(np.sqrt(((xyz - xyz.mean(axis=0)) ** 2).sum(axis=1).mean()))
    b = np.array([a.bfactor for a in atoms])
    out["chains"][chain.id] = {"rg": rg, "atoms": len(atoms), "bmean": float(b.mean()), "bmax": float(b.max()), "bmin": float(b.min()),
        "residues": sum(1 for r in chain if r.id[0] == " ")}
print(json.dumps(out))
`;

async function analyse(files: Array<{ name: string; text: string }>, settings: Record<string, unknown> = {}) {
	const parsed = tool.parseInput({ files }) as Awaited<ReturnType<typeof tool.parseInput>>;
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
	const written: Record<string, string> = {};
	const ctx = { ...runContext(), writeFile: async (name: string, _type: string, content: string | Uint8Array) => void (written[name] = String(content)) };
	const result = await tool.run(parsed.input, tool.settingsSchema.parse(settings), ctx);
	// Every run's result matches the schema the worker checks it with and the job page reads it by.
	expect(checkToolResult('structure-analysis', result)).toBeNull();
	return { result, written };
}

describe('structure-analysis vs Biopython Bio.PDB', () => {
	const ref = python(BIOPYTHON, PDB);

	it('phi/psi agree within 0.1 degree on every residue, with the same ends and breaks', async () => {
		const { result } = await analyse([{ name: 'fixture.pdb', text: PDB }], { secondaryStructure: false });
		const ours = new Map<string, [number | null, number | null]>();
		for (const c of result.chains) for (const r of c.residues) ours.set(`${c.chain}|${r.seq}|${r.icode}`, [r.phi, r.psi]);
		expect(ours.size).toBe(HELIX.length + STRAND.length - 1);
		expect(new Set(Object.keys(ref.angles))).toEqual(new Set(ours.keys()));
		for (const [key, [phi, psi]] of Object.entries(ref.angles as Record<string, [number | null, number | null]>)) {
			const [p, s] = ours.get(key)!;
			for (const [a, b] of [[p, phi], [s, psi]]) {
				if (b === null) expect(a, key).toBeNull();
				else expect(Math.abs(((a! - b + 540) % 360) - 180), key).toBeLessThan(0.1);
			}
		}
		// The gap in chain B: residue 5 has no psi, residue 7 no phi.
		expect(ours.get('B|5|')![1]).toBeNull();
		expect(ours.get('B|7|')![0]).toBeNull();
		// The generated angles come back (coordinates are rounded to 0.001 A).
		const h = result.chains.find((c) => c.chain === 'A')!.residues;
		expect(Math.abs(h[4].phi! - helixAngles[4][0])).toBeLessThan(0.5);
	});

	it('radius of gyration within 0.01 A and B-factor statistics agree; altlocs and models as Biopython', async () => {
		const { result } = await analyse([{ name: 'fixture.pdb', text: PDB }], { secondaryStructure: false });
		for (const row of result.table.rows) {
			const r = ref.chains[row.chain as string];
			expect(Math.abs((row.radius_of_gyration as number) - r.rg)).toBeLessThan(0.01);
			expect(row.atoms).toBe(r.atoms);
			expect(row.residues).toBe(r.residues);
			expect(Math.abs((row.b_mean as number) - r.bmean)).toBeLessThan(0.01);
			expect(row.b_max).toBeCloseTo(r.bmax, 2);
			expect(row.b_min).toBeCloseTo(r.bmin, 2);
		}
		expect(result.notices.join()).toMatch(/2 models; only the first/);
	});

	it('reports sequences, missing residues, breaks, ligands and waters, and writes FASTA', async () => {
		const { result, written } = await analyse([{ name: 'fixture.pdb', text: PDB }], { secondaryStructure: false });
		const [a, b] = result.table.rows;
		expect(a).toMatchObject({ structure: 'fixture', chain: 'A', kind: 'protein', seqres_sequence: 'MAELKKALEALKRLGW', observed_sequence: 'MAELKKALEALKRLGW', missing_residues: 0, breaks: 0, ligands: 'SO4 x2', ligand_groups: 2, waters: 2, residues: 16 });
		expect(b).toMatchObject({ chain: 'B', seqres_sequence: 'TVKVTVYISVE', observed_sequence: 'TVKVTYISVE', missing_residues: 1, missing_list: 'VAL6', breaks: 1, ligands: '', waters: 1 });
		expect(result.fasta).toBe('>fixture_A protein length=16 source=SEQRES\nMAELKKALEALKRLGW\n>fixture_B protein length=11 source=SEQRES\nTVKVTVYISVE\n');
		expect(written['chains.fasta']).toBe(result.fasta);
		// Per-residue angles for a Ramachandran plot: one row per observed amino acid, blank where undefined.
		const csv = written['residues.csv'].trimEnd().split('\r\n');
		expect(csv[0]).toBe('structure,chain,residue,number,insertion_code,phi,psi,dssp');
		expect(csv).toHaveLength(1 + HELIX.length + STRAND.length - 1);
		expect(csv[1]).toMatch(/^fixture,A,MET,50,,,-?\d+\.\d+,$/);
		expect(csv.find((l) => l.startsWith('fixture,A,LEU,52,A,'))).toBeDefined();
		expect(csv.find((l) => l.startsWith('fixture,B,THR,5,'))).toMatch(/,-?\d+\.\d+,,$/);
		// Insertion codes keep 52, 52A and 52B apart.
		expect(result.chains[0].residues.slice(2, 5).map((r) => `${r.seq}${r.icode}`)).toEqual(['52', '52A', '52B']);
	});

	it("escapes a structure name a spreadsheet would run as a formula in residues.csv, keeping negative angles numbers", async () => {
		const { written } = await analyse([{ name: '=SUM(1+1)*cmd.pdb', text: PDB }], { secondaryStructure: false });
		const rows = written['residues.csv'].trimEnd().split('\r\n').slice(1);
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) expect(row).toMatch(/^"'=SUM\(1\+1\)\*cmd",/);
		expect(rows.some((row) => /,-\d+\.\d+,/.test(row))).toBe(true);
	});

	it('reads the same first model from mmCIF', async () => {
		const cif = toMmcif(PDB);
		expect(detectFormat('x.cif', cif)).toBe('mmcif');
		expect(detectFormat('pasted', cif)).toBe('mmcif');
		const fromPdb = (await analyse([{ name: 'fixture.pdb', text: PDB }], { secondaryStructure: false })).result;
		const fromCif = (await analyse([{ name: 'fixture.cif', text: cif }], { secondaryStructure: false })).result;
		expect(fromCif.table.rows).toEqual(fromPdb.table.rows);
		expect(fromCif.chains).toEqual(fromPdb.chains);
		expect(fromCif.notices.join()).toMatch(/2 models/);
	});

	it('analyses several files in one job', async () => {
		const { result } = await analyse([
			{ name: 'one.pdb', text: PDB },
			{ name: 'two.cif', text: toMmcif(PDB) }
		], { secondaryStructure: false });
		expect(result.table.rows.map((r) => `${r.structure}:${r.chain}`)).toEqual(['one:A', 'one:B', 'two:A', 'two:B']);
	});
});

describe('structure-analysis secondary structure (mkdssp)', () => {
	it('assigns the helix as H and the strand as coil/bridge-free from mkdssp', async () => {
		const { result } = await analyse([{ name: 'fixture.pdb', text: PDB }]);
		expect(result.secondaryStructureUnavailable).toEqual([]);
		const ss = result.table.rows[0].secondary_structure as string;
		expect(ss).toHaveLength(HELIX.length);
		expect(ss.slice(2, -2)).toMatch(/^H+$/);
		expect(result.table.rows[0].helix_pct as number).toBeGreaterThan(60);
		// A lone strand has no partner: no E.
		expect(result.table.rows[1].secondary_structure as string).not.toMatch(/E/);
	});

	it('runs mkdssp on PDB files without a HEADER record', async () => {
		const headless = PDB.split('\n').filter((l) => !l.startsWith('HEADER')).join('\n');
		const out = await runDssp(parseStructure('headless', 'pdb', headless), new AbortController().signal);
		if (!out.ok) throw new Error(`mkdssp did not run: ${out.reason}`);
		expect(out.assignments.get('A|56|')).toBe('H');
		// Insertion codes map back: 52A and 52B are inside the helix.
		expect(out.assignments.has('A|52|A')).toBe(true);
	});

	it('assigns the minimal mmCIF, which mkdssp refuses as it is, as it assigns the PDB file', async () => {
		const cif = toMmcif(PDB);
		const dir = mkdtempSync(join(tmpdir(), 'foldwork-sa-test-'));
		let refused = false;
		try {
			writeFileSync(join(dir, 'in.cif'), cif);
			execFileSync(MKDSSP, ['--output-format', 'dssp', join(dir, 'in.cif'), join(dir, 'out.dssp')], { stdio: 'pipe' });
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${MKDSSP} is not installed: npm test installs Debian's dssp, or run apt-get install dssp`);
			refused = true;
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		// Should mkdssp come to read it, this test no longer shows why the rewrite is there.
		expect(refused).toBe(true);
		const fromPdb = (await analyse([{ name: 'fixture.pdb', text: PDB }])).result;
		const fromCif = (await analyse([{ name: 'fixture.cif', text: cif }])).result;
		expect(fromCif.secondaryStructureUnavailable).toEqual([]);
		expect(fromCif.table.rows.map((r) => r.secondary_structure)).toEqual(fromPdb.table.rows.map((r) => r.secondary_structure));
		expect(fromCif.table.rows[0].secondary_structure).toMatch(/HHHH/);
	});

	it('reports secondary structure as unavailable when mkdssp is missing', async () => {
		const out = await runDssp(parseStructure('x', 'pdb', PDB), new AbortController().signal, '/nonexistent/mkdssp');
		expect(out).toEqual({ ok: false, reason: 'mkdssp is not installed' });
	});

	it('stops mkdssp past its time limit and reports why', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'foldwork-sa-test-'));
		try {
			const slow = join(dir, 'mkdssp');
			writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
			const out = await runDssp(parseStructure('x', 'pdb', PDB), new AbortController().signal, slow, 300);
			expect(out).toEqual({ ok: false, reason: 'mkdssp did not finish within 0.3 s' });
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('runs a later mkdssp that no longer knows --write-experimental', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'foldwork-sa-test-'));
		try {
			// Refuses the option; otherwise writes a summary calling every residue of chain A a helix.
			const later = join(dir, 'mkdssp');
			const summary = ['data_x', 'loop_', '_dssp_struct_summary.label_asym_id', '_dssp_struct_summary.label_seq_id', '_dssp_struct_summary.secondary_structure', ...HELIX.map((_, i) => `A ${i + 1} H`)].join('\\n');
			writeFileSync(later, `#!/bin/sh\nfor a; do [ "$a" = --write-experimental ] && { echo "unrecognised option '--write-experimental'" >&2; exit 1; }; done\nfor a; do out="$a"; done\nprintf '${summary}\\n' > "$out"\n`, { mode: 0o755 });
			const out = await runDssp(parseStructure('x', 'pdb', PDB), new AbortController().signal, later);
			expect(out.ok).toBe(true);
			if (out.ok) expect([...out.assignments.values()]).toEqual(HELIX.map(() => 'H'));
			if (out.ok) expect(out.assignments.get('A|52|B')).toBe('H');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it("reads mkdssp's per-residue summary, coil written as '.'", () => {
		const cif = [
			'data_foldwork',
			'loop_',
			...['entry_id', 'label_comp_id', 'label_asym_id', 'label_seq_id', 'secondary_structure', 'ss_bridge'].map((f) => `_dssp_struct_summary.${f}`),
			'foldwork MET A 1 . .',
			'foldwork ALA A 2 H .',
			"foldwork GLY AB 17 'E' .",
			'#'
		].join('\n');
		expect([...parseDsspSummary(cif)]).toEqual([['A|1', '-'], ['A|2', 'H'], ['AB|17', 'E']]);
		expect(() => parseDsspSummary('data_x\n_cell.length_a 1\n')).toThrow(/no _dssp_struct_summary/);
	});
});

describe('structure-analysis input', () => {
	it('refuses input over the catalog limit with the limit in the message', () => {
		const big = 'ATOM  ' + 'x'.repeat(tool.catalog.maxInputBytes);
		const out = tool.parseInput({ files: [{ name: 'big.pdb', text: big }] }) as { ok: boolean; errors: Array<{ message: string }> };
		expect(out.ok).toBe(false);
		expect(out.errors[0].message).toMatch(/at most 50\.0 MiB is accepted/);
	});

	it('names the file and line of an unreadable record', () => {
		const bad = 'ATOM      1  N   ALA A   1      xx.000   0.000   0.000  1.00 10.00           N\n';
		const out = tool.parseInput({ files: [{ name: 'bad.pdb', text: bad }] }) as { ok: boolean; errors: Array<{ message: string; record?: string; line?: number }> };
		expect(out.ok).toBe(false);
		expect(out.errors[0]).toMatchObject({ record: 'bad', line: 1 });
		expect(() => parseStructure('x', 'pdb', 'HEADER only\n')).toThrow(/no ATOM or HETATM/);
	});
});

// structure-analysis on real PDB entries (tests/fixtures/structures, see its
// README), each checked against Biopython's Bio.PDB (python3-biopython) and
// against Debian's mkdssp run directly on the entry.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { structureAnalysisTool as tool } from '#lib/tools/runners.server.ts';
import { MKDSSP } from '#lib/tools/structure-analysis/dssp.server.ts';
import type { StructureAnalysisResult } from '#lib/tools/structure-analysis/index.ts';
import { python, runContext } from './reference.ts';

const DIR = new URL('../../fixtures/structures/', import.meta.url).pathname;

const ENTRIES: Array<{ file: string; about: string; oracleDrops?: RegExp }> = [
	{ file: '1k6p.pdb', about: 'X-ray: HIV-1 protease dimer, inhibitor XN3, acetates, waters, alternate locations' },
	{ file: '1k6p.cif', about: 'the same entry as mmCIF' },
	{
		file: '1ejg.pdb',
		about: 'X-ray at 0.54 A: crambin, hundreds of alternate locations and two point mutations (PRO/SER 22, LEU/ILE 25)',
		// mkdssp 4 drops both residues given two residue types, breaking the helix at 23-30. Biopython (and
		// this tool) keep PRO 22 and LEU 25, whose atoms are not all alternates; so mkdssp is run on the
		// entry without the lines of the refused types (and the SEQADV records naming them).
		oracleDrops: /^(ATOM {2}|HETATM|ANISOU).{11}(SER A {2}22|ILE A {2}25)|^SEQADV/
	},
	{ file: '1a8o.pdb', about: 'X-ray: selenomethionines as HETATM named by MODRES, waters, SEQRES longer than the model' },
	{ file: '1lcd.pdb', about: 'NMR, 3 models: lac repressor headpiece with two DNA strands, no HEADER record' },
	{ file: '1dix.pdb', about: 'X-ray: insertion codes (1X-4X before 2)' },
	{ file: '4zhl.cif', about: 'mmCIF, X-ray: uPA with chymotrypsin numbering (insertion codes) and a bound peptide' }
];

/** Biopython's view of the first model; counts, Rg and B-factors come before PPBuilder re-selects bonded conformers. */
const BIOPYTHON = `
import json, sys, warnings
import numpy as np
from Bio.Data.PDBData import protein_letters_3to1_extended
from Bio.PDB import PDBParser, MMCIFParser, PPBuilder
from Bio.PDB.DSSP import make_dssp_dict
from Bio.PDB.MMCIF2Dict import MMCIF2Dict
from Bio.PDB.Polypeptide import is_aa
from Bio.PDB.parse_pdb_header import parse_pdb_header
warnings.simplefilter("ignore")
req = json.load(sys.stdin)
path, fmt = req["path"], req["format"]
s = (PDBParser(QUIET=True) if fmt == "pdb" else MMCIFParser(QUIET=True)).get_structure("x", path)
model = s[0]
NUC = {"A": "A", "C": "C", "G": "G", "U": "U", "T": "T", "DA": "A", "DC": "C", "DG": "G", "DT": "T", "DU": "U"}
letter = lambda name: NUC.get(name) or protein_letters_3to1_extended.get(name, "X")
# ATOM records, and modified amino acids written as HETATM.
polymer = lambda r: r.id[0] == " " or (r.id[0].startswith("H_") and is_aa(r))
out = {"models": len(s), "chains": {}, "angles": {}, "dssp": {}}
for chain in model:
    res = [r for r in chain if polymer(r)]
    atoms = [a for r in res for a in r]
    ligands, waters = {}, 0
    for r in chain:
        if polymer(r): continue
        if r.id[0] == "W": waters += 1
        else: ligands[r.get_resname()] = ligands.get(r.get_resname(), 0) + 1
    entry = {"residues": len(res), "atoms": len(atoms), "ligands": ligands, "waters": waters, "observed": "".join(letter(r.get_resname()) for r in res)}
    if atoms:
        xyz = np.array([a.coord for a in atoms], dtype=float)
        b = np.array([a.bfactor for a in atoms], dtype=float)
        entry.update(rg=float(np.sqrt(((xyz - xyz.mean(axis=0)) ** 2).sum(axis=1).mean())), bmean=float(b.mean()), bsd=float(b.std()),
                     bmin=float(b.min()), bmax=float(b.max()), bmedian=float(np.median(b)))
    out["chains"][chain.id] = entry
for pp in PPBuilder().build_peptides(model, aa_only=False):
    for r, (phi, psi) in zip(pp, pp.get_phi_psi_list()):
        key = "%s|%d|%s" % (r.get_parent().id, r.id[1], r.id[2].strip())
        out["angles"][key] = [None if phi is None else float(np.degrees(phi)), None if psi is None else float(np.degrees(psi))]
# The file's own sequence records and missing residues.
seqres, missing = {}, {}
if fmt == "pdb":
    for line in open(path):
        if line.startswith("SEQRES"): seqres.setdefault(line[11], []).extend(line[19:].split())
    for m in parse_pdb_header(path).get("missing_residues", []):
        if m.get("model") in (None, 1): missing[m["chain"]] = missing.get(m["chain"], 0) + 1
else:
    d = MMCIF2Dict(path)
    prev = None
    for strand, sid, mon, pmon in zip(*(d["_pdbx_poly_seq_scheme." + k] for k in ("pdb_strand_id", "seq_id", "mon_id", "pdb_mon_id"))):
        if (strand, sid) == prev: continue
        prev = (strand, sid)
        seqres.setdefault(strand, []).append(mon)
        if pmon in ("?", "."): missing[strand] = missing.get(strand, 0) + 1
for c, names in seqres.items():
    if c in out["chains"]:
        out["chains"][c].update(seqres="".join(letter(n) for n in names), missing=missing.get(c, 0))
if req.get("dssp"):
    for (chain, (_, seq, icode)), v in make_dssp_dict(req["dssp"])[0].items():
        out["dssp"]["%s|%d|%s" % (chain, seq, icode.strip())] = v[1]
print(json.dumps(out))
`;

interface Reference {
	models: number;
	chains: Record<string, { residues: number; atoms: number; ligands: Record<string, number>; waters: number; observed: string; rg?: number; bmean?: number; bsd?: number; bmin?: number; bmax?: number; bmedian?: number; seqres?: string; missing?: number }>;
	angles: Record<string, [number | null, number | null]>;
	dssp: Record<string, string>;
}

const work = mkdtempSync(join(tmpdir(), 'foldwork-sa-entries-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The oracle must be there: a comparison that cannot run fails, it is never skipped. */
function requireMkdssp(): void {
	try {
		execFileSync(MKDSSP, ['--version'], { stdio: 'ignore' });
	} catch {
		throw new Error(`${MKDSSP} (Debian package dssp) is needed to check secondary structure: npm test installs it, or run apt-get install dssp`);
	}
}

/**
 * mkdssp on the entry itself; where it refuses the entry (PDB files without
 * HEADER, NMR entries whose later models it cannot map) on the entry's own
 * first-model lines under a HEADER. Returns the classic DSSP file's path.
 */
function mkdsspOracle(file: string, drops?: RegExp): string {
	const out = join(work, `${file}.dssp`);
	if (drops) {
		const edited = join(work, file);
		writeFileSync(edited, readFileSync(join(DIR, file), 'utf8').split('\n').filter((l) => !drops.test(l)).join('\n'));
		execFileSync(MKDSSP, ['--output-format', 'dssp', edited, out], { stdio: 'pipe' });
		return out;
	}
	try {
		execFileSync(MKDSSP, ['--output-format', 'dssp', join(DIR, file), out], { stdio: 'pipe' });
		return out;
	} catch (err) {
		if (!file.endsWith('.pdb')) throw err;
	}
	const lines = ['HEADER    ' + 'ORACLE'.padEnd(70)];
	for (const line of readFileSync(join(DIR, file), 'utf8').split('\n')) {
		if (line.startsWith('ENDMDL')) break;
		if (/^(ATOM {2}|HETATM|TER)/.test(line)) lines.push(line);
	}
	const firstModel = join(work, `${file}.model1.pdb`);
	writeFileSync(firstModel, lines.join('\n') + '\nEND\n');
	execFileSync(MKDSSP, ['--output-format', 'dssp', firstModel, out], { stdio: 'pipe' });
	return out;
}

async function analyse(file: string, secondaryStructure: boolean): Promise<StructureAnalysisResult> {
	const parsed = tool.parseInput({ files: [{ name: file, text: readFileSync(join(DIR, file), 'utf8') }] }) as Awaited<ReturnType<typeof tool.parseInput>>;
	if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
	return tool.run(parsed.input, tool.settingsSchema.parse({ secondaryStructure }), runContext());
}

const angleGap = (a: number, b: number) => Math.abs(((a - b + 540) % 360) - 180);
requireMkdssp();

for (const { file, about, oracleDrops } of ENTRIES) {
	describe(`${file} (${about})`, () => {
		const format = file.endsWith('.cif') ? 'mmcif' : 'pdb';
		const ref: Reference = python(BIOPYTHON, { path: join(DIR, file), format, dssp: mkdsspOracle(file, oracleDrops) });

		it('has the chains, sequences, residue and atom counts, ligands and waters Biopython reads', async () => {
			const result = await analyse(file, false);
			const rows = new Map(result.table.rows.map((r) => [r.chain as string, r]));
			expect([...rows.keys()].sort()).toEqual(Object.keys(ref.chains).sort());
			for (const [chain, c] of Object.entries(ref.chains)) {
				const row = rows.get(chain)!;
				expect(row.residues, chain).toBe(c.residues);
				expect(row.atoms, chain).toBe(c.atoms);
				expect(row.observed_sequence, chain).toBe(c.observed);
				expect(row.waters, chain).toBe(c.waters);
				const ligands = Object.entries(c.ligands).map(([name, n]) => (n > 1 ? `${name} x${n}` : name));
				expect(String(row.ligands).split(', ').filter(Boolean).sort(), chain).toEqual(ligands.sort());
				if (c.seqres !== undefined) {
					expect(row.seqres_sequence, chain).toBe(c.seqres);
					// Counted from REMARK 465 / _pdbx_poly_seq_scheme where the file has them, else SEQRES minus observed.
					if (c.missing) expect(row.missing_residues, chain).toBe(c.missing);
					else expect(row.missing_residues, chain).toBe(Math.max(0, c.seqres.length - c.residues));
				}
			}
			if (ref.models > 1) expect(result.notices.join()).toContain(`${ref.models} models; only the first`);
		});

		it('gives phi/psi within 0.1 degree of PPBuilder on every residue, with the same chain ends and breaks', async () => {
			const result = await analyse(file, false);
			const ours = new Map<string, [number | null, number | null]>();
			for (const c of result.chains) for (const r of c.residues) ours.set(`${c.chain}|${r.seq}|${r.icode}`, [r.phi, r.psi]);
			// Residues outside every Biopython peptide (single residues, unlinked ends) have neither angle.
			for (const [key, [phi, psi]] of ours) if (!(key in ref.angles)) expect([phi, psi], key).toEqual([null, null]);
			let compared = 0;
			for (const [key, [phi, psi]] of Object.entries(ref.angles)) {
				expect(ours.has(key), key).toBe(true);
				const [p, s] = ours.get(key)!;
				for (const [a, b] of [[p, phi], [s, psi]]) {
					if (b === null) expect(a, key).toBeNull();
					else {
						expect(angleGap(a!, b), key).toBeLessThan(0.1);
						compared++;
					}
				}
			}
			expect(compared).toBeGreaterThan(0);
		});

		it('gives the radius of gyration within 0.01 A and the B-factor statistics Biopython gives', async () => {
			const result = await analyse(file, false);
			for (const row of result.table.rows) {
				const c = ref.chains[row.chain as string];
				if (c.rg === undefined) continue;
				expect(Math.abs((row.radius_of_gyration as number) - c.rg), String(row.chain)).toBeLessThan(0.01);
				expect(row.b_mean).toBeCloseTo(c.bmean!, 2);
				expect(row.b_sd).toBeCloseTo(c.bsd!, 2);
				expect(row.b_min).toBeCloseTo(c.bmin!, 2);
				expect(row.b_median).toBeCloseTo(c.bmedian!, 2);
				expect(row.b_max).toBeCloseTo(c.bmax!, 2);
			}
		});

		it('assigns the secondary structure mkdssp assigns on the entry', async () => {
			const result = await analyse(file, true);
			expect(result.secondaryStructureUnavailable).toEqual([]);
			const ours = new Map<string, string>();
			for (const c of result.chains) for (const r of c.residues) ours.set(`${c.chain}|${r.seq}|${r.icode}`, r.ss!);
			const keys = Object.keys(ref.dssp);
			expect(keys.length).toBeGreaterThan(0);
			for (const key of keys) expect(ours.get(key), key).toBe(ref.dssp[key]);
			// Amino acids mkdssp leaves out are coil.
			for (const [key, ss] of ours) if (!(key in ref.dssp)) expect(ss, key).toBe('-');
		});
	});
}

describe('1K6P as PDB and as mmCIF', () => {
	it('gives the same table and per-residue data', async () => {
		const [pdb, cif] = await Promise.all([analyse('1k6p.pdb', false), analyse('1k6p.cif', false)]);
		expect(cif.table.rows.map((r) => ({ ...r, structure: null }))).toEqual(pdb.table.rows.map((r) => ({ ...r, structure: null })));
		expect(cif.chains.map((c) => c.residues)).toEqual(pdb.chains.map((c) => c.residues));
	});
});

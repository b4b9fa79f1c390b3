// structure-analysis on bad input: each class (malformed, empty, oversized,
// the wrong kind of file, hostile) is refused with a message a person can
// act on, or analysed within bounds.
import { describe, expect, it } from 'vitest';
import { examples } from '#lib/tools/structure-analysis/examples.ts';
import { wrongKindOfFile } from '#lib/tools/structure-analysis/index.ts';
import { structureAnalysisTool as tool } from '#lib/tools/runners.server.ts';
import { ToolInputError, type InputIssue } from '#lib/tools/types.ts';
import { runContext } from './reference.ts';

const TRP_CAGE = examples[0].text;
const atomLines = TRP_CAGE.split('\n').filter((l) => l.startsWith('ATOM'));

type Refused = { ok: false; errors: InputIssue[] };

function parse(files: Array<{ name: string; text: string }>) {
	return tool.parseInput({ files }) as Awaited<ReturnType<typeof tool.parseInput>>;
}

function refused(name: string, text: string): InputIssue[] {
	const out = parse([{ name, text }]);
	expect(out.ok, JSON.stringify(out).slice(0, 300)).toBe(false);
	return (out as Refused).errors;
}

async function analyse(name: string, text: string, secondaryStructure = false) {
	const out = parse([{ name, text }]);
	if (!out.ok) throw new Error(JSON.stringify(out.errors));
	return tool.run(out.input, tool.settingsSchema.parse({ secondaryStructure }), runContext());
}

/** Trp-cage's atoms (of the first `residues`) as a minimal mmCIF; `firstX` replaces the first atom's x. */
function trpCageCif(options: { chain?: string; firstX?: string; models?: number; residues?: number } = {}): string {
	const out = ['data_TRPCAGE', 'loop_', ...['group_PDB', 'id', 'type_symbol', 'label_atom_id', 'label_comp_id', 'auth_asym_id', 'auth_seq_id', 'Cartn_x', 'Cartn_y', 'Cartn_z', 'occupancy', 'B_iso_or_equiv', 'pdbx_PDB_model_num'].map((f) => `_atom_site.${f}`)];
	for (let model = 1; model <= (options.models ?? 1); model++) {
		atomLines.filter((l) => Number(l.slice(22, 26)) <= (options.residues ?? Infinity)).forEach((l, i) => {
			const x = i === 0 && options.firstX !== undefined ? options.firstX : l.slice(30, 38).trim();
			out.push(['ATOM', i + 1, l.slice(76, 78).trim(), l.slice(12, 16).trim(), l.slice(17, 20), options.chain ?? 'A', l.slice(22, 26).trim(), x, l.slice(38, 46).trim(), l.slice(46, 54).trim(), '1.00', '0.00', model].join(' '));
		});
	}
	return out.join('\n') + '\n';
}

describe('structure-analysis example', () => {
	it('is a real structure the tool reads, with its helix', async () => {
		expect(examples).toHaveLength(1);
		const result = await analyse('pasted', TRP_CAGE, true);
		const [row] = result.table.rows;
		expect(row).toMatchObject({ chain: 'A', residues: 20, seqres_sequence: 'NLYIQWLKDGGPSSGRPPPS', observed_sequence: 'NLYIQWLKDGGPSSGRPPPS', missing_residues: 0 });
		expect(result.secondaryStructureUnavailable).toEqual([]);
		expect(row.secondary_structure).toMatch(/HHHH/);
	});
});

describe('structure-analysis refuses malformed files, naming the line', () => {
	const line = (n: number) => atomLines[n];
	const withLine = (n: number, replacement: string) => [...atomLines.slice(0, n), replacement, ...atomLines.slice(n + 1)].join('\n');

	it('a coordinate that is not a number', () => {
		const bad = line(3).slice(0, 30) + '   1.2.3' + line(3).slice(38);
		expect(refused('bad.pdb', withLine(3, bad))[0]).toMatchObject({ record: 'bad', line: 4, message: expect.stringMatching(/coordinate '1\.2\.3'.*not a number/) });
	});

	it('an ATOM record cut short', () => {
		expect(refused('short.pdb', withLine(5, line(5).slice(0, 40)))[0]).toMatchObject({ line: 6, message: expect.stringMatching(/too short/) });
	});

	it('a residue number that is not a whole number, an occupancy that is not a number', () => {
		expect(refused('seq.pdb', withLine(2, line(2).slice(0, 22) + ' 1.5' + line(2).slice(26)))[0]).toMatchObject({ line: 3, message: expect.stringMatching(/residue number/) });
		expect(refused('occ.pdb', withLine(2, line(2).slice(0, 54) + '  high' + line(2).slice(60)))[0]).toMatchObject({ line: 3, message: expect.stringMatching(/occupancy 'high'/) });
	});

	it('mmCIF with an unclosed quote or text field, a short loop, or no coordinates', () => {
		const cif = trpCageCif();
		const lines = cif.split('\n');
		lines[20] = lines[20].replace(' ASN ', " 'ASN ");
		expect(refused('q.cif', lines.join('\n'))[0]).toMatchObject({ record: 'q', line: 21, message: expect.stringMatching(/quoted value is not closed/) });
		expect(refused('t.cif', cif.replace('loop_', '_struct.title\n;a title never closed\nloop_'))[0].message).toMatch(/text field .* never closed/);
		expect(refused('short.cif', cif.trimEnd() + ' 7\n')[0].message).toMatch(/_atom_site loop has \d+ values, not a whole number of rows of 13/);
		expect(refused('nox.cif', cif.replace('_atom_site.Cartn_x', '_atom_site.Cartn_q'))[0].message).toMatch(/_atom_site has no Cartn_x field/);
	});
});

describe('structure-analysis refuses empty files', () => {
	it('with nothing in them, only blanks, or no atoms', () => {
		expect(refused('empty.pdb', '')[0].message).toMatch(/the structure file is empty/);
		expect(refused('blank.pdb', '  \n\n ')[0].message).toMatch(/no ATOM or HETATM records/);
		expect(refused('header.pdb', TRP_CAGE.split('\n').filter((l) => !l.startsWith('ATOM') && !l.startsWith('TER')).join('\n'))[0].message).toMatch(/no ATOM or HETATM records/);
		expect(refused('empty.cif', 'data_EMPTY\n_struct.title "nothing here"\n')[0].message).toMatch(/no _atom_site records/);
		expect((tool.parseInput({ files: [] }) as Refused).errors[0].message).toMatch(/at least one PDB or mmCIF file/);
	});
});

describe('structure-analysis refuses input over the size limit', () => {
	const limitMiB = (tool.catalog.maxInputBytes / 1024 / 1024).toFixed(1);
	// Real records, repeated past the limit: the size check comes before any reading.
	const block = atomLines.join('\n') + '\n';
	const big = block.repeat(Math.ceil(tool.catalog.maxInputBytes / block.length) + 1);

	it('at submit, with the limit in the message', () => {
		const errors = refused('big.pdb', big);
		expect(errors).toHaveLength(1);
		expect(errors[0].message).toContain(`at most ${limitMiB} MiB is accepted`);
	});

	it('when run, also with several files that together pass the limit', async () => {
		const half = big.slice(0, Math.ceil(big.length / 2));
		const input = { structures: [{ name: 'one', format: 'pdb' as const, content: half }, { name: 'two', format: 'pdb' as const, content: half }] };
		const err = await tool.run(input, tool.settingsSchema.parse({}), runContext()).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(ToolInputError);
		expect((err as ToolInputError).message).toContain(`at most ${limitMiB} MiB is accepted`);
	});
});

describe('structure-analysis refuses the wrong kind of file', () => {
	it('a FASTA file given as PDB', () => {
		expect(refused('seq.pdb', '>sp|P00698|LYSC_CHICK\nKVFGRCELAAAMKRHGLDNYRGYSLGNWVCAAKFESNFNTQATNRNTDGSTDYGILQINSRWWCNDGRTPGSRNLCNIPCSALLSSDITASVNCAKKIVSDGNGMNAWVAWRNRCKGTDVQAWIRGCRL\n')[0]).toMatchObject({ record: 'seq', message: expect.stringMatching(/FASTA/) });
	});

	it('a binary or gzip-compressed file', () => {
		// As the browser reads them as text: invalid UTF-8 becomes U+FFFD.
		const gzip = new TextDecoder().decode(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0x5d]));
		expect(refused('1abc.pdb.gz', gzip)[0].message).toMatch(/gzip-compressed/);
		expect(refused('x.pdb', 'ATOM  \u0000\u0001\u0002 binary')[0].message).toMatch(/binary file/);
		expect(wrongKindOfFile(TRP_CAGE)).toBeNull();
	});

	it('an mmCIF file named .pdb, and a PDB file named .cif, are read as what they are', async () => {
		expect((await analyse('really-cif.pdb', trpCageCif())).table.rows[0].residues).toBe(20);
		expect((await analyse('really-pdb.cif', TRP_CAGE)).table.rows[0].residues).toBe(20);
	});
});

describe('structure-analysis on hostile input', () => {
	it('refuses huge, NaN and infinite coordinates', () => {
		const withX = (x: string) => [atomLines[0].slice(0, 30) + x.padStart(8) + atomLines[0].slice(38), ...atomLines.slice(1)].join('\n');
		expect(refused('huge.pdb', withX('9.99e+99'))[0]).toMatchObject({ line: 1, message: expect.stringMatching(/more than 1000000 A from the origin/) });
		expect(refused('nan.pdb', withX('NaN'))[0]).toMatchObject({ line: 1, message: expect.stringMatching(/'NaN'.*not a number/) });
		expect(refused('inf.pdb', withX('Infinity'))[0].message).toMatch(/not a number/);
		expect(refused('huge.cif', trpCageCif({ firstX: '1e308' }))[0].message).toMatch(/more than 1000000 A/);
		expect(refused('nan.cif', trpCageCif({ firstX: 'nan' }))[0].message).toMatch(/'nan' is not a number/);
	});

	it('analyses coordinates beyond what PDB columns hold, DSSP included', async () => {
		const far = trpCageCif({ firstX: '123456.789' });
		const result = await analyse('far.cif', far, true);
		expect(result.table.rows[0].residues).toBe(20);
		expect(Number.isFinite(result.table.rows[0].radius_of_gyration)).toBe(true);
		expect(result.secondaryStructureUnavailable).toEqual([]);
		expect(result.table.rows[0].secondary_structure).toMatch(/HHHH/);
	});

	it('assigns DSSP to more chains than the classic DSSP format holds', async () => {
		const copies = 70;
		const lines = trpCageCif().trimEnd().split('\n');
		const header = lines.filter((l) => !l.startsWith('ATOM'));
		const atoms = lines.filter((l) => l.startsWith('ATOM'));
		// Copies 40 A apart, each its own chain: C0 ... C69.
		const body = Array.from({ length: copies }, (_, k) =>
			atoms.map((l) => {
				const f = l.split(' ');
				f[5] = `C${k}`;
				f[7] = (Number(f[7]) + 40 * k).toFixed(3);
				return f.join(' ');
			})
		).flat();
		const result = await analyse('many-chains.cif', [...header, ...body].join('\n') + '\n', true);
		expect(result.table.rows).toHaveLength(copies);
		expect(result.secondaryStructureUnavailable).toEqual([]);
		const single = (await analyse('one.cif', trpCageCif(), true)).table.rows[0].secondary_structure;
		expect(single).toMatch(/HHHH/);
		for (const row of result.table.rows) expect(row.secondary_structure, String(row.chain)).toBe(single);
	});

	it('reads only the first of thousands of models, quickly', async () => {
		const models = 5000;
		const firstTwo = atomLines.filter((l) => Number(l.slice(22, 26)) <= 2);
		const pdb = Array.from({ length: models }, (_, i) => `MODEL     ${String(i + 1).padStart(4)}\n${firstTwo.join('\n')}\nENDMDL`).join('\n') + '\nEND\n';
		const cif = trpCageCif({ models, residues: 2 });
		for (const [name, text] of [['many.pdb', pdb], ['many.cif', cif]]) {
			const start = performance.now();
			const result = await analyse(name, text);
			expect(performance.now() - start).toBeLessThan(3000);
			expect(result.table.rows).toHaveLength(1);
			expect(result.table.rows[0].atoms).toBe(firstTwo.length);
			expect(result.notices.join()).toContain(`${models.toLocaleString('en')} models; only the first is analysed`);
		}
	});

	it('takes path-like file names as names only, and refuses them as structure names', async () => {
		const out = parse([
			{ name: '../../etc/passwd.pdb', text: TRP_CAGE },
			{ name: 'C:\\Users\\x\\1l2y.cif', text: trpCageCif() },
			{ name: '..', text: TRP_CAGE }
		]);
		expect(out.ok).toBe(true);
		if (!out.ok) return;
		expect(out.input.structures.map((s) => s.name)).toEqual(['passwd', '1l2y', 'structure3']);
		for (const name of ['../x', 'a\\b', 'tab\there', 'nul\u0000']) {
			expect(tool.inputSchema.safeParse({ structures: [{ name, format: 'pdb', content: TRP_CAGE }] }).success, name).toBe(false);
		}
	});

	it('maps long mmCIF chain ids to what mkdssp reads and back', async () => {
		const result = await analyse('long.cif', trpCageCif({ chain: 'CHAIN_LONG' }), true);
		expect(result.table.rows[0].chain).toBe('CHAIN_LONG');
		expect(result.secondaryStructureUnavailable).toEqual([]);
		expect(result.table.rows[0].secondary_structure).toMatch(/HHHH/);
	});

	it('keeps the residue type named last of a point mutation and drops a repeated atom, as Biopython does', async () => {
		const ala = atomLines.filter((l) => l.slice(22, 26).trim() === '1');
		// Residue 1 given twice as alternates ASN (A) and ASP (B): the type named last is kept.
		const alt = (l: string, altloc: string, name: string) => l.slice(0, 16) + altloc + name + l.slice(20);
		const rest = atomLines.filter((l) => l.slice(22, 26).trim() !== '1');
		// ...and an atom of residue 2 written twice: the second is left out.
		const mutated = [...ala.map((l) => alt(l, 'A', 'ASN')), ...ala.map((l) => alt(l, 'B', 'ASP')), rest[0], ...rest].join('\n');
		const result = await analyse('mut.pdb', mutated);
		expect(result.table.rows[0].observed_sequence).toMatch(/^DLYIQ/);
		expect(result.table.rows[0].residues).toBe(20);
		expect(result.notices.join()).toMatch(/: 1 atom left out/);
	});
});

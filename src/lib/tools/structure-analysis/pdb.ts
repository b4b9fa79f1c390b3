// PDB format reader (fixed columns, wwPDB format v3.3): first model only.
import { StructureBuilder, type MissingResidue, type Structure } from './model.ts';

export class StructureFormatError extends Error {
	readonly line?: number;
	constructor(message: string, line?: number) {
		super(message);
		this.name = 'StructureFormatError';
		this.line = line;
	}
}

const REMARK_465 = /^REMARK 465\s+(?:(\d+)\s+)?(\S{1,3})\s+(\S)\s+(-?\d+)([A-Za-z]?)\s*$/;

export function parsePdb(name: string, text: string): Structure {
	const builder = new StructureBuilder();
	const seqres = new Map<string, string[]>();
	const missing = new Map<string, MissingResidue[]>();
	const modified = new Map<string, string>();
	let sawRemark465 = false;
	let models = 0;
	let inFirstModel = true;
	let atoms = 0;
	let lineNo = 0;
	let start = 0;
	while (start < text.length) {
		let end = text.indexOf('\n', start);
		if (end < 0) end = text.length;
		let line = text.slice(start, end);
		if (line.endsWith('\r')) line = line.slice(0, -1);
		start = end + 1;
		lineNo++;
		const record = line.slice(0, 6);
		if (record === 'MODEL ') {
			models++;
			if (models > 1) inFirstModel = false;
		} else if (record === 'ENDMDL') {
			inFirstModel = false;
		} else if (record === 'ATOM  ' || record === 'HETATM') {
			if (!inFirstModel) continue;
			if (line.length < 54) throw new StructureFormatError(`${record.trim()} record is too short for coordinates`, lineNo);
			const x = Number(line.slice(30, 38));
			const y = Number(line.slice(38, 46));
			const z = Number(line.slice(46, 54));
			const seq = Number(line.slice(22, 26));
			if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) throw new StructureFormatError('coordinates are not numbers', lineNo);
			if (!Number.isInteger(seq) || line.slice(22, 26).trim() === '') throw new StructureFormatError('residue number is not an integer', lineNo);
			const occText = line.slice(54, 60).trim();
			const bText = line.slice(60, 66).trim();
			const atomName = line.slice(12, 16).trim();
			const element = line.slice(76, 78).trim() || atomName.replace(/[^A-Za-z]/g, '').slice(0, 1);
			builder.addAtom(
				line[21] ?? ' ',
				line.slice(17, 20).trim(),
				seq,
				(line[26] ?? ' ').trim(),
				record === 'HETATM',
				(line[16] ?? ' ').trim(),
				{ name: atomName, element: element.toUpperCase(), x, y, z, occupancy: occText === '' ? 1 : Number(occText), bFactor: bText === '' ? 0 : Number(bText) }
			);
			atoms++;
		} else if (record === 'SEQRES') {
			const chain = line[11] ?? ' ';
			const names = line.slice(19).trim().split(/\s+/).filter(Boolean);
			let list = seqres.get(chain);
			if (!list) seqres.set(chain, (list = []));
			list.push(...names);
		} else if (record === 'MODRES') {
			const res = line.slice(12, 15).trim();
			const parent = line.slice(24, 27).trim();
			if (res && parent) modified.set(res, parent);
		} else if (record === 'REMARK' && line.startsWith('REMARK 465')) {
			const m = REMARK_465.exec(line);
			if (!m) continue;
			sawRemark465 = true;
			if (m[1] !== undefined && m[1] !== '1') continue;
			let list = missing.get(m[3]);
			if (!list) missing.set(m[3], (list = []));
			list.push({ name: m[2], seq: Number(m[4]), icode: m[5] });
		}
	}
	if (atoms === 0) throw new StructureFormatError('no ATOM or HETATM records found');
	for (const [chainId, names] of seqres) builder.chain(chainId).seqres = names;
	const structure = builder.build(name, 'pdb', Math.max(1, models), modified);
	if (sawRemark465) for (const chain of structure.chains) chain.missing = missing.get(chain.id) ?? [];
	// Chains with only SEQRES (no coordinates) are left out by build() only if never touched; drop empty ones.
	structure.chains = structure.chains.filter((c) => c.residues.length > 0);
	return structure;
}

// PDB format reader (fixed columns, wwPDB format v3.3): first model only.
// Coordinate records are read in place, column by column, without cutting
// each line into substrings: a 10,000-residue entry has ~80,000 of them.
import { StructureBuilder, type MissingResidue, type Structure } from './model.ts';

export class StructureFormatError extends Error {
	readonly line?: number;
	constructor(message: string, line?: number) {
		super(message);
		this.name = 'StructureFormatError';
		this.line = line;
	}
}

/** Beyond this many angstroms from the origin a coordinate is a broken or hostile file, not a molecule. */
export const MAX_COORDINATE = 1_000_000;

const REMARK_465 = /^REMARK 465\s+(?:(\d+)\s+)?(\S{1,3})\s+(\S)\s+(-?\d+)([A-Za-z]?)\s*$/;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The number in text[from, to) with blanks around it, as Number() reads it;
 * NaN when the field is blank or not a number. Plain decimals ("-12.345")
 * are read from the character codes (mantissa / 10^k rounds as Number does);
 * anything else goes to Number().
 */
function fieldNumber(text: string, from: number, to: number): number {
	let i = from;
	while (i < to && text.charCodeAt(i) === 32) i++;
	let end = to;
	while (end > i && text.charCodeAt(end - 1) === 32) end--;
	if (i === end) return NaN;
	let negative = false;
	const first = text.charCodeAt(i);
	if (first === 45 || first === 43) {
		negative = first === 45;
		i++;
	}
	let mantissa = 0;
	let digits = 0;
	let decimals = -1;
	for (; i < end; i++) {
		const c = text.charCodeAt(i);
		if (c >= 48 && c <= 57) {
			mantissa = mantissa * 10 + (c - 48);
			digits++;
			if (decimals >= 0) decimals++;
		} else if (c === 46 && decimals < 0) {
			decimals = 0;
		} else {
			return Number(text.slice(from, to).trim());
		}
	}
	if (digits === 0 || digits > 15) return Number(text.slice(from, to).trim());
	const value = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
	return negative ? -value : value;
}

const isBlank = (text: string, from: number, to: number) => {
	for (let i = from; i < to; i++) if (text.charCodeAt(i) !== 32) return false;
	return true;
};

/** Short strings seen again and again (atom names, elements), kept once by their character codes. */
class Interned {
	private readonly byCode = new Map<number, string>();
	private readonly form: (s: string) => string;
	constructor(form: (s: string) => string) {
		this.form = form;
	}

	/** form(text[from, to) trimmed); at most 4 characters. */
	get(text: string, from: number, to: number): string {
		// Seven bits a character keeps four-character codes small integers (no number object per lookup).
		let code = 0;
		for (let i = from; i < to; i++) {
			const c = text.charCodeAt(i);
			if (c > 127) return this.form(text.slice(from, to).trim());
			code = code * 128 + c;
		}
		let s = this.byCode.get(code);
		if (s === undefined) this.byCode.set(code, (s = this.form(text.slice(from, to).trim())));
		return s;
	}
}

export function parsePdb(name: string, text: string): Structure {
	const builder = new StructureBuilder();
	const seqres = new Map<string, string[]>();
	const missing = new Map<string, MissingResidue[]>();
	const modified = new Map<string, string>();
	const atomNames = new Interned((s) => s);
	const elements = new Interned((s) => s.toUpperCase());
	/** Without an element column: the first letter of the atom name. */
	const elementsFromNames = new Interned((s) => s.replace(/[^A-Za-z]/g, '').slice(0, 1).toUpperCase());
	let sawRemark465 = false;
	let models = 0;
	let inFirstModel = true;
	let atoms = 0;
	let lineNo = 0;
	// The residue columns (18-27) of the last coordinate record, and what they said.
	let residueColumns = '';
	let resName = '', chainId = '', icode = '', seq = 0;

	/** A required number in columns [from, to) of the line at `at`; unreadable ones are refused. */
	const number = (at: number, from: number, to: number, what: string, blank?: number): number => {
		const v = fieldNumber(text, at + from, at + to);
		if (Number.isFinite(v)) return v;
		if (isBlank(text, at + from, at + to)) {
			if (blank !== undefined) return blank;
			throw new StructureFormatError(`${what} (columns ${from + 1}-${to}) is missing`, lineNo);
		}
		throw new StructureFormatError(`${what} '${text.slice(at + from, at + to).trim()}' (columns ${from + 1}-${to}) is not a number`, lineNo);
	};
	const coordinate = (at: number, from: number): number => {
		const v = number(at, from, from + 8, 'coordinate');
		if (Math.abs(v) > MAX_COORDINATE) throw new StructureFormatError(`coordinate ${v} is more than ${MAX_COORDINATE} A from the origin`, lineNo);
		return v;
	};

	const n = text.length;
	let start = 0;
	while (start < n) {
		let end = text.indexOf('\n', start);
		if (end < 0) end = n;
		const at = start;
		const lineEnd = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
		start = end + 1;
		lineNo++;
		const first = text.charCodeAt(at);
		const hetero = first === 72 && text.startsWith('HETATM', at);
		if (hetero || (first === 65 && text.startsWith('ATOM  ', at))) {
			if (!inFirstModel) continue;
			const length = lineEnd - at;
			if (length < 54) throw new StructureFormatError(`${hetero ? 'HETATM' : 'ATOM'} record is too short for coordinates (${length} of at least 54 columns)`, lineNo);
			if (!text.startsWith(residueColumns, at + 17) || residueColumns === '') {
				residueColumns = text.slice(at + 17, at + 27);
				seq = number(at, 22, 26, 'residue number');
				if (!Number.isInteger(seq)) throw new StructureFormatError(`residue number '${text.slice(at + 22, at + 26).trim()}' is not an integer`, lineNo);
				resName = residueColumns.slice(0, 3).trim();
				chainId = residueColumns[4];
				icode = residueColumns[9].trim();
			}
			const atomName = atomNames.get(text, at + 12, at + 16);
			if (atomName === '') throw new StructureFormatError('atom name (columns 13-16) is missing', lineNo);
			let element = length >= 77 ? elements.get(text, at + 76, at + Math.min(78, length)) : '';
			if (element === '') element = elementsFromNames.get(text, at + 12, at + 16);
			const altloc = text.charCodeAt(at + 16) === 32 ? '' : text[at + 16];
			builder.addAtom(chainId, resName, seq, icode, hetero, {
				name: atomName,
				element,
				altloc,
				x: coordinate(at, 30),
				y: coordinate(at, 38),
				z: coordinate(at, 46),
				occupancy: length >= 60 ? number(at, 54, 60, 'occupancy', 1) : 1,
				bFactor: length >= 66 ? number(at, 60, 66, 'B-factor', 0) : 0
			});
			atoms++;
			continue;
		}
		// Of the other records only these few matter: M(ODEL, ODRES), E(NDMDL, ND), S(EQRES), R(EMARK 465).
		if (first !== 77 && first !== 69 && first !== 83 && first !== 82) continue;
		const line = text.slice(at, lineEnd);
		const record = line.slice(0, 6);
		if (record === 'MODEL ' || record === 'MODEL') {
			models++;
			if (models > 1) inFirstModel = false;
		} else if (record === 'ENDMDL') {
			inFirstModel = false;
		} else if (record.trimEnd() === 'END') {
			// The entry ends here (Biopython stops reading too).
			break;
		} else if (record === 'SEQRES') {
			const chain = line[11] ?? ' ';
			let list = seqres.get(chain);
			if (!list) seqres.set(chain, (list = []));
			for (const residue of line.slice(19).trim().split(/\s+/)) if (residue) list.push(residue);
		} else if (record === 'MODRES') {
			const res = line.slice(12, 15).trim();
			const parent = line.slice(24, 27).trim();
			if (res && parent) modified.set(res, parent);
		} else if (record === 'REMARK' && line.startsWith('REMARK 465')) {
			const m = REMARK_465.exec(line);
			if (!m) continue;
			sawRemark465 = true;
			// Missing residues of later NMR models repeat the first model's.
			if (m[1] !== undefined && m[1] !== '1') continue;
			let list = missing.get(m[3]);
			if (!list) missing.set(m[3], (list = []));
			list.push({ name: m[2], seq: Number(m[4]), icode: m[5] });
		}
	}
	if (atoms === 0) throw new StructureFormatError('no ATOM or HETATM records found');
	const structure = builder.build(name, 'pdb', Math.max(1, models), modified);
	for (const chain of structure.chains) {
		chain.seqres = seqres.get(chain.id) ?? [];
		if (sawRemark465) chain.missing = missing.get(chain.id) ?? [];
	}
	return structure;
}

// mmCIF reader: the _atom_site loop (first model, author chain and residue
// numbers, as PDB files use) and _pdbx_poly_seq_scheme for the full sequence
// and the unobserved residues. Rows of _atom_site are read as they stream
// past, so later models and unused columns cost a scan, not memory.
import { StructureBuilder, type MissingResidue, type Structure } from './model.ts';
import { MAX_COORDINATE, StructureFormatError } from './pdb.ts';

const EOF = 0, BARE = 1, QUOTED = 2;

/** CIF 1.1 tokens: bare words, quoted strings and ;-delimited text fields; comments are skipped. */
class Tokens {
	private readonly text: string;
	private pos = 0;
	/** The last token: its kind and where its value lies in the text. */
	kind: number = EOF;
	start = 0;
	end = 0;
	constructor(text: string) {
		this.text = text;
	}

	value(): string {
		const v = this.text.slice(this.start, this.end);
		// A text field keeps its line breaks; drop a \r left from \r\n before the closing ';'.
		return this.kind === QUOTED && v.endsWith('\r') ? v.slice(0, -1) : v;
	}

	/** Whether the last token is a bare word starting with `c` (a tag, loop_, data_ ...). */
	startsWith(c: number): boolean {
		return this.kind === BARE && this.text.charCodeAt(this.start) === c;
	}

	isKeyword(word: string): boolean {
		return this.kind === BARE && this.end - this.start === word.length && this.text.slice(this.start, this.end).toLowerCase() === word;
	}

	lineAt(pos: number): number {
		let line = 1;
		for (let i = this.text.indexOf('\n'); i >= 0 && i < pos; i = this.text.indexOf('\n', i + 1)) line++;
		return line;
	}

	error(message: string): StructureFormatError {
		return new StructureFormatError(message, this.lineAt(this.start));
	}

	next(): number {
		const t = this.text;
		const n = t.length;
		let i = this.pos;
		for (;;) {
			while (i < n) {
				const c = t.charCodeAt(i);
				if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
				i++;
			}
			if (i >= n) {
				this.pos = n;
				this.start = this.end = n;
				return (this.kind = EOF);
			}
			if (t.charCodeAt(i) !== 35 /* # */) break;
			const eol = t.indexOf('\n', i);
			i = eol < 0 ? n : eol;
		}
		const c = t.charCodeAt(i);
		if (c === 59 /* ; */ && (i === 0 || t.charCodeAt(i - 1) === 10)) {
			const close = t.indexOf('\n;', i + 1);
			if (close < 0) {
				this.start = i;
				throw this.error('a text field opened with ; is never closed');
			}
			this.start = i + 1;
			this.end = close;
			this.pos = close + 2;
			return (this.kind = QUOTED);
		}
		if (c === 39 || c === 34 /* ' " */) {
			// A quote ends the string only when whitespace (or the end) follows; strings do not span lines.
			let j = i + 1;
			for (; j < n; j++) {
				const d = t.charCodeAt(j);
				if (d === 10 || d === 13) break;
				if (d === c) {
					const after = j + 1 < n ? t.charCodeAt(j + 1) : 32;
					if (after === 32 || after === 9 || after === 10 || after === 13) break;
				}
			}
			if (j >= n || t.charCodeAt(j) !== c) {
				this.start = i;
				throw this.error('a quoted value is not closed on its line');
			}
			this.start = i + 1;
			this.end = j;
			this.pos = j + 1;
			return (this.kind = QUOTED);
		}
		let j = i;
		while (j < n) {
			const d = t.charCodeAt(j);
			if (d === 32 || d === 10 || d === 13 || d === 9) break;
			j++;
		}
		this.start = i;
		this.end = j;
		this.pos = j;
		return (this.kind = BARE);
	}
}

export interface CifCategory {
	fields: string[];
	rows: string[][];
}

const UNDERSCORE = 95;
const categoryOf = (tag: string) => {
	const dot = tag.indexOf('.');
	return (dot < 0 ? tag : tag.slice(0, dot)).toLowerCase();
};
const fieldOf = (tag: string) => tag.slice(tag.indexOf('.') + 1);

/**
 * Reads the first data block. Rows of `streamed` go to onRow as they are
 * read (the array is reused; only the columns onFields asks for are filled);
 * other wanted categories are returned whole.
 */
function readBlock(
	text: string,
	wanted: Set<string>,
	streamed: string,
	onFields: (fields: string[]) => boolean[],
	onRow: (values: string[]) => void
): Map<string, CifCategory> {
	const out = new Map<string, CifCategory>();
	const tok = new Tokens(text);
	const isBlockEnd = () => tok.startsWith(UNDERSCORE) || tok.isKeyword('loop_') || (tok.startsWith(100 /* d */) && tok.value().startsWith('data_'));
	let blocks = 0;
	let kind = tok.next();
	while (kind !== EOF) {
		if (kind === BARE && tok.isKeyword('loop_')) {
			const loopStart = tok.start;
			const fields: string[] = [];
			while ((kind = tok.next()) === BARE && tok.startsWith(UNDERSCORE)) fields.push(tok.value());
			if (fields.length === 0) throw tok.error('loop_ without field names');
			const cat = categoryOf(fields[0]);
			const stream = cat === streamed;
			const keep = !stream && wanted.has(cat);
			const needed = stream ? onFields(fields.map(fieldOf)) : fields.map(() => keep);
			const row: string[] = new Array(fields.length).fill('');
			const rows: string[][] = [];
			let k = 0;
			let count = 0;
			while (kind !== EOF && !(kind === BARE && isBlockEnd())) {
				if (needed[k]) row[k] = tok.value();
				count++;
				if (++k === fields.length) {
					if (stream) onRow(row);
					else if (keep) rows.push(row.slice());
					k = 0;
				}
				kind = tok.next();
			}
			if ((stream || keep) && k !== 0) {
				throw new StructureFormatError(`the ${cat} loop has ${count} values, not a whole number of rows of ${fields.length}`, tok.lineAt(loopStart));
			}
			if (keep) out.set(cat, { fields: fields.map(fieldOf), rows });
		} else if (kind === BARE && tok.startsWith(UNDERSCORE)) {
			// tag value: a category of one row (for _atom_site, a single atom, handed on below).
			const tag = tok.value();
			if (tok.next() === EOF) throw tok.error(`${tag} has no value`);
			const cat = categoryOf(tag);
			if (cat === streamed || wanted.has(cat)) {
				let c = out.get(cat);
				if (!c) out.set(cat, (c = { fields: [], rows: [[]] }));
				c.fields.push(fieldOf(tag));
				c.rows[0].push(tok.value());
			}
			kind = tok.next();
		} else if (kind === BARE && tok.value().startsWith('data_')) {
			if (++blocks > 1) break;
			kind = tok.next();
		} else {
			kind = tok.next();
		}
	}
	const single = out.get(streamed);
	if (single) {
		onFields(single.fields);
		onRow(single.rows[0]);
		out.delete(streamed);
	}
	return out;
}

/** The wanted categories of a CIF file's first data block, whole. */
export function readCifCategories(text: string, wanted: Set<string>): Map<string, CifCategory> {
	return readBlock(text, wanted, '', () => [], () => {});
}

const blank = (v: string | undefined) => v === undefined || v === '?' || v === '.';

export function column(fields: string[], ...names: string[]): number {
	for (const n of names) {
		const k = fields.findIndex((f) => f.toLowerCase() === n.toLowerCase());
		if (k >= 0) return k;
	}
	return -1;
}

export function parseMmcif(name: string, text: string): Structure {
	const builder = new StructureBuilder();
	const models = new Set<string>();
	let firstModel: string | null = null;
	let rowNo = 0;
	let sawAtomSite = false;
	let c = { group: -1, atom: -1, alt: -1, res: -1, chain: -1, seq: -1, ins: -1, x: -1, y: -1, z: -1, occ: -1, b: -1, el: -1, model: -1 };

	const onFields = (fields: string[]): boolean[] => {
		if (sawAtomSite) throw new StructureFormatError('the file has more than one _atom_site table');
		sawAtomSite = true;
		const need = (...names: string[]) => {
			const k = column(fields, ...names);
			if (k < 0) throw new StructureFormatError(`_atom_site has no ${names[0]} field`);
			return k;
		};
		c = {
			group: column(fields, 'group_PDB'),
			atom: need('auth_atom_id', 'label_atom_id'),
			alt: column(fields, 'label_alt_id'),
			res: need('auth_comp_id', 'label_comp_id'),
			chain: need('auth_asym_id', 'label_asym_id'),
			seq: need('auth_seq_id', 'label_seq_id'),
			ins: column(fields, 'pdbx_PDB_ins_code'),
			x: need('Cartn_x'),
			y: need('Cartn_y'),
			z: need('Cartn_z'),
			occ: column(fields, 'occupancy'),
			b: column(fields, 'B_iso_or_equiv'),
			el: column(fields, 'type_symbol'),
			model: column(fields, 'pdbx_PDB_model_num')
		};
		const needed = fields.map(() => false);
		for (const k of Object.values(c)) if (k >= 0) needed[k] = true;
		return needed;
	};

	const num = (r: string[], k: number, what: string, fallback: number) => {
		if (k < 0 || blank(r[k])) return fallback;
		const v = Number(r[k]);
		if (!Number.isFinite(v)) throw new StructureFormatError(`atom site ${rowNo} (${r[c.atom]}): ${what} '${r[k]}' is not a number`);
		return v;
	};
	const coordinate = (r: string[], k: number) => {
		const v = num(r, k, 'coordinate', NaN);
		if (Number.isNaN(v)) throw new StructureFormatError(`atom site ${rowNo} (${r[c.atom]}): a coordinate is missing`);
		if (Math.abs(v) > MAX_COORDINATE) throw new StructureFormatError(`atom site ${rowNo} (${r[c.atom]}): coordinate ${v} is more than ${MAX_COORDINATE} A from the origin`);
		return v;
	};

	const onRow = (r: string[]) => {
		rowNo++;
		if (c.model >= 0) {
			const model = r[c.model];
			models.add(model);
			firstModel ??= model;
			if (model !== firstModel) return;
		}
		const seq = Number(r[c.seq]);
		if (!Number.isInteger(seq)) throw new StructureFormatError(`atom site ${rowNo} (${r[c.atom]}): residue number '${r[c.seq]}' is not an integer`);
		const atomName = r[c.atom];
		builder.addAtom(r[c.chain], r[c.res], seq, c.ins >= 0 && !blank(r[c.ins]) ? r[c.ins] : '', c.group >= 0 && r[c.group] === 'HETATM', {
			name: atomName,
			element: c.el >= 0 && !blank(r[c.el]) ? r[c.el].toUpperCase() : atomName.replace(/[^A-Za-z]/g, '').slice(0, 1).toUpperCase(),
			altloc: c.alt >= 0 && !blank(r[c.alt]) ? r[c.alt] : '',
			x: coordinate(r, c.x),
			y: coordinate(r, c.y),
			z: coordinate(r, c.z),
			occupancy: num(r, c.occ, 'occupancy', 1),
			bFactor: num(r, c.b, 'B_iso_or_equiv', 0)
		});
	};

	const cats = readBlock(text, new Set(['_pdbx_poly_seq_scheme', '_pdbx_struct_mod_residue']), '_atom_site', onFields, onRow);
	if (rowNo === 0) throw new StructureFormatError('no _atom_site records found');

	const modified = new Map<string, string>();
	const mod = cats.get('_pdbx_struct_mod_residue');
	if (mod) {
		const a = column(mod.fields, 'auth_comp_id', 'label_comp_id'), p = column(mod.fields, 'parent_comp_id');
		if (a >= 0 && p >= 0) for (const r of mod.rows) if (!blank(r[a]) && !blank(r[p])) modified.set(r[a], r[p]);
	}

	const structure = builder.build(name, 'mmcif', Math.max(1, models.size), modified);
	const scheme = cats.get('_pdbx_poly_seq_scheme');
	if (scheme) {
		const f = scheme.fields;
		const s = column(f, 'pdb_strand_id'), m = column(f, 'mon_id'), pm = column(f, 'pdb_mon_id');
		const id = column(f, 'seq_id');
		const num = column(f, 'pdb_seq_num', 'auth_seq_num'), ins = column(f, 'pdb_ins_code');
		if (s >= 0 && m >= 0) {
			const seqres = new Map<string, string[]>();
			const missing = new Map<string, MissingResidue[]>();
			let previous = '';
			for (const r of scheme.rows) {
				const chain = r[s];
				// Point mutations list each residue type under one seq_id; SEQRES names the first.
				const position = `${chain}|${id >= 0 ? r[id] : ''}`;
				if (id >= 0 && position === previous) continue;
				previous = position;
				let names = seqres.get(chain);
				if (!names) {
					seqres.set(chain, (names = []));
					missing.set(chain, []);
				}
				names.push(r[m]);
				if (pm >= 0 && blank(r[pm])) missing.get(chain)!.push({ name: r[m], seq: Number(r[num]), icode: ins >= 0 && !blank(r[ins]) ? r[ins] : '' });
			}
			for (const chain of structure.chains) {
				const names = seqres.get(chain.id);
				if (names) {
					chain.seqres = names;
					chain.missing = pm >= 0 ? missing.get(chain.id)! : null;
				}
			}
		}
	}
	return structure;
}

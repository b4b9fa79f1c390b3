// mmCIF reader: the _atom_site loop (first model, author chain and residue
// numbers, as PDB files use) and _pdbx_poly_seq_scheme for the full sequence
// and the unobserved residues.
import { StructureBuilder, type MissingResidue, type Structure } from './model.ts';
import { StructureFormatError } from './pdb.ts';

interface Category {
	fields: string[];
	rows: string[][];
}

/** CIF tokens: bare words, quoted strings and ;-delimited text fields. Comments are skipped. */
function* tokens(text: string): Generator<{ value: string; quoted: boolean }> {
	const n = text.length;
	let i = 0;
	while (i < n) {
		const c = text[i];
		if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
			i++;
		} else if (c === '#') {
			while (i < n && text[i] !== '\n') i++;
		} else if (c === ';' && (i === 0 || text[i - 1] === '\n')) {
			const close = text.indexOf('\n;', i + 1);
			const end = close < 0 ? n : close;
			yield { value: text.slice(i + 1, end).replace(/\r?\n$/, ''), quoted: true };
			i = close < 0 ? n : close + 2;
		} else if (c === "'" || c === '"') {
			// A quote ends a string only when followed by whitespace.
			let j = i + 1;
			while (j < n && !(text[j] === c && (j + 1 >= n || /\s/.test(text[j + 1])))) j++;
			yield { value: text.slice(i + 1, j), quoted: true };
			i = j + 1;
		} else {
			let j = i;
			while (j < n && text[j] !== ' ' && text[j] !== '\t' && text[j] !== '\n' && text[j] !== '\r') j++;
			yield { value: text.slice(i, j), quoted: false };
			i = j;
		}
	}
}

/** The categories this reader needs, from the first data block. */
function readCategories(text: string, wanted: Set<string>): Map<string, Category> {
	const out = new Map<string, Category>();
	const it = tokens(text);
	let pending = it.next();
	const categoryOf = (tag: string) => tag.slice(0, tag.indexOf('.') < 0 ? tag.length : tag.indexOf('.'));
	let blocks = 0;
	while (!pending.done) {
		const tok = pending.value;
		if (!tok.quoted && tok.value.startsWith('data_')) {
			if (++blocks > 1) break;
			pending = it.next();
		} else if (!tok.quoted && tok.value.toLowerCase() === 'loop_') {
			const fields: string[] = [];
			pending = it.next();
			while (!pending.done && !pending.value.quoted && pending.value.value.startsWith('_')) {
				fields.push(pending.value.value);
				pending = it.next();
			}
			const cat = fields.length ? categoryOf(fields[0]) : '';
			const keep = wanted.has(cat);
			const rows: string[][] = [];
			let row: string[] = [];
			while (!pending.done) {
				const v = pending.value;
				if (!v.quoted && (v.value.startsWith('_') || v.value.toLowerCase() === 'loop_' || v.value.startsWith('data_'))) break;
				if (keep) {
					row.push(v.quoted ? v.value : v.value);
					if (row.length === fields.length) {
						rows.push(row);
						row = [];
					}
				}
				pending = it.next();
			}
			if (keep) out.set(cat, { fields: fields.map((f) => f.slice(cat.length + 1)), rows });
		} else if (!tok.quoted && tok.value.startsWith('_')) {
			const tag = tok.value;
			pending = it.next();
			if (pending.done) break;
			const cat = categoryOf(tag);
			if (wanted.has(cat)) {
				let c = out.get(cat);
				if (!c) out.set(cat, (c = { fields: [], rows: [[]] }));
				c.fields.push(tag.slice(cat.length + 1));
				c.rows[0].push(pending.value.value);
			}
			pending = it.next();
		} else {
			pending = it.next();
		}
	}
	return out;
}

const blank = (v: string | undefined) => v === undefined || v === '?' || v === '.';

export function parseMmcif(name: string, text: string): Structure {
	const cats = readCategories(text, new Set(['_atom_site', '_pdbx_poly_seq_scheme', '_pdbx_struct_mod_residue']));
	const site = cats.get('_atom_site');
	if (!site || site.rows.length === 0) throw new StructureFormatError('no _atom_site records found');
	const col = (c: Category, ...names: string[]) => {
		for (const n of names) {
			const k = c.fields.indexOf(n);
			if (k >= 0) return k;
		}
		return -1;
	};
	const need = (c: Category, ...names: string[]) => {
		const k = col(c, ...names);
		if (k < 0) throw new StructureFormatError(`_atom_site has no ${names[0]} field`);
		return k;
	};
	const iGroup = col(site, 'group_PDB');
	const iAtom = need(site, 'auth_atom_id', 'label_atom_id');
	const iAlt = col(site, 'label_alt_id');
	const iRes = need(site, 'auth_comp_id', 'label_comp_id');
	const iChain = need(site, 'auth_asym_id', 'label_asym_id');
	const iSeq = need(site, 'auth_seq_id', 'label_seq_id');
	const iIns = col(site, 'pdbx_PDB_ins_code');
	const iX = need(site, 'Cartn_x'), iY = need(site, 'Cartn_y'), iZ = need(site, 'Cartn_z');
	const iOcc = col(site, 'occupancy'), iB = col(site, 'B_iso_or_equiv');
	const iEl = col(site, 'type_symbol');
	const iModel = col(site, 'pdbx_PDB_model_num');

	const builder = new StructureBuilder();
	const models = new Set<string>();
	const firstModel = iModel >= 0 ? site.rows[0][iModel] : '';
	for (const r of site.rows) {
		if (iModel >= 0) {
			models.add(r[iModel]);
			if (r[iModel] !== firstModel) continue;
		}
		const x = Number(r[iX]), y = Number(r[iY]), z = Number(r[iZ]);
		const seq = Number(r[iSeq]);
		if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) throw new StructureFormatError(`atom ${r[iAtom]}: coordinates are not numbers`);
		if (!Number.isInteger(seq)) throw new StructureFormatError(`atom ${r[iAtom]}: residue number '${r[iSeq]}' is not an integer`);
		builder.addAtom(
			r[iChain],
			r[iRes],
			seq,
			iIns >= 0 && !blank(r[iIns]) ? r[iIns] : '',
			iGroup >= 0 && r[iGroup] === 'HETATM',
			iAlt >= 0 && !blank(r[iAlt]) ? r[iAlt] : '',
			{
				name: r[iAtom],
				element: iEl >= 0 && !blank(r[iEl]) ? r[iEl].toUpperCase() : r[iAtom].slice(0, 1),
				x, y, z,
				occupancy: iOcc >= 0 && !blank(r[iOcc]) ? Number(r[iOcc]) : 1,
				bFactor: iB >= 0 && !blank(r[iB]) ? Number(r[iB]) : 0
			}
		);
	}

	const modified = new Map<string, string>();
	const mod = cats.get('_pdbx_struct_mod_residue');
	if (mod) {
		const a = col(mod, 'auth_comp_id', 'label_comp_id'), p = col(mod, 'parent_comp_id');
		if (a >= 0 && p >= 0) for (const r of mod.rows) if (!blank(r[a]) && !blank(r[p])) modified.set(r[a], r[p]);
	}

	const structure = builder.build(name, 'mmcif', Math.max(1, models.size), modified);
	const scheme = cats.get('_pdbx_poly_seq_scheme');
	if (scheme) {
		const s = col(scheme, 'pdb_strand_id'), m = col(scheme, 'mon_id'), pm = col(scheme, 'pdb_mon_id');
		const num = col(scheme, 'pdb_seq_num', 'auth_seq_num'), ins = col(scheme, 'pdb_ins_code');
		if (s >= 0 && m >= 0) {
			const seqres = new Map<string, string[]>();
			const missing = new Map<string, MissingResidue[]>();
			for (const r of scheme.rows) {
				const chain = r[s];
				if (!seqres.has(chain)) {
					seqres.set(chain, []);
					missing.set(chain, []);
				}
				seqres.get(chain)!.push(r[m]);
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

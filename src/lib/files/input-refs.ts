// Large texts of a job's input travel as files: the browser uploads each to
// Storage and puts {"$file": "<name>"} where the text was; the worker puts
// the file's text back before the tool sees the input. This module is that
// convention, shared by both sides (and the job page, which shows such an
// input without loading the files).

export const FILE_REF_KEY = '$file';

/** Texts at least this large (UTF-8 bytes) are uploaded rather than sent inside the input. */
export const EXTERNAL_TEXT_BYTES = 1024 * 1024;

export interface FileRef {
	[FILE_REF_KEY]: string;
}

export function isFileRef(value: unknown): value is FileRef {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const keys = Object.keys(value);
	return keys.length === 1 && keys[0] === FILE_REF_KEY && typeof (value as Record<string, unknown>)[FILE_REF_KEY] === 'string';
}

/** The names of the files the input refers to. */
export function findFileRefs(input: unknown): Set<string> {
	const names = new Set<string>();
	const walk = (value: unknown): void => {
		if (isFileRef(value)) names.add(value[FILE_REF_KEY]);
		else if (Array.isArray(value)) value.forEach(walk);
		else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
	};
	walk(input);
	return names;
}

/** The input with each reference replaced by its file's text (a name with no text is left as it is). */
export function replaceFileRefs(input: unknown, texts: ReadonlyMap<string, string>): unknown {
	const walk = (value: unknown): unknown => {
		if (isFileRef(value)) return texts.get(value[FILE_REF_KEY]) ?? value;
		if (Array.isArray(value)) return value.map(walk);
		if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
		return value;
	};
	return walk(input);
}

export interface ExternalText {
	/** The job file's name (unique within the job). */
	name: string;
	mediaType: string;
	text: string;
}

/** UTF-8 length without encoding (inputs can be many MiB). */
export function utf8Length(text: string): number {
	let bytes = text.length;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) continue;
		if (c < 0x800) bytes += 1;
		else if (c >= 0xd800 && c <= 0xdbff) {
			bytes += 2;
			i++;
		} else bytes += 2;
	}
	return bytes;
}

/** A file name from what the text belongs to: the record's name (or id) and what it holds. */
function nameFor(parent: Record<string, unknown> | null, key: string, index: number): { stem: string; ext: string; mediaType: string } {
	const label = typeof parent?.name === 'string' && parent.name ? parent.name : typeof parent?.id === 'string' && parent.id ? parent.id : `${key}-${index + 1}`;
	const stem = label.replace(/[\u0000-\u001f/\\]+/g, '_').slice(0, 120) || 'input';
	const format = typeof parent?.format === 'string' ? parent.format : '';
	if (format === 'mmcif') return { stem, ext: 'cif', mediaType: 'chemical/x-mmcif' };
	if (format === 'pdb' || key === 'pdb') return { stem, ext: 'pdb', mediaType: 'chemical/x-pdb' };
	if (key === 'sdf' || key === 'molblock') return { stem, ext: 'sdf', mediaType: 'chemical/x-mdl-sdfile' };
	if (key === 'sequence') return { stem, ext: 'seq.txt', mediaType: 'text/plain' };
	return { stem, ext: 'txt', mediaType: 'text/plain' };
}

/**
 * The input with every text of at least `threshold` bytes replaced by a
 * file reference, and those texts to upload. Texts that the database reads
 * to count or price a job stay where they are: only strings inside the
 * records are moved, never record names or top-level settings.
 */
export function externalizeLargeTexts(input: unknown, threshold = EXTERNAL_TEXT_BYTES): { input: unknown; files: ExternalText[] } {
	const files: ExternalText[] = [];
	const used = new Set<string>();
	let count = 0;
	const walk = (value: unknown, parent: Record<string, unknown> | null, key: string, depth: number): unknown => {
		if (typeof value === 'string') {
			if (depth < 2 || value.length < threshold / 4 || utf8Length(value) < threshold) return value;
			const { stem, ext, mediaType } = nameFor(parent, key, count++);
			let name = `${stem}.${ext}`;
			for (let n = 2; used.has(name); n++) name = `${stem}-${n}.${ext}`;
			used.add(name);
			files.push({ name, mediaType, text: value });
			return { [FILE_REF_KEY]: name };
		}
		if (Array.isArray(value)) return value.map((v) => walk(v, parent, key, depth + 1));
		if (typeof value === 'object' && value !== null) {
			const record = value as Record<string, unknown>;
			return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, walk(v, record, k, depth + 1)]));
		}
		return value;
	};
	return { input: walk(input, null, '', 0), files };
}

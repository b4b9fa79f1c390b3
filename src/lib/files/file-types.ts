// What kind of file a job file is, from its media type and name: the Files
// page's "Type" column and filter, and which preview fits it.

export type PreviewKind = 'text' | 'table' | 'structure' | 'molecule' | 'none';

export const FILE_TYPE_IDS = ['fasta', 'csv', 'tsv', 'json', 'pdb', 'pdbqt', 'mmcif', 'sdf', 'smiles', 'text'] as const;
export type KnownFileType = (typeof FILE_TYPE_IDS)[number];
export type FileType = KnownFileType | 'other';

export interface FileTypeInfo {
	label: string;
	/** Lower-case, without the dot. */
	extensions: readonly string[];
	mediaTypes: readonly string[];
	preview: PreviewKind;
	/** 3Dmol's format name, for structures; RDKit input style, for molecules. */
	format?: string;
}

export const FILE_TYPES: Readonly<Record<KnownFileType, FileTypeInfo>> = {
	fasta: {
		label: 'FASTA',
		extensions: ['fasta', 'fa', 'faa', 'fna', 'ffn', 'frn', 'fas'],
		mediaTypes: ['text/x-fasta', 'application/x-fasta', 'chemical/seq-aa-fasta', 'chemical/seq-na-fasta'],
		preview: 'text'
	},
	csv: { label: 'CSV', extensions: ['csv'], mediaTypes: ['text/csv'], preview: 'table' },
	tsv: { label: 'TSV', extensions: ['tsv', 'tab'], mediaTypes: ['text/tab-separated-values'], preview: 'table' },
	json: { label: 'JSON', extensions: ['json'], mediaTypes: ['application/json'], preview: 'text' },
	pdb: { label: 'PDB', extensions: ['pdb', 'ent'], mediaTypes: ['chemical/x-pdb'], preview: 'structure', format: 'pdb' },
	pdbqt: { label: 'PDBQT', extensions: ['pdbqt'], mediaTypes: ['chemical/x-pdbqt'], preview: 'structure', format: 'pdbqt' },
	mmcif: { label: 'mmCIF', extensions: ['cif', 'mmcif'], mediaTypes: ['chemical/x-mmcif', 'chemical/x-cif'], preview: 'structure', format: 'cif' },
	sdf: {
		label: 'SDF/MOL',
		extensions: ['sdf', 'sd', 'mol'],
		mediaTypes: ['chemical/x-mdl-sdfile', 'chemical/x-mdl-molfile'],
		preview: 'molecule',
		format: 'sdf'
	},
	smiles: {
		label: 'SMILES',
		extensions: ['smi', 'smiles'],
		mediaTypes: ['chemical/x-daylight-smiles'],
		preview: 'molecule',
		format: 'smiles'
	},
	text: { label: 'Text', extensions: ['txt', 'log', 'out'], mediaTypes: ['text/plain'], preview: 'text' }
};

export function fileExtension(name: string): string {
	const dot = name.lastIndexOf('.');
	return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The media type decides; the name's extension when the media type is generic or unknown. */
export function fileTypeOf(file: { name: string; media_type: string }): FileType {
	const media = file.media_type.toLowerCase().split(';')[0].trim();
	for (const id of FILE_TYPE_IDS) if (FILE_TYPES[id].mediaTypes.includes(media)) return id;
	const ext = fileExtension(file.name);
	for (const id of FILE_TYPE_IDS) if (FILE_TYPES[id].extensions.includes(ext)) return id;
	if (media.startsWith('text/')) return 'text';
	return 'other';
}

export function fileTypeLabel(type: FileType): string {
	return type === 'other' ? 'Other' : FILE_TYPES[type].label;
}

export function previewKindOf(type: FileType): PreviewKind {
	return type === 'other' ? 'none' : FILE_TYPES[type].preview;
}

/**
 * A PostgREST `or` filter matching files of `type` by media type or
 * extension (the database has no column for the type itself).
 */
export function fileTypeFilter(type: KnownFileType): string {
	const info = FILE_TYPES[type];
	const terms = [`media_type.in.(${info.mediaTypes.map((m) => `"${m}"`).join(',')})`];
	for (const ext of info.extensions) terms.push(`name.ilike."*.${ext}"`);
	return terms.join(',');
}

// Job exports: CSV from the result's declared table (header "label (unit)",
// RFC 4180 quoting, formulas escaped by #lib/csv/cells.ts) after comment
// lines with the tool, job and settings, and the JSON envelope with the
// settings the job ran with; file names safe on every system; a job with
// nothing to export says so.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
	exportFileName,
	jobExportEnvelope,
	NothingToExportError,
	resultToCsv as jobToCsv,
	resultToJson,
	type ExportableJob,
	type ExportSettings
} from '#lib/jobs/export.ts';
import { exportSettings } from '#lib/jobs/export-settings.ts';

const table = (rows: Array<Record<string, unknown>>) => ({
	table: {
		columns: [
			{ key: 'id', label: 'ID', type: 'string' },
			{ key: 'mass', label: 'Average mass', type: 'number', unit: 'Da' },
			{ key: 'stable', label: 'Stable', type: 'boolean' }
		],
		rows
	}
});

const noSettings: ExportSettings = { values: {}, described: [] };
const baseJob: ExportableJob = {
	id: '7f0c2a9e-1111-4222-8333-944455556666',
	name: 'Kinase screen, batch 2',
	tool_id: 'protein-properties',
	settings: {},
	result: null,
	created_at: '2026-11-28T10:00:00.123456+00:00',
	finished_at: '2026-11-28T10:00:03+00:00'
};
const COMMENTS = `# Protein properties (Foldwork tool protein-properties); job ${baseJob.id}; finished 2026-11-28T10:00:03+00:00\r\n# Settings: none\r\n`;

/** The CSV export of a job with this result and no settings. */
const resultToCsv = (result: unknown) => jobToCsv({ ...baseJob, result }, noSettings);
/** The CSV without its two comment lines. */
const body = (csv: string) => {
	expect(csv.startsWith(COMMENTS)).toBe(true);
	return csv.slice(COMMENTS.length);
};

/** Reads the CSV back as a spreadsheet-neutral parser would, told to skip '#' comment lines. */
const parse = (csv: string) => Papa.parse<string[]>(csv, { newline: '\r\n', skipEmptyLines: true, comments: '#' }).data;

describe('resultToCsv', () => {
	it('builds the header from the columns, with units, and one line per row in column order', () => {
		const csv = resultToCsv(table([{ stable: true, mass: 1234.5678, id: 'P1' }, { id: 'P2', mass: 99, stable: false }]));
		expect(body(csv)).toBe('ID,Average mass (Da),Stable\r\nP1,1234.5678,true\r\nP2,99,false\r\n');
	});

	it('quotes commas, quotes and new lines so each cell reads back whole', () => {
		const hostile = ['a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', ' padded ', ''];
		const csv = resultToCsv(table(hostile.map((id) => ({ id, mass: 1, stable: true }))));
		expect(parse(csv).slice(1).map((row) => row[0])).toEqual(hostile);
		expect(csv).toContain('"say ""hi"""');
	});

	it('neutralises cells a spreadsheet would run as formulas', () => {
		const formulas = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1', '  =HYPERLINK("http://x")', '＝1+1', '=1\n2'];
		const rows = parse(resultToCsv(table(formulas.map((id) => ({ id, mass: 1, stable: true })))))
			.slice(1)
			.map((row) => row[0]);
		for (const [i, cell] of rows.entries()) {
			expect(cell, JSON.stringify(formulas[i])).toBe(`'${formulas[i]}`);
		}
	});

	it('leaves numbers, negative ones included, as numbers', () => {
		const csv = resultToCsv(table([{ id: '-12.5', mass: -3.25, stable: null }, { id: '+4e-3', mass: 0, stable: null }]));
		expect(parse(csv).slice(1)).toEqual([
			['-12.5', '-3.25', ''],
			['+4e-3', '0', '']
		]);
	});

	it('writes missing and null cells empty, and other values as JSON (neutralised too)', () => {
		const csv = resultToCsv(table([{ id: { nested: '=1' } }, { id: ['=x'] }]));
		expect(parse(csv).slice(1)).toEqual([
			['{"nested":"=1"}', '', ''],
			['["=x"]', '', '']
		]);
	});

	it('neutralises a hostile column label as well', () => {
		const csv = resultToCsv({ table: { columns: [{ key: 'a', label: '=HYPERLINK("x")', type: 'string' }], rows: [] } });
		expect(parse(csv)[0]).toEqual(['\'=HYPERLINK("x")']);
	});

	it('gives only the header for an empty table', () => {
		expect(body(resultToCsv(table([])))).toBe('ID,Average mass (Da),Stable\r\n');
	});

	it('does not repeat a unit the label already ends with (composition reads "A (%)", never "A % (%)")', () => {
		const columns = [
			{ key: 'a', label: 'A', type: 'number', unit: '%' },
			{ key: 'g', label: 'Gaps %', type: 'number', unit: '%' },
			{ key: 't', label: 'TPSA', type: 'number', unit: 'A^2' }
		];
		expect(body(resultToCsv({ table: { columns, rows: [] } }))).toBe('A (%),Gaps %,TPSA (A^2)\r\n');
	});

	it('refuses a job without a table of results, saying so', () => {
		for (const result of [null, undefined, {}, { table: null }, { table: { columns: [], rows: [] } }, { table: { columns: 'x', rows: [] } }]) {
			expect(() => resultToCsv(result), JSON.stringify(result)).toThrow(NothingToExportError);
		}
		expect(() => resultToCsv(null)).toThrow('This job has no table of results to export.');
	});
});

describe('formulas in an export, as a spreadsheet reads them', () => {
	it('quotes each escaped cell and keeps ordinary text and numbers as they were', () => {
		const csv = resultToCsv(table([{ id: '=HYPERLINK("http://x")', mass: -0.49, stable: true }, { id: 'a=b', mass: -8.9, stable: false }]));
		expect(body(csv)).toBe('ID,Average mass (Da),Stable\r\n"\'=HYPERLINK(""http://x"")",-0.49,true\r\na=b,-8.9,false\r\n');
	});
});

const job: ExportableJob = { ...baseJob, settings: { pH: 7.4 }, result: table([{ id: 'P1', mass: 1, stable: true }]) };

describe('the settings a job ran with', () => {
	it('fills in its tool’s defaults and labels each as the form does', () => {
		expect(exportSettings('protein-properties', { pH: 7.4 })).toEqual({ values: { pH: 7.4, hydropathyWindow: 9 }, described: ['pH 7.4', 'Hydropathy window (residues) 9'] });
		expect(exportSettings('protein-properties', {}).values).toEqual({ pH: 7, hydropathyWindow: 9 });
		expect(exportSettings('pairwise-alignment', { mode: 'local' }).described.slice(0, 2)).toEqual(['Alignment Local (Smith-Waterman)', 'Substitution matrix BLOSUM62']);
		expect(exportSettings('sequence-tools', {}).described).toContain('Reverse complement yes');
	});

	it('keeps what was stored for a tool this app does not know, or settings its schema refuses', () => {
		expect(exportSettings('retired-tool', { depth: 3 })).toEqual({ values: { depth: 3 }, described: ['depth 3'] });
		expect(exportSettings('protein-properties', { pH: 99 }).values).toEqual({ pH: 99 });
		expect(exportSettings('retired-tool', null).values).toEqual({});
	});
});

describe('CSV comment lines', () => {
	it('name the tool, the job, when it finished and its settings, before the header', () => {
		const csv = jobToCsv(job, exportSettings(job.tool_id, job.settings));
		const lines = csv.split('\r\n');
		expect(lines.slice(0, 3)).toEqual([
			`# Protein properties (Foldwork tool protein-properties); job ${job.id}; finished 2026-11-28T10:00:03+00:00`,
			'# Settings: pH 7.4; Hydropathy window (residues) 9',
			'ID,Average mass (Da),Stable'
		]);
		// A parser told about comments reads the table as if they were not there.
		expect(parse(csv)).toEqual([['ID', 'Average mass (Da)', 'Stable'], ['P1', '1', 'true']]);
	});

	it('are one cell each, so no part of a setting can reach a spreadsheet as a formula', () => {
		const hostile: ExportSettings = { values: {}, described: ['note =HYPERLINK("http://x"),+1', 'two\nlines\r\n=cmd'] };
		const [settingsLine] = jobToCsv(job, hostile).split('\r\n').slice(1, 2);
		const cells = Papa.parse<string[]>(settingsLine, { delimiter: ',' }).data[0];
		expect(cells).toEqual([`# Settings: note =HYPERLINK('http://x');+1; two lines =cmd`]);
	});

	it('leave the job name out (it is the file name), so nothing a member typed is in them', () => {
		const csv = jobToCsv({ ...job, name: '=HYPERLINK("http://evil"),x' }, noSettings);
		expect(csv).not.toContain('evil');
	});
});

describe('JSON export', () => {
	it('wraps the whole result in an envelope with the job, its tool, the settings it ran with and times', () => {
		const at = new Date('2026-11-29T08:30:00Z');
		expect(JSON.parse(resultToJson(job, exportSettings(job.tool_id, job.settings), at))).toEqual({
			job: { id: job.id, name: job.name, tool: 'protein-properties', settings: { pH: 7.4, hydropathyWindow: 9 }, provenance: null, created_at: job.created_at, finished_at: job.finished_at },
			exported_at: '2026-11-29T08:30:00.000Z',
			results: job.result
		});
	});

	it('carries what computed the job, in the JSON and as a CSV comment line', () => {
		const provenance = {
			tool: { id: 'protein-properties', name: 'Protein properties', version: '1.0.0' },
			programs: { RDKit: '2026.09.1' },
			worker: { version: '0.1.0', commit: '0123456789abcdef0123', runtime: 'Node.js v22.18.0' }
		};
		const ran = { ...job, provenance };
		const settings = exportSettings(ran.tool_id, ran.settings);
		expect(JSON.parse(resultToJson(ran, settings)).job.provenance).toEqual(provenance);
		expect(jobToCsv(ran, settings).split('\r\n')[2]).toBe('# Computed by: Protein properties 1.0.0; RDKit 2026.09.1; Foldwork worker 0.1.0 (commit 0123456789ab); Node.js v22.18.0');
		// Stored provenance this app cannot read is left out, not shown half.
		expect(JSON.parse(resultToJson({ ...job, provenance: { tool: 'x' } }, settings)).job.provenance).toBeNull();
	});

	it('keeps an empty result as null and absent settings as {}', () => {
		const envelope = jobExportEnvelope({ ...job, result: null, settings: null, finished_at: null }, exportSettings('retired-tool', null));
		expect(envelope.results).toBeNull();
		expect(envelope.job.settings).toEqual({});
		expect(envelope.job.finished_at).toBeNull();
	});
});

describe('exportFileName', () => {
	it('makes a safe name from the job name', () => {
		expect(exportFileName('Kinase screen, batch 2', 'csv')).toBe('Kinase-screen-batch-2.csv');
		expect(exportFileName('../../etc/passwd', 'json')).toBe('etc-passwd.json');
		expect(exportFileName('a/b\\c:d*e?f"g<h>i|j', 'csv')).toBe('a-b-c-d-e-f-g-h-i-j.csv');
		expect(exportFileName('Protéine α-hélice 蛋白', 'csv')).toBe('Protéine-α-hélice-蛋白.csv');
		expect(exportFileName('.hidden', 'csv')).toBe('hidden.csv');
	});

	it('falls back to "job" and avoids names Windows reserves', () => {
		expect(exportFileName('', 'csv')).toBe('job.csv');
		expect(exportFileName('!!!', 'json')).toBe('job.json');
		expect(exportFileName('CON', 'csv')).toBe('job-CON.csv');
		expect(exportFileName('nul', 'json')).toBe('job-nul.json');
	});

	it('keeps names short', () => {
		const name = exportFileName('x'.repeat(500), 'csv');
		expect(name).toBe(`${'x'.repeat(100)}.csv`);
	});
});

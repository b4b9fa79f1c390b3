// The part every tool's result has: a declared table (rows of named fields),
// from which the job page draws its table and CSV export builds its columns.
// Each tool's result schema extends toolResultSchema (its index.ts, or
// docking/result.ts); src/lib/tools/result-schemas.ts collects them.
import { z } from 'zod';
import type { CellValue } from './types.ts';

/** A row of scalar cells, checked in one loop (a schema per cell made 400,000 cells take a second). */
function isRow(value: unknown): value is Record<string, CellValue> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	for (const key in value) {
		const cell = (value as Record<string, unknown>)[key];
		if (cell !== null && typeof cell !== 'string' && typeof cell !== 'number' && typeof cell !== 'boolean') return false;
	}
	return true;
}

export const resultTableSchema = z.object({
	columns: z.array(
		z.object({
			key: z.string(),
			label: z.string(),
			type: z.enum(['string', 'number', 'integer', 'boolean']),
			unit: z.string().optional()
		})
	),
	rows: z.array(z.custom<Record<string, CellValue>>(isRow, 'a row holds text, numbers, true/false or null'))
});

export const toolResultSchema = z.object({ table: resultTableSchema });

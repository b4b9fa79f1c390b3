// Pasted or uploaded FASTA -> the { sequences: [...] } input of the
// sequence tools, checked against the tool's byte limit.
import { ToolInputError, type ParseOutcome, type RawInput } from '../types.ts';
import { parseFasta, validateRecords, type FastaOptions, type SequenceRecord } from './fasta.ts';
import { checkInputSize } from './input-size.ts';
import { rawText } from './raw-text.ts';

export function parseSequencesInput(raw: RawInput, options: FastaOptions, maxInputBytes: number): ParseOutcome<{ sequences: SequenceRecord[] }> {
	const { records, issues, notices } = parseFasta(rawText(raw), options);
	if (issues.length) return { ok: false, errors: issues };
	const input = { sequences: records };
	const tooBig = checkInputSize(input, maxInputBytes);
	if (tooBig) return { ok: false, errors: [tooBig] };
	return { ok: true, input, notices };
}

/** The worker's re-check of records that arrive as JSON: bad ones end the job as an input error. */
export function requireValidSequences(records: SequenceRecord[], options: FastaOptions): void {
	const issues = validateRecords(records, options);
	if (issues.length) throw new ToolInputError(issues);
}

// Pasted or uploaded FASTA -> the { sequences: [...] } input of the
// sequence tools, checked against the tool's byte limit.
import type { ParseOutcome, RawInput } from '../types.ts';
import { parseFasta, type FastaOptions, type SequenceRecord } from './fasta.ts';
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

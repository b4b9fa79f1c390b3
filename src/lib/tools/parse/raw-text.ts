// The form gives pasted text and/or uploaded files; parsers see one text.
import type { RawInput } from '../types.ts';

export function rawText(raw: RawInput): string {
	const parts: string[] = [];
	if (raw.text && raw.text.trim() !== '') parts.push(raw.text);
	for (const f of raw.files ?? []) parts.push(f.text);
	return parts.join('\n');
}

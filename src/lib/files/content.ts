// The part of a file's contents a preview shows.

/** Binary content: a NUL byte in the first 8 KiB (what `git` and `file` look at too). */
export function looksBinary(bytes: Uint8Array): boolean {
	const end = Math.min(bytes.length, 8192);
	for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
	return false;
}

export interface TextHead {
	text: string;
	/** Bytes of the original shown (after cutting at a line end). */
	shownBytes: number;
	truncated: boolean;
}

/**
 * At most `maxBytes` of UTF-8 text, cut at the last line end when cut at all
 * (so a table's last row or a FASTA record's last line is never half there),
 * and never inside a multi-byte character.
 */
export function textHead(bytes: Uint8Array, maxBytes: number): TextHead {
	if (bytes.length <= maxBytes) return { text: new TextDecoder().decode(bytes), shownBytes: bytes.length, truncated: false };
	let end = maxBytes;
	const newline = bytes.lastIndexOf(0x0a, maxBytes - 1);
	if (newline > 0) end = newline + 1;
	// Back off continuation bytes (10xxxxxx) so a character is never split.
	else while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
	return { text: new TextDecoder().decode(bytes.subarray(0, end)), shownBytes: end, truncated: true };
}

/**
 * The start of a longer text (a Range read), cut after its last line end,
 * or, with none, before a character split at the end.
 */
export function textStart(bytes: Uint8Array): TextHead {
	const newline = bytes.lastIndexOf(0x0a);
	const end = newline >= 0 ? newline + 1 : bytes.length;
	return { text: new TextDecoder().decode(bytes.subarray(0, end), { stream: true }), shownBytes: end, truncated: true };
}

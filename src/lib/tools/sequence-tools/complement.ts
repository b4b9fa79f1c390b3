// Reverse complement over IUPAC codes, as EMBOSS revseq writes it (U reads
// as T, so RNA comes back as DNA, like revseq).
const COMPLEMENT = new Uint8Array(128);
for (let c = 0; c < 128; c++) COMPLEMENT[c] = c;
const pairs = ['AT', 'CG', 'RY', 'KM', 'BV', 'DH'];
for (const [a, b] of pairs) {
	for (const [x, y] of [[a, b], [b, a]]) {
		COMPLEMENT[x.charCodeAt(0)] = y.charCodeAt(0);
		COMPLEMENT[x.toLowerCase().charCodeAt(0)] = y.toLowerCase().charCodeAt(0);
	}
}
COMPLEMENT['U'.charCodeAt(0)] = 'A'.charCodeAt(0);
COMPLEMENT['u'.charCodeAt(0)] = 'a'.charCodeAt(0);

export function reverseComplement(seq: string): string {
	const n = seq.length;
	const out = new Uint8Array(n);
	for (let i = 0; i < n; i++) out[n - 1 - i] = COMPLEMENT[seq.charCodeAt(i) & 127];
	return new TextDecoder().decode(out);
}

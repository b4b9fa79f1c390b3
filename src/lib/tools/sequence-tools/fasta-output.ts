// FASTA as EMBOSS writes it: '>name description', 60 residues a line.
export function fastaEntry(name: string, description: string | undefined, sequence: string): string {
	const header = description ? `>${name} ${description}` : `>${name}`;
	const lines = [header];
	for (let i = 0; i < sequence.length; i += 60) lines.push(sequence.slice(i, i + 60));
	return lines.join('\n') + '\n';
}

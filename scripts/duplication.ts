// `npm run duplication`: the copy-paste gate of `npm test`. jscpd looks for
// blocks of code repeated across the tree (6 lines and 70 tokens or more, in
// TypeScript and Svelte, tests included, import lists left out), and the count may only shrink:
// scripts/duplication-baseline.json holds the clones and duplicated lines
// allowed. More than that fails, naming each repeated block; fewer passes and
// says to lower the baseline (`npm run duplication -- --update`), so the
// next copy cannot use up the room a clean-up made.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../supabase/local/config.ts';

const BASELINE = path.join(projectRoot, 'scripts/duplication-baseline.json');
const SCANNED = ['src', 'worker', 'scripts', 'supabase/local', 'supabase/functions', 'bench', 'tests'];
// Import lists are not logic: two modules that need the same things are not a copy.
const IMPORTS = 'import [^;]*;';
const IGNORED = ['**/node_modules/**', '**/.svelte-kit/**', 'src/lib/supabase/database.types.ts'];

const baselineSchema = z.object({ clones: z.number().int().min(0), duplicatedLines: z.number().int().min(0) });
type Figures = z.infer<typeof baselineSchema>;

const place = z.object({ name: z.string(), start: z.number(), end: z.number() });
const reportSchema = z.object({
	duplicates: z.array(z.object({ firstFile: place, secondFile: place, lines: z.number().optional() })),
	statistics: z.object({ total: z.object({ clones: z.number(), duplicatedLines: z.number() }) })
});

export function scan(): { figures: Figures; clones: string[] } {
	const out = mkdtempSync(path.join(tmpdir(), 'foldwork-jscpd-'));
	try {
		execFileSync(
			path.join(projectRoot, 'node_modules/.bin/jscpd'),
			['--min-lines', '6', '--min-tokens', '70', '--format', 'typescript,svelte', '--ignore-pattern', IMPORTS, '--reporters', 'json', '--output', out, '--ignore', IGNORED.join(','), ...SCANNED],
			{ cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] }
		);
		const report = reportSchema.parse(JSON.parse(readFileSync(path.join(out, 'jscpd-report.json'), 'utf8')));
		return {
			figures: { clones: report.statistics.total.clones, duplicatedLines: report.statistics.total.duplicatedLines },
			clones: report.duplicates.map((d) => `${d.firstFile.name}:${d.firstFile.start}-${d.firstFile.end} ~ ${d.secondFile.name}:${d.secondFile.start}-${d.secondFile.end}`)
		};
	} finally {
		rmSync(out, { recursive: true, force: true });
	}
}

if (import.meta.main) {
	const { figures, clones } = scan();
	if (process.argv.includes('--update')) {
		writeFileSync(BASELINE, `${JSON.stringify(figures, null, '\t')}\n`);
		console.log(`duplication baseline set to ${figures.clones} repeated blocks, ${figures.duplicatedLines} lines (${path.relative(projectRoot, BASELINE)})`);
	} else {
		const baseline = baselineSchema.parse(JSON.parse(readFileSync(BASELINE, 'utf8')));
		const summary = `${figures.clones} repeated blocks, ${figures.duplicatedLines} lines (baseline: ${baseline.clones} blocks, ${baseline.duplicatedLines} lines)`;
		if (figures.clones > baseline.clones || figures.duplicatedLines > baseline.duplicatedLines) {
			console.error(`Repeated code grew: ${summary}. The repeated blocks:\n${clones.map((c) => `  ${c}`).join('\n')}`);
			console.error('Give the repeated logic one home (a function or module both places use). Raise the baseline (npm run duplication -- --update) only when a reviewer agrees the repetition is right.');
			process.exit(1);
		}
		if (figures.clones < baseline.clones || figures.duplicatedLines < baseline.duplicatedLines) {
			console.log(`Repeated code shrank: ${summary}. Lock it in: npm run duplication -- --update, and commit scripts/duplication-baseline.json.`);
		} else console.log(`Repeated code: ${summary}.`);
	}
}

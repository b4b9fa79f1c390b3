// `npm ci` (what deployments, worker machines and most CI systems run)
// installs exactly package-lock.json and refuses a lock that drifted from
// package.json; this fails first when someone edits one without the other.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';

it('package-lock.json is in sync with package.json (npm ci accepts it)', () => {
	const result = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 });
	expect(result.status, `npm ci --dry-run failed:\n${result.stderr}`).toBe(0);
});

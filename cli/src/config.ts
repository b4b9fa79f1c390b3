// Where the CLI keeps its token: $XDG_CONFIG_HOME/foldwork/config.json
// (~/.config when unset), readable by its owner only. FOLDWORK_TOKEN and
// FOLDWORK_API_URL override what is stored (for CI and scripts).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_API_URL } from './client.ts';

const configSchema = z.object({ token: z.string().optional(), url: z.string().optional() });
export type StoredConfig = z.infer<typeof configSchema>;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
	const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir(), '.config');
	return path.join(base, 'foldwork', 'config.json');
}

export async function readConfig(env: NodeJS.ProcessEnv = process.env): Promise<StoredConfig> {
	const file = configPath(env);
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch {
		return {};
	}
	try {
		return configSchema.parse(JSON.parse(text));
	} catch {
		throw new Error(`${file} is not a Foldwork config; run foldwork login --token <token> again`);
	}
}

/** Writes the config with mode 0600 (its folder 0700), replacing the old one in one step. */
export async function writeConfig(config: StoredConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
	const file = configPath(env);
	await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
	const temporary = `${file}.${process.pid}.tmp`;
	await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
	await chmod(temporary, 0o600);
	await rename(temporary, file);
	return file;
}

/** The token and URL to use: the environment first, then the stored config. */
export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<{ token: string | undefined; url: string }> {
	const stored = await readConfig(env);
	return { token: env.FOLDWORK_TOKEN || stored.token, url: env.FOLDWORK_API_URL || stored.url || DEFAULT_API_URL };
}

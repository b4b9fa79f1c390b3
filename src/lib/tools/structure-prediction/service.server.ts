// The ESMFold-compatible model server, spoken to with the ESM Atlas
// `foldSequence` contract: POST the bare sequence as the request body to
// <url>/foldSequence/v1/pdb/, get PDB text back. The GPU worker is told where
// the server is by its environment (see README.md).
import { z } from 'zod';
import { ToolInputError, TransientToolError } from '../types.ts';

export interface EsmfoldServiceConfig {
	/** Base address; the contract's path is appended to it. */
	url: string;
	/** Longest one prediction may take before it counts as a service fault. */
	requestTimeoutMs: number;
}

const envSchema = z.object({
	ESMFOLD_URL: z.url({ protocol: /^https?$/, error: 'ESMFOLD_URL must be an http(s) address, e.g. http://esmfold.internal:8000' }),
	ESMFOLD_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(600)
});

/** The worker's service settings, from its environment; a clear error when they are missing or wrong. */
export function serviceConfigFromEnv(env: Record<string, string | undefined> = process.env): EsmfoldServiceConfig {
	if (!env.ESMFOLD_URL) {
		throw new Error(
			'ESMFOLD_URL is not set: this worker needs the address of an ESMFold-compatible server to run structure-prediction (see src/lib/tools/structure-prediction/README.md)'
		);
	}
	const parsed = envSchema.safeParse(env);
	if (!parsed.success) {
		throw new Error(`structure-prediction service settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
	}
	return { url: parsed.data.ESMFOLD_URL, requestTimeoutMs: parsed.data.ESMFOLD_TIMEOUT_SECONDS * 1000 };
}

export function foldSequenceUrl(base: string): string {
	return new URL('foldSequence/v1/pdb/', base.endsWith('/') ? base : `${base}/`).toString();
}

const metadataSchema = z.object({ version: z.string().min(1).max(200) });

/**
 * The model server's version, for each job's provenance: servers in the NVIDIA
 * NIM style answer GET <url>/v1/metadata with { version }; the ESM Atlas
 * contract has no such call, so a server that does not answer is "not
 * reported" (never an error: the version is a record, not a requirement).
 */
export async function modelServerVersion(config: EsmfoldServiceConfig): Promise<string> {
	try {
		const url = new URL('v1/metadata', config.url.endsWith('/') ? config.url : `${config.url}/`);
		const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
		const parsed = metadataSchema.safeParse(response.ok ? await response.json() : null);
		return parsed.success ? parsed.data.version : 'not reported';
	} catch {
		return 'not reported';
	}
}

/** Statuses that mean "try again later" although they are 4xx. */
const RETRYABLE_4XX = new Set([408, 425, 429]);
const MAX_REASON_CHARS = 500;

/** The service's own words for a refusal: a JSON `detail`/`message`/`error`, or the body text. */
function reasonFrom(body: string): string {
	let reason = body.trim();
	try {
		const json: unknown = JSON.parse(reason);
		if (json && typeof json === 'object') {
			const value = ['detail', 'message', 'error'].map((k) => (json as Record<string, unknown>)[k]).find((v) => typeof v === 'string');
			if (typeof value === 'string') reason = value;
		}
	} catch {
		// plain text
	}
	return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
}

/**
 * One prediction. Refusals of the sequence (4xx) become a ToolInputError for
 * that record with the service's reason; server faults (5xx, 408/429,
 * unreachable, no answer within the timeout) a TransientToolError. When
 * `signal` aborts, its reason is thrown.
 */
export async function foldSequence(config: EsmfoldServiceConfig, recordId: string, sequence: string, signal: AbortSignal): Promise<string> {
	const timeout = AbortSignal.timeout(config.requestTimeoutMs);
	const both = AbortSignal.any([signal, timeout]);
	const seconds = config.requestTimeoutMs / 1000;
	try {
		const response = await fetch(foldSequenceUrl(config.url), {
			method: 'POST',
			headers: { 'content-type': 'text/plain' },
			body: sequence,
			signal: both
		});
		const body = await response.text();
		if (response.ok) return body;
		const reason = reasonFrom(body) || response.statusText || 'no reason given';
		if (response.status >= 400 && response.status < 500 && !RETRYABLE_4XX.has(response.status)) {
			throw new ToolInputError([{ record: recordId, message: `the structure service refused this sequence (${response.status}): ${reason}` }]);
		}
		throw new TransientToolError(`structure service answered ${response.status} for '${recordId}': ${reason}`);
	} catch (error) {
		if (signal.aborted) throw signal.reason;
		if (timeout.aborted) throw new TransientToolError(`structure service gave no answer for '${recordId}' within ${seconds} s`, { cause: error });
		if (error instanceof ToolInputError || error instanceof TransientToolError) throw error;
		const cause = (error as { cause?: { code?: unknown } }).cause?.code;
		const what = `${(error as Error).message}${typeof cause === 'string' ? ` (${cause})` : ''}`;
		throw new TransientToolError(`structure service at ${config.url} could not be reached: ${what}`, { cause: error });
	}
}

// Errors the functions relay answers itself, shaped like Supabase's: a JSON
// body with a code and message, and the code again in `sb-error-code`.
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';

export type RelayErrorCode = 'NOT_FOUND' | 'BOOT_ERROR' | 'WORKER_ERROR' | 'IDLE_TIMEOUT';

export function sendRelayError(res: ServerResponse, status: number, code: RelayErrorCode, message: string): void {
	sendJson(res, status, { code, message }, { 'sb-error-code': code });
}

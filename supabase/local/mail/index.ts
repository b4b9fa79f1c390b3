// Placeholder: replaced by the SMTP catcher and inbox.
import type { StackConfig } from '../config.ts';

export async function startMail(_config: StackConfig): Promise<{ close(): Promise<void> }> {
	return { async close() {} };
}

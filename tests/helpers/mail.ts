// Mail helpers for vitest files: the stack's inbox, from inject('stack').
import { waitForMailAt, type ReceivedMail, type WaitOptions } from './mail-inbox.ts';
import { stackInfo } from './stack.ts';

export { linksIn, type ReceivedMail } from './mail-inbox.ts';

export function waitForMail(to: string, options: WaitOptions = {}): Promise<ReceivedMail> {
	return waitForMailAt(stackInfo().mailUrl, to, options);
}

export async function listMail(to: string): Promise<Array<{ id: string; subject: string; to: string[] }>> {
	const res = await fetch(`${stackInfo().mailUrl}/api/messages?to=${encodeURIComponent(to)}`);
	return (await res.json()) as Array<{ id: string; subject: string; to: string[] }>;
}

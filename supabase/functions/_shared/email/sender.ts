// The edge functions' sender, configured from Deno.env (see from-env.ts for
// the variables). Deno-only; the worker fleet builds its own with
// createEmailSender from its environment.
import { createEmailSender, type EmailSender } from './from-env.ts';

export { createEmailSender, type EmailSender };

let shared: EmailSender | undefined;

/** The process's sender, made on first use (so a bad configuration fails the request that needs it, with its message). */
export function emailSender(): EmailSender {
	shared ??= createEmailSender(Deno.env);
	return shared;
}

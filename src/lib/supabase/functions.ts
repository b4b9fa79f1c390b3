// Reading an edge function's refusal: supabase-js hands back a
// FunctionsHttpError whose context is the Response; our functions answer
// {error, code, hint?, issues?} (supabase/functions/_shared/http.ts).
import { FunctionsHttpError } from '@supabase/supabase-js';
import { z } from 'zod';

const refusalBody = z
	.object({
		error: z.string().optional(),
		msg: z.string().optional(),
		hint: z.string().optional(),
		code: z.string().optional(),
		issues: z.array(z.object({ path: z.string(), message: z.string() })).optional()
	})
	.loose();
type RefusalBody = z.infer<typeof refusalBody>;

/** A non-2xx answer of an edge function, read from its JSON body ({error, code, issues, ...}). */
export interface FunctionRefusal {
	status: number;
	code: string | null;
	message: string;
	issues: { path: string; message: string }[];
	body: RefusalBody;
}

/** The refusal in a FunctionsHttpError (its `context` is the Response); null for any other error. */
export async function functionRefusal(error: unknown): Promise<FunctionRefusal | null> {
	if (!(error instanceof FunctionsHttpError)) return null;
	const response = error.context as Response;
	let raw: unknown = null;
	try {
		raw = await response.json();
	} catch {
		// Not JSON: only the status is known.
	}
	const parsed = refusalBody.safeParse(raw);
	const body: RefusalBody = parsed.success ? parsed.data : {};
	return {
		status: response.status,
		code: body.code ?? null,
		message: body.error ?? body.msg ?? `The server answered ${response.status}.`,
		issues: body.issues ?? [],
		body
	};
}

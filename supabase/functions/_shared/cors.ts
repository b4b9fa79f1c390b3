// CORS headers every browser-called function sends. On Supabase the
// function, not the gateway, answers CORS (its preflight included).
export const corsHeaders: Record<string, string> = {
	'Access-Control-Allow-Origin': '*',
	'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type, x-region',
	'Access-Control-Allow-Methods': 'GET, POST, OPTIONS'
};

/** The answer to a CORS preflight (OPTIONS), or null for any other request. */
export function preflight(request: Request): Response | null {
	return request.method === 'OPTIONS' ? new Response('ok', { headers: corsHeaders }) : null;
}

export function jsonResponse(body: unknown, status = 200): Response {
	return new Response(JSON.stringify(body), { status, headers: { ...corsHeaders, 'Content-Type': 'application/json' } });
}

-- How the `api` edge function turns a bearer token into a person: one call
-- per request, on the function's own database connection (the service
-- role's or the database owner's; no client role may call it). It finds the
-- token by the SHA-256 of what was sent, refuses it when unknown, revoked,
-- expired, or when its person has left its team, takes one request from the
-- token's rate-limit bucket (refilled continuously; an empty bucket answers
-- how many seconds until the next request is allowed), records when it was
-- last used, and gives the claims the function then acts with (`set local
-- role authenticated` and `request.jwt.claims`, as PostgREST does for a
-- JWT), so RLS and the same RPCs decide everything the token does.
-- Protects: revocation and expiry take effect on the next request; a flood
-- through one token is cut off by the database whatever the number of
-- function instances; a token never outlives its person's membership.

create function private.authenticate_api_token(secret_sha256 text) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  t private.api_tokens;
  available double precision;
  person auth.users;
begin
  select * into t from private.api_tokens k where k.secret_sha256 = authenticate_api_token.secret_sha256 for update;
  if t.id is null then
    return jsonb_build_object('status', 'unknown');
  elsif t.revoked_at is not null then
    return jsonb_build_object('status', 'revoked', 'revoked_at', t.revoked_at);
  elsif t.expires_at <= now() then
    return jsonb_build_object('status', 'expired', 'expires_at', t.expires_at);
  end if;
  if not exists (select from public.team_members m where m.team_id = t.team_id and m.user_id = t.user_id) then
    return jsonb_build_object('status', 'not_member', 'team_id', t.team_id);
  end if;
  available := least(t.rate_burst::double precision,
    t.bucket_tokens + extract(epoch from (clock_timestamp() - t.bucket_at)) * t.rate_per_second);
  if available < 1 then
    update private.api_tokens k set bucket_tokens = available, bucket_at = clock_timestamp() where k.id = t.id;
    return jsonb_build_object('status', 'rate_limited', 'retry_after_s', greatest(1, ceil((1 - available) / t.rate_per_second))::integer,
      'rate_per_second', t.rate_per_second, 'burst', t.rate_burst);
  end if;
  update private.api_tokens k set bucket_tokens = available - 1, bucket_at = clock_timestamp(), last_used_at = clock_timestamp()
  where k.id = t.id;
  select * into person from auth.users u where u.id = t.user_id;
  return jsonb_build_object(
    'status', 'ok', 'token_id', t.id, 'user_id', t.user_id, 'team_id', t.team_id, 'scope', t.scope,
    'claims', jsonb_build_object(
      'sub', t.user_id, 'role', 'authenticated', 'aud', 'authenticated', 'email', person.email,
      'is_anonymous', coalesce(person.is_anonymous, false), 'aal', 'aal1',
      'iat', extract(epoch from now())::bigint, 'exp', extract(epoch from least(t.expires_at, now() + interval '5 minutes'))::bigint,
      'fw_api_token', t.id, 'fw_api_team', t.team_id, 'fw_api_scope', t.scope));
end;
$$;

revoke all on function private.authenticate_api_token(text) from public, anon, authenticated;
grant execute on function private.authenticate_api_token(text) to service_role;

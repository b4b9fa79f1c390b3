-- Personal access tokens for the Foldwork API (supabase/functions/api).
-- A token is `fwp_` + 32 random bytes (base64url), made here and shown once:
-- only its SHA-256 is kept, with a short prefix to recognise it by. Each
-- token belongs to one person and one of their teams, is `read` or `write`,
-- expires, and can be revoked. People manage their own tokens through the
-- RPCs below (the settings page); the table lives in `private`, which REST
-- does not expose, with no grant to anon or authenticated.
-- Protects: a token never exists in the database in a usable form, nobody
-- sees or revokes another person's tokens, a token is only ever for a team
-- its owner belongs to, and a token cannot make more tokens.

create table private.api_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  team_id uuid not null references public.teams (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  scope text not null check (scope in ('read', 'write')),
  secret_sha256 text not null unique check (secret_sha256 ~ '^[0-9a-f]{64}$'),
  -- `fwp_` and the first 6 characters of the secret: enough to tell tokens apart, useless to an attacker.
  display_prefix text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  -- The per-token rate limit: a bucket of `rate_burst` requests refilled at `rate_per_second`.
  rate_per_second double precision not null default 20 check (rate_per_second > 0),
  rate_burst integer not null default 120 check (rate_burst >= 1),
  bucket_tokens double precision not null default 120,
  bucket_at timestamptz not null default now()
);

create index api_tokens_user_id_idx on private.api_tokens (user_id, created_at desc);
create index api_tokens_team_id_idx on private.api_tokens (team_id);

alter table private.api_tokens enable row level security;
revoke all on private.api_tokens from public, anon, authenticated;
grant select, insert, update, delete on private.api_tokens to service_role;

-- A person holds at most this many live (unrevoked, unexpired) tokens.
create function private.max_api_tokens() returns integer
language sql immutable set search_path = ''
as $$ select 50 $$;

-- The caller, refusing a call made with an API token (tokens never manage tokens).
create function private.require_session_caller(action text) returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  uid uuid := private.require_caller(action);
begin
  if coalesce(auth.jwt() ->> 'fw_api_token', '') <> '' then
    raise exception 'an API token cannot % API tokens: sign in to the web app', action using errcode = '42501';
  end if;
  return uid;
end;
$$;

create function private.api_token_row(t private.api_tokens) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object(
    'id', t.id, 'name', t.name, 'team_id', t.team_id,
    'team_name', (select tm.name from public.teams tm where tm.id = t.team_id),
    'scope', t.scope, 'prefix', t.display_prefix, 'created_at', t.created_at, 'expires_at', t.expires_at,
    'revoked_at', t.revoked_at, 'last_used_at', t.last_used_at,
    'state', case when t.revoked_at is not null then 'revoked' when t.expires_at <= now() then 'expired' else 'active' end)
$$;

create function public.create_api_token(name text, team_id uuid, scope text, expires_at timestamptz) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  uid uuid := private.require_session_caller('create');
  clean_name text := btrim(coalesce(create_api_token.name, ''));
  member_role public.team_role;
  secret text;
  created private.api_tokens;
  live integer;
begin
  if clean_name = '' or char_length(clean_name) > 100 then
    raise exception 'give the token a name of 1 to 100 characters (what it is for, e.g. "lab laptop CLI")' using errcode = '22023';
  end if;
  if create_api_token.team_id is null then
    raise exception 'team_id is required: a token works for one of your teams' using errcode = '22023';
  end if;
  select m.role into member_role from public.team_members m where m.team_id = create_api_token.team_id and m.user_id = uid;
  if member_role is null then
    raise exception 'team % not found', create_api_token.team_id using errcode = '42704';
  end if;
  if create_api_token.scope is null or create_api_token.scope not in ('read', 'write') then
    raise exception 'scope must be read or write, not %', coalesce('"' || create_api_token.scope || '"', 'nothing') using errcode = '22023';
  end if;
  if create_api_token.scope = 'write' and member_role = 'viewer' then
    raise exception 'team viewers can only look: make a read token, or ask a team owner or admin for a member role' using errcode = '42501';
  end if;
  if create_api_token.expires_at is null or create_api_token.expires_at <= now() + interval '1 minute' then
    raise exception 'expires_at must be in the future' using errcode = '22023';
  end if;
  if create_api_token.expires_at > now() + interval '366 days' then
    raise exception 'a token lasts at most a year: choose an expiry before %', to_char(now() + interval '366 days', 'YYYY-MM-DD')
      using errcode = '22023';
  end if;
  perform pg_advisory_xact_lock(hashtextextended('foldwork.api-tokens:' || uid::text, 0));
  select count(*) into live from private.api_tokens t where t.user_id = uid and t.revoked_at is null and t.expires_at > now();
  if live >= private.max_api_tokens() then
    raise exception 'you have % active tokens, the most allowed: revoke one you no longer use', live using errcode = 'P0001';
  end if;
  secret := 'fwp_' || rtrim(translate(encode(extensions.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
  insert into private.api_tokens (user_id, team_id, name, scope, secret_sha256, display_prefix, expires_at)
  values (uid, create_api_token.team_id, clean_name, create_api_token.scope, encode(sha256(convert_to(secret, 'UTF8')), 'hex'),
    left(secret, 10), create_api_token.expires_at)
  returning * into created;
  -- The secret is in this answer and nowhere else.
  return private.api_token_row(created) || jsonb_build_object('secret', secret);
end;
$$;

create function public.list_api_tokens() returns setof jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  uid uuid := private.require_session_caller('list');
begin
  return query select private.api_token_row(t) from private.api_tokens t where t.user_id = uid order by t.created_at desc, t.id;
end;
$$;

create function public.revoke_api_token(token_id uuid) returns jsonb
language plpgsql volatile security definer set search_path = ''
as $$
declare
  uid uuid := private.require_session_caller('revoke');
  revoked private.api_tokens;
begin
  update private.api_tokens t set revoked_at = coalesce(t.revoked_at, now())
  where t.id = revoke_api_token.token_id and t.user_id = uid
  returning * into revoked;
  if revoked.id is null then
    raise exception 'token % not found', revoke_api_token.token_id using errcode = '42704';
  end if;
  return private.api_token_row(revoked);
end;
$$;

revoke all on function private.max_api_tokens(), private.require_session_caller(text), private.api_token_row(private.api_tokens) from public;
revoke all on function public.create_api_token(text, uuid, text, timestamptz), public.list_api_tokens(), public.revoke_api_token(uuid) from public, anon;
grant execute on function public.create_api_token(text, uuid, text, timestamptz), public.list_api_tokens(), public.revoke_api_token(uuid)
  to authenticated;

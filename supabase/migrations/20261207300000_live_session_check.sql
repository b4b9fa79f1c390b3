-- Tokens of ended sessions get nothing from the database.
-- Protects: an access token stays valid (signed, unexpired) for up to an hour
-- after its session ends: the user signed out, was deleted, or had this
-- session ended elsewhere (sign-out of other sessions, or a deliberate
-- revocation such as the invitation flow deleting other sessions when access
-- is granted). From now on a token whose `session_id` claim names no live
-- row of auth.sessions is treated as nobody's: the membership helpers that
-- the RLS policies and RPCs call return no teams, roles, shares or email,
-- and private.require_caller refuses every RPC that acts for a user.
-- Tokens without a session_id (the anon and service_role keys, and direct
-- database connections with no claims) work as before.
--
-- The check is one function, private.caller_session_is_live(), cached for
-- the transaction (REST runs each request as one), so a list of 50 jobs
-- looks the session up once, not 50 times.
--
-- Replaces, with the same signatures and bodies plus that check:
-- private.user_team_ids(), private.user_team_ids_with_role(team_role[]),
-- private.team_role(uuid), private.teammate_ids(), private.confirmed_email()
-- (20261128000100_teams.sql), private.shared_job_ids()
-- (20261128000500_sharing.sql) and private.require_caller(text)
-- (20261128000600_job_rpcs.sql).

create function private.caller_session_is_live() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  -- Set by the REST and Realtime services from a verified token (as auth.uid() reads it).
  raw_claims text := current_setting('request.jwt.claims', true);
  claims jsonb;
  session_text text;
  user_text text;
  live boolean;
begin
  if raw_claims is null or raw_claims = '' then
    return true; -- a direct connection: no token at all
  end if;
  -- The answer for these claims, kept for the rest of the transaction (a
  -- text comparison: the helpers call this several times per statement).
  if raw_claims = current_setting('foldwork.session_claims', true) then
    return current_setting('foldwork.session_live', true) = 'live';
  end if;
  claims := raw_claims::jsonb;
  session_text := claims ->> 'session_id';
  user_text := coalesce(claims ->> 'sub', '');
  if session_text is null or session_text = '' or session_text = '00000000-0000-0000-0000-000000000000' then
    -- No session to check: the anon and service_role keys (the nil uuid
    -- means the same to the auth service).
    live := true;
  elsif session_text !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or user_text !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    -- Never raise from here (policies call it): a malformed claim is no live session.
    live := false;
  else
    live := exists (
      select from auth.sessions s
      where s.id = session_text::uuid and s.user_id = user_text::uuid
        and (s.not_after is null or s.not_after > now()));
  end if;
  perform set_config('foldwork.session_claims', raw_claims, true);
  perform set_config('foldwork.session_live', case when live then 'live' else 'ended' end, true);
  return live;
end;
$$;

revoke all on function private.caller_session_is_live() from public;
grant execute on function private.caller_session_is_live() to anon, authenticated, service_role;

-- The membership helpers ----------------------------------------------------------
create or replace function private.user_team_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.caller_session_is_live() then
    return;
  end if;
  return query select m.team_id from public.team_members m where m.user_id = auth.uid();
end;
$$;

create or replace function private.user_team_ids_with_role(roles public.team_role[]) returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.caller_session_is_live() then
    return;
  end if;
  return query select m.team_id from public.team_members m where m.user_id = auth.uid() and m.role = any (roles);
end;
$$;

create or replace function private.team_role(team_id uuid) returns public.team_role
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.caller_session_is_live() then
    return null;
  end if;
  return (select m.role from public.team_members m where m.team_id = team_role.team_id and m.user_id = auth.uid());
end;
$$;

create or replace function private.teammate_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.caller_session_is_live() then
    return;
  end if;
  return query
  select distinct other.user_id
  from public.team_members mine
  join public.team_members other on other.team_id = mine.team_id
  where mine.user_id = auth.uid();
end;
$$;

create or replace function private.confirmed_email() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.caller_session_is_live() then
    return null;
  end if;
  return (select lower(u.email) from auth.users u where u.id = auth.uid() and u.email_confirmed_at is not null);
end;
$$;

create or replace function private.shared_job_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not private.caller_session_is_live() then
    return;
  end if;
  return query select s.job_id from public.job_shares s where s.user_id = auth.uid();
end;
$$;

-- Every RPC that acts for a user starts here.
create or replace function private.require_caller(action text) returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  uid uuid := auth.uid();
begin
  if uid is null then
    raise exception 'sign in to % jobs', action using errcode = '42501';
  end if;
  if not private.caller_session_is_live() then
    -- PT401: the REST service answers 401, as for an expired token.
    raise exception 'this session has ended (signed out, or ended from another device): sign in again'
      using errcode = 'PT401';
  end if;
  return uid;
end;
$$;

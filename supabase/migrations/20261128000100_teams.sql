-- Teams, their members and invites, and one profile per auth user.
-- Protects: who belongs to which team and with what role. Every signed-up
-- user gets a personal team ("My Workspace") they own; membership is read
-- through security-definer helpers in schema `private` (not exposed by the
-- API) so policies never recurse and never raise.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

-- Functions are executable only where granted explicitly: no implicit
-- EXECUTE for PUBLIC (a global default; per-schema defaults can only add),
-- and none of Supabase's public-schema defaults for the API roles.
alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public revoke execute on functions from anon, authenticated;

create type public.team_role as enum ('owner', 'admin', 'member', 'viewer');
create type public.invite_status as enum ('pending', 'accepted', 'revoked');

-- Profiles -------------------------------------------------------------------
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text,
  display_name text not null check (char_length(display_name) between 1 and 120),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Teams ------------------------------------------------------------------------
create table public.teams (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 120),
  personal boolean not null default false,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now()
);
create index teams_created_by_idx on public.teams (created_by);

create table public.team_members (
  team_id uuid not null references public.teams (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.team_role not null default 'member',
  created_at timestamptz not null default now(),
  primary key (team_id, user_id)
);
create index team_members_user_id_idx on public.team_members (user_id, team_id);

create table public.team_invites (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  email text not null check (email = lower(btrim(email)) and email like '%_@_%'),
  role public.team_role not null default 'member' check (role <> 'owner'),
  status public.invite_status not null default 'pending',
  invited_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references public.profiles (id) on delete set null,
  check ((status = 'accepted') = (accepted_at is not null))
);
create unique index team_invites_one_pending_idx on public.team_invites (team_id, email) where status = 'pending';
create index team_invites_team_id_idx on public.team_invites (team_id, created_at desc);
create index team_invites_email_idx on public.team_invites (email);
create index team_invites_invited_by_idx on public.team_invites (invited_by);
create index team_invites_accepted_by_idx on public.team_invites (accepted_by);

-- Membership helpers (security definer: they read team_members past its RLS;
-- they only select, so they never raise). plpgsql rather than sql: a
-- security-definer sql function is never inlined, and PostgreSQL re-plans a
-- non-inlined sql function's query on every call, where plpgsql caches it.
create function private.user_team_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select m.team_id from public.team_members m where m.user_id = auth.uid();
end;
$$;

create function private.user_team_ids_with_role(roles public.team_role[]) returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select m.team_id from public.team_members m where m.user_id = auth.uid() and m.role = any (roles);
end;
$$;

create function private.team_role(team_id uuid) returns public.team_role
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select m.role from public.team_members m where m.team_id = team_role.team_id and m.user_id = auth.uid());
end;
$$;

create function private.teammate_ids() returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
  select distinct other.user_id
  from public.team_members mine
  join public.team_members other on other.team_id = mine.team_id
  where mine.user_id = auth.uid();
end;
$$;

-- The caller's email, only once confirmed (JWT claims are not proof of it).
create function private.confirmed_email() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select lower(u.email) from auth.users u where u.id = auth.uid() and u.email_confirmed_at is not null);
end;
$$;

grant execute on function private.user_team_ids(), private.user_team_ids_with_role(public.team_role[]),
  private.team_role(uuid), private.teammate_ids(), private.confirmed_email() to anon, authenticated, service_role;

-- New users: a profile, and a personal team they own -------------------------
create function private.display_name_of(email text, meta jsonb) returns text
language sql immutable set search_path = ''
as $$
  select left(coalesce(
    nullif(btrim(meta ->> 'display_name'), ''),
    nullif(btrim(meta ->> 'full_name'), ''),
    nullif(btrim(meta ->> 'name'), ''),
    nullif(split_part(email, '@', 1), ''),
    'New user'), 120)
$$;

create function private.on_auth_user_created() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  new_team_id uuid;
begin
  insert into public.profiles (id, email, display_name)
  values (new.id, lower(new.email), private.display_name_of(new.email, new.raw_user_meta_data));

  insert into public.teams (name, personal, created_by)
  values ('My Workspace', true, new.id)
  returning id into new_team_id;

  insert into public.team_members (team_id, user_id, role) values (new_team_id, new.id, 'owner');
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.on_auth_user_created();

create function private.on_auth_user_updated() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.profiles
  set email = lower(new.email),
      display_name = case
        when new.raw_user_meta_data is distinct from old.raw_user_meta_data
          then private.display_name_of(new.email, new.raw_user_meta_data)
        else display_name end,
      updated_at = now()
  where id = new.id;
  return new;
end;
$$;

create trigger on_auth_user_updated
  after update of email, raw_user_meta_data on auth.users
  for each row
  when (old.email is distinct from new.email or old.raw_user_meta_data is distinct from new.raw_user_meta_data)
  execute function private.on_auth_user_updated();

-- A team always keeps an owner -------------------------------------------------
create function private.keep_a_team_owner() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if old.role = 'owner'
     and (tg_op = 'DELETE' or new.role <> 'owner')
     and exists (select from public.teams t where t.id = old.team_id)
     and not exists (select from public.team_members m where m.team_id = old.team_id and m.role = 'owner' and m.user_id <> old.user_id)
     -- the user themselves is being deleted (auth.users cascade): let it go
     and exists (select from auth.users u where u.id = old.user_id) then
    raise exception 'a team needs at least one owner: make someone else owner first'
      using errcode = '23514';
  end if;
  return null;
end;
$$;

create trigger keep_a_team_owner
  after update of role or delete on public.team_members
  for each row execute function private.keep_a_team_owner();

-- Row level security -------------------------------------------------------------
alter table public.profiles enable row level security;
alter table public.teams enable row level security;
alter table public.team_members enable row level security;
alter table public.team_invites enable row level security;

create policy "Users can view their own profile" on public.profiles
  for select to authenticated using (id = (select auth.uid()));
create policy "Team members can view each other's profiles" on public.profiles
  for select to authenticated using (id in (select private.teammate_ids()));
create policy "Users can update their own profile" on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));

create policy "Team members can view their teams" on public.teams
  for select to authenticated using (id in (select private.user_team_ids()));
create policy "Team owners and admins can rename their teams" on public.teams
  for update to authenticated
  using (id in (select private.user_team_ids_with_role('{owner,admin}')))
  with check (id in (select private.user_team_ids_with_role('{owner,admin}')));

create policy "Team members can view their team's members" on public.team_members
  for select to authenticated using (team_id in (select private.user_team_ids()));

create policy "Team owners and admins can view their team's invites" on public.team_invites
  for select to authenticated using (team_id in (select private.user_team_ids_with_role('{owner,admin}')));
create policy "Invitees can view the invites sent to their email" on public.team_invites
  for select to authenticated using (email = (select private.confirmed_email()));

-- Grants: read through RLS; the few client writes are column-scoped; the rest
-- goes through RPCs.
revoke all on public.profiles, public.teams, public.team_members, public.team_invites from anon, authenticated;
grant select on public.profiles, public.teams, public.team_members, public.team_invites to authenticated;
grant update (display_name) on public.profiles to authenticated;
grant update (name) on public.teams to authenticated;
grant all on public.profiles, public.teams, public.team_members, public.team_invites to service_role;

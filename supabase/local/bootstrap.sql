-- Platform bootstrap: what a Supabase project has before its first
-- migration (roles, grants, the auth schema shaped like GoTrue's, the
-- extensions schema, the realtime publication). Idempotent: it runs on every
-- start, so each statement checks before it creates.

-- Roles ---------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_admin') then
    create role supabase_admin login superuser createdb createrole replication bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin nologin noinherit createrole;
  end if;
  if not exists (select from pg_roles where rolname = 'dashboard_user') then
    create role dashboard_user nologin createrole createdb replication;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant supabase_auth_admin to postgres;

-- PostgREST applies these per role; Supabase's defaults.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role postgres set search_path = "$user", public, extensions;
alter role supabase_auth_admin set search_path = auth;

-- Schemas -------------------------------------------------------------------
create schema if not exists extensions;
create schema if not exists auth authorization supabase_auth_admin;
create schema if not exists realtime;
create schema if not exists graphql_public;
create schema if not exists supabase_migrations;

grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant usage on schema public to postgres, anon, authenticated, service_role;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
grant usage on schema auth to postgres, anon, authenticated, service_role, dashboard_user;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all on schema auth to supabase_auth_admin, postgres;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists citext with schema extensions;

-- New objects in public are reachable by the API roles; RLS and explicit
-- revokes in migrations then narrow that down (Supabase's defaults).
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on functions to anon, authenticated, service_role;

-- auth schema (GoTrue's tables, same columns and types) ---------------------
do $$
begin
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'auth' and t.typname = 'aal_level') then
    create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
  end if;
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'auth' and t.typname = 'code_challenge_method') then
    create type auth.code_challenge_method as enum ('s256', 'plain');
  end if;
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'auth' and t.typname = 'one_time_token_type') then
    create type auth.one_time_token_type as enum (
      'confirmation_token', 'reauthentication_token', 'recovery_token',
      'email_change_token_new', 'email_change_token_current', 'phone_change_token');
  end if;
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'auth' and t.typname = 'factor_type') then
    create type auth.factor_type as enum ('totp', 'webauthn', 'phone');
  end if;
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'auth' and t.typname = 'factor_status') then
    create type auth.factor_status as enum ('unverified', 'verified');
  end if;
end
$$;

create table if not exists auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0 check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower((email)::text));
create index if not exists users_instance_id_idx on auth.users (instance_id);

create table if not exists auth.identities (
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text generated always as (lower(identity_data ->> 'email')) stored,
  id uuid not null default gen_random_uuid() primary key,
  constraint identities_provider_id_provider_unique unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);

create table if not exists auth.sessions (
  id uuid not null primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz,
  updated_at timestamptz,
  factor_id uuid,
  aal auth.aal_level,
  not_after timestamptz,
  refreshed_at timestamp,
  user_agent text,
  ip inet,
  tag text
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);

-- How each session was authenticated (the `amr` claim of its access tokens).
create table if not exists auth.mfa_amr_claims (
  session_id uuid not null references auth.sessions (id) on delete cascade,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  authentication_method text not null,
  id uuid not null constraint amr_id_pk primary key,
  constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method)
);

-- MFA factors and their challenges (GoTrue's mfa_factors, mfa_challenges).
create table if not exists auth.mfa_factors (
  id uuid not null primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  friendly_name text,
  factor_type auth.factor_type not null,
  status auth.factor_status not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  secret text,
  phone text,
  last_challenged_at timestamptz unique,
  web_authn_credential jsonb,
  web_authn_aaguid uuid
);
create unique index if not exists mfa_factors_user_friendly_name_unique on auth.mfa_factors (friendly_name, user_id) where trim(friendly_name) <> '';
create index if not exists factor_id_created_at_idx on auth.mfa_factors (user_id, created_at);

create table if not exists auth.mfa_challenges (
  id uuid not null primary key,
  factor_id uuid not null references auth.mfa_factors (id) on delete cascade,
  created_at timestamptz not null,
  verified_at timestamptz,
  ip_address inet not null,
  otp_code text,
  web_authn_session_data jsonb
);
create index if not exists mfa_challenge_created_at_idx on auth.mfa_challenges (created_at desc);

create table if not exists auth.flow_state (
  id uuid not null primary key,
  user_id uuid,
  auth_code text not null,
  code_challenge_method auth.code_challenge_method not null,
  code_challenge text not null,
  provider_type text not null,
  provider_access_token text,
  provider_refresh_token text,
  created_at timestamptz,
  updated_at timestamptz,
  authentication_method text not null,
  auth_code_issued_at timestamptz
);
create index if not exists idx_auth_code on auth.flow_state (auth_code);

create table if not exists auth.one_time_tokens (
  id uuid not null primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  token_type auth.one_time_token_type not null,
  token_hash text not null check (char_length(token_hash) > 0),
  relates_to text not null,
  created_at timestamp without time zone not null default now(),
  updated_at timestamp without time zone not null default now(),
  constraint one_time_tokens_user_id_token_type_key unique (user_id, token_type)
);
create index if not exists one_time_tokens_token_hash_hash_idx on auth.one_time_tokens using hash (token_hash);

create table if not exists auth.audit_log_entries (
  instance_id uuid,
  id uuid not null primary key,
  payload json,
  created_at timestamptz,
  ip_address varchar(64) not null default ''
);

alter table auth.users owner to supabase_auth_admin;
alter table auth.identities owner to supabase_auth_admin;
alter table auth.sessions owner to supabase_auth_admin;
alter table auth.refresh_tokens owner to supabase_auth_admin;
alter table auth.mfa_amr_claims owner to supabase_auth_admin;
alter table auth.mfa_factors owner to supabase_auth_admin;
alter table auth.mfa_challenges owner to supabase_auth_admin;
alter table auth.flow_state owner to supabase_auth_admin;
alter table auth.one_time_tokens owner to supabase_auth_admin;
alter table auth.audit_log_entries owner to supabase_auth_admin;
grant all on all tables in schema auth to postgres, dashboard_user;
grant all on all sequences in schema auth to postgres, dashboard_user;

-- Helpers that policies call: the claims of the request's JWT.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to public;

-- PostgREST reloads its schema cache when DDL runs (Supabase installs the same watch).
create or replace function extensions.pgrst_ddl_watch() returns event_trigger
language plpgsql
as $$
begin
  notify pgrst, 'reload schema';
end;
$$;

do $$
begin
  if not exists (select from pg_event_trigger where evtname = 'pgrst_ddl_watch') then
    create event trigger pgrst_ddl_watch on ddl_command_end execute procedure extensions.pgrst_ddl_watch();
  end if;
  if not exists (select from pg_event_trigger where evtname = 'pgrst_drop_watch') then
    create event trigger pgrst_drop_watch on sql_drop execute procedure extensions.pgrst_ddl_watch();
  end if;
end
$$;

-- Realtime ------------------------------------------------------------------
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- Migration tracking, as the Supabase CLI keeps it --------------------------
create table if not exists supabase_migrations.schema_migrations (
  version text not null primary key,
  statements text[],
  name text
);
create table if not exists supabase_migrations.seed_files (
  path text not null primary key,
  hash text not null
);

-- Realtime: authorization of private channels and the RLS check of changes --
-- realtime.messages as Supabase has it: RLS policies on it decide who may
-- read (select) and write (insert) broadcast and presence messages of a
-- private channel; realtime.topic() is the channel's topic. Partitioned by
-- day on inserted_at, one partition `messages_YYYY_MM_DD` per UTC day,
-- created ahead and dropped after three days by
-- realtime.local_maintain_messages() below (Supabase's Realtime does the
-- same from its janitor). A message whose day has no partition is lost
-- (realtime.send turns the error into a warning), as on Supabase.
do $$
declare
  old_relkind "char";
  p record;
begin
  select c.relkind into old_relkind
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'realtime' and c.relname = 'messages';
  if old_relkind = 'r' then
    -- A database bootstrapped before messages were partitioned: the messages
    -- are a few days of broadcasts and go; the policies that migrations put
    -- on the table are carried over to the partitioned one.
    alter table realtime.messages rename to messages_unpartitioned;
    alter table realtime.messages_unpartitioned rename constraint messages_pkey to messages_unpartitioned_pkey;
    drop index if exists realtime.messages_inserted_at_idx;
  end if;
  create table if not exists realtime.messages (
    topic text not null,
    extension text not null,
    payload jsonb,
    event text,
    private boolean default false,
    updated_at timestamp without time zone not null default now(),
    inserted_at timestamp without time zone not null default now(),
    id uuid not null default gen_random_uuid(),
    constraint messages_pkey primary key (id, inserted_at)
  ) partition by range (inserted_at);
  if old_relkind = 'r' then
    for p in
      select pol.polname, pol.polpermissive, pol.polcmd,
             pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) as qual,
             pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) as with_check,
             (select string_agg(case when r = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(r)) end, ', ')
                from unnest(pol.polroles) as r) as roles
        from pg_catalog.pg_policy pol
       where pol.polrelid = 'realtime.messages_unpartitioned'::regclass
    loop
      execute format('create policy %I on realtime.messages as %s for %s to %s%s%s',
        p.polname,
        case when p.polpermissive then 'permissive' else 'restrictive' end,
        case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
        p.roles,
        case when p.qual is not null then format(' using (%s)', p.qual) else '' end,
        case when p.with_check is not null then format(' with check (%s)', p.with_check) else '' end);
    end loop;
    drop table realtime.messages_unpartitioned;
  end if;
end
$$;
alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;
grant supabase_realtime_admin to postgres;
grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;
grant delete, truncate, references, trigger on realtime.messages to postgres;

create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;
alter function realtime.topic() owner to supabase_realtime_admin;
grant execute on function realtime.topic() to postgres, anon, authenticated, service_role;

-- The daily partitions, as Supabase's Realtime keeps them: one per UTC day
-- from the day before `at` to three days after it, and none older than 72
-- hours before `at` (a partition goes once its whole day is that old). The
-- local Realtime server runs it at start and every hour; `at` lets a test
-- move the clock. Returns the partitions created and dropped.
create or replace function realtime.local_maintain_messages(at timestamptz default now())
returns table (partition text, action text)
language plpgsql
as $$
declare
  today date := (at at time zone 'utc')::date;
  oldest_kept date := ((at - interval '72 hours') at time zone 'utc')::date;
  d date;
  name text;
  existing record;
begin
  for d in select generate_series(today - 1, today + 3, interval '1 day')::date loop
    name := 'messages_' || to_char(d, 'YYYY_MM_DD');
    if not exists (select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'realtime' and c.relname = name) then
      execute format('create table realtime.%I partition of realtime.messages for values from (%L) to (%L)',
        name, d::timestamp, (d + 1)::timestamp);
      partition := name;
      action := 'created';
      return next;
    end if;
  end loop;
  for existing in
    select c.relname::text as relname
      from pg_catalog.pg_inherits i
      join pg_catalog.pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'realtime.messages'::regclass
       and c.relname ~ '^messages_[0-9]{4}_[0-9]{2}_[0-9]{2}$'
  loop
    if to_date(substr(existing.relname, 10), 'YYYY_MM_DD') < oldest_kept then
      execute format('drop table realtime.%I', existing.relname);
      partition := existing.relname;
      action := 'dropped';
      return next;
    end if;
  end loop;
end;
$$;
alter function realtime.local_maintain_messages(timestamptz) owner to supabase_realtime_admin;
revoke all on function realtime.local_maintain_messages(timestamptz) from public;
grant execute on function realtime.local_maintain_messages(timestamptz) to postgres;
select count(*) from realtime.local_maintain_messages();

-- Broadcast from the database, as Supabase has it: realtime.send() inserts a
-- message into realtime.messages; the Realtime server reads the inserts from
-- logical replication (publication supabase_realtime_messages_publication, on
-- the partitioned table: every partition, those created later included,
-- publishes its inserts under its own name, messages_YYYY_MM_DD) and
-- delivers each to the channels joined to its topic with the same privacy
-- (private ones only to subscribers that passed the join-time read check).
-- Left out: send_binary/binary_payload.

-- SECURITY INVOKER as in Supabase: the insert obeys realtime.messages' RLS for
-- the caller (trigger functions that call it are security definer). Any error
-- is downgraded to a warning: a lost message never fails the caller's write.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
grant execute on function realtime.send(jsonb, text, text, boolean) to postgres, anon, authenticated, service_role;

-- For AFTER ... FOR EACH ROW triggers: the row change as
-- {old_record, record, operation, table, schema}, sent to a private topic.
create or replace function realtime.broadcast_changes(topic_name text, event_name text, operation text, table_name text,
  table_schema text, new record, old record, level text default 'ROW')
returns void
language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object('old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema);
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception when others then
  raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text) owner to supabase_realtime_admin;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to postgres, anon, authenticated, service_role;

do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime_messages_publication') then
    create publication supabase_realtime_messages_publication for table realtime.messages with (publish = 'insert');
  elsif not exists (select from pg_catalog.pg_publication_rel r join pg_catalog.pg_publication p on p.oid = r.prpubid
                     where p.pubname = 'supabase_realtime_messages_publication' and r.prrelid = 'realtime.messages'::regclass) then
    -- The table it named was replaced by the partitioned one.
    alter publication supabase_realtime_messages_publication set table realtime.messages;
  end if;
end
$$;

-- Waits (2 s at most) until the transaction writer_xid (32 bits, as logical
-- decoding reports it) is visible to new snapshots; false when it was not.
-- The local Realtime server calls it before re-checking who may read a topic
-- after an access change: the change's commit arrives from logical decoding
-- before the writer leaves the proc array, and a check run in that window
-- would still see the old access (see local_visible_to below).
create or replace function realtime.local_await_writer(writer_xid bigint)
returns boolean
language plpgsql
as $$
declare
  snap pg_catalog.pg_snapshot;
  next_xid bigint;
  distance bigint;
  give_up timestamptz := pg_catalog.clock_timestamp() + interval '2 seconds';
begin
  if writer_xid is null then
    return true;
  end if;
  loop
    snap := pg_catalog.pg_current_snapshot();
    next_xid := pg_catalog.pg_snapshot_xmax(snap)::text::bigint;
    distance := writer_xid - next_xid % 4294967296;
    if distance > 2147483647 then distance := distance - 4294967296;
    elsif distance < -2147483648 then distance := distance + 4294967296;
    end if;
    if pg_catalog.pg_visible_in_snapshot((next_xid + distance)::text::xid8, snap) then
      return true;
    end if;
    if pg_catalog.clock_timestamp() > give_up then
      return false;
    end if;
    perform pg_catalog.pg_sleep(0.001);
  end loop;
end;
$$;

-- The read check of a private channel's join (broadcast and presence), for
-- many claims at once: what the local Realtime server runs again for every
-- channel on a topic after an access change (`access_changed`). As at a
-- join, one broadcast and one presence probe message for the topic are
-- inserted (by the caller, who rolls the transaction back), then selected as
-- each role with its claims and realtime.topic set: visible means readable.
-- One call for a thousand viewers instead of a thousand transactions. A
-- policy that raises only refuses that one.
create or replace function realtime.local_read_checks(topic text, roles text[], claims text[], writer_xid bigint)
returns table (checked integer, broadcast boolean, presence boolean)
language plpgsql
as $$
declare
  n integer := coalesce(array_length(roles, 1), 0);
  i integer;
  broadcast_id uuid;
  presence_id uuid;
  can_broadcast boolean;
  can_presence boolean;
begin
  if n = 0 then
    return;
  end if;
  perform realtime.local_await_writer(writer_xid);
  insert into realtime.messages (topic, extension) values (local_read_checks.topic, 'broadcast') returning id into broadcast_id;
  insert into realtime.messages (topic, extension) values (local_read_checks.topic, 'presence') returning id into presence_id;
  for i in 1..n loop
    begin
      perform set_config('realtime.topic', local_read_checks.topic, true);
      perform set_config('request.jwt.claims', claims[i], true);
      perform set_config('request.headers', '{}', true);
      perform set_config('role', roles[i], true);
      select exists (select from realtime.messages m where m.topic = local_read_checks.topic and m.extension = 'broadcast' and m.id = broadcast_id),
             exists (select from realtime.messages m where m.topic = local_read_checks.topic and m.extension = 'presence' and m.id = presence_id)
        into can_broadcast, can_presence;
      perform set_config('role', 'none', true);
    exception when others then
      -- The failed check's settings were rolled back with it.
      can_broadcast := false;
      can_presence := false;
    end;
    checked := i;
    broadcast := can_broadcast;
    presence := can_presence;
    return next;
  end loop;
end;
$$;

-- Which subscribers may see one row: for each (role, claims) pair, a SELECT of
-- the row by its key as that role with those claims (what Realtime's
-- apply_rls does per subscription). The statement is prepared once per call,
-- so its plan is reused across subscribers. A policy that raises only hides
-- the row from that subscriber: the loop resumes after it. The local Realtime
-- server calls this as `authenticator`.
--
-- writer_xid is the (32-bit) id of the transaction that wrote the row. Logical
-- decoding sends a commit as soon as its WAL is flushed, which is before the
-- writer leaves the proc array: until then the row is invisible to every new
-- snapshot, and the check would silently withhold it from everyone checked in
-- that window. So the check first waits (2 s at most) for the writer to be
-- visible.
drop function if exists realtime.local_visible_to(regclass, text[], text[], text[], text[]);
create or replace function realtime.local_visible_to(entity regclass, key_columns text[], key_values text[], roles text[], claims text[], writer_xid bigint)
returns table (subscriber integer, visible boolean, error text)
language plpgsql
as $$
declare
  query text;
  n integer := coalesce(array_length(roles, 1), 0);
  i integer := 1;
  role_now text := null;
  seen boolean[] := array_fill(false, array[n]);
  errors text[] := array_fill(null::text, array[n]);
  ok boolean;
  snap pg_catalog.pg_snapshot;
  next_xid bigint;
  distance bigint;
  give_up timestamptz := pg_catalog.clock_timestamp() + interval '2 seconds';
begin
  -- No subscribers: nothing to check (the server calls it so to warm a connection).
  if n = 0 then
    return;
  end if;
  if writer_xid is not null then
    loop
      -- Each statement of a volatile function takes a new snapshot (read committed).
      snap := pg_catalog.pg_current_snapshot();
      next_xid := pg_catalog.pg_snapshot_xmax(snap)::text::bigint;
      -- Widen the 32-bit xid to the epoch of the snapshot's xmax (it is recent).
      distance := writer_xid - next_xid % 4294967296;
      if distance > 2147483647 then distance := distance - 4294967296;
      elsif distance < -2147483648 then distance := distance + 4294967296;
      end if;
      exit when pg_catalog.pg_visible_in_snapshot((next_xid + distance)::text::xid8, snap);
      if pg_catalog.clock_timestamp() > give_up then
        return query select g, false, format('transaction %s was still not visible after 2 s', writer_xid)
          from generate_series(1, n) as g;
        return;
      end if;
      perform pg_catalog.pg_sleep(0.001);
    end loop;
  end if;
  if exists (select from pg_catalog.pg_prepared_statements where name = 'local_rls_check') then
    deallocate local_rls_check;
  end if;
  select 'prepare local_rls_check as select exists (select 1 from ' || entity::text || ' where '
         || string_agg(format('%I = %L::%s', a.attname, key_values[k.n], format_type(a.atttypid, a.atttypmod)), ' and ') || ')'
    into query
    from unnest(key_columns) with ordinality as k(name, n)
    join pg_catalog.pg_attribute a on a.attrelid = entity and a.attname = k.name;
  execute query;
  while i <= n loop
    begin
      while i <= n loop
        if role_now is distinct from roles[i] then
          perform set_config('role', roles[i], true);
          role_now := roles[i];
        end if;
        perform set_config('request.jwt.claims', claims[i], true);
        execute 'execute local_rls_check' into ok;
        seen[i] := coalesce(ok, false);
        i := i + 1;
      end loop;
    exception when others then
      -- The failed check's settings were rolled back with it.
      errors[i] := sqlerrm;
      role_now := null;
      i := i + 1;
    end;
  end loop;
  perform set_config('role', 'none', true);
  deallocate local_rls_check;
  return query select g, seen[g], errors[g] from generate_series(1, n) as g;
end;
$$;
grant usage on schema realtime to authenticator;
grant execute on function realtime.local_visible_to(regclass, text[], text[], text[], text[], bigint) to authenticator;

-- Storage ---------------------------------------------------------------------
-- The storage schema as Supabase Storage keeps it, so that policies written
-- for hosted Supabase (on storage.objects, with storage.foldername() and
-- friends) run here unchanged. The local Storage service (supabase/local/
-- storage) reads and writes these rows, as the caller's role for everything
-- RLS decides; the bytes live on disk. Only the columns and functions that
-- policies and the Storage API use; not the S3 multipart, analytics or
-- vector tables, nor the prefixes Supabase keeps for its list v2 (the local
-- service lists with plain queries).
create schema if not exists storage authorization supabase_storage_admin;
grant supabase_storage_admin to postgres;
grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin, postgres;

do $$
begin
  if not exists (select from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = 'storage' and t.typname = 'buckettype') then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end
$$;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  owner_id text,
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  type storage.buckettype not null default 'STANDARD',
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create unique index if not exists bname on storage.buckets (name);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;
-- As in Supabase: every API role holds every privilege, and RLS (no policy
-- means no access) decides. service_role bypasses RLS.
grant all on storage.buckets, storage.objects to postgres with grant option;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

-- The path helpers policies use: 'a/b/c.pdb' -> {a,b}, 'c.pdb', 'pdb'.
create or replace function storage.foldername(name text) returns text[]
language sql immutable
as $$
  select (pg_catalog.string_to_array(name, '/'))[1 : pg_catalog.cardinality(pg_catalog.string_to_array(name, '/')) - 1]
$$;

create or replace function storage.filename(name text) returns text
language sql immutable
as $$
  select (pg_catalog.string_to_array(name, '/'))[pg_catalog.cardinality(pg_catalog.string_to_array(name, '/'))]
$$;

-- The text after the last dot of the file name (the whole name when it has none).
create or replace function storage.extension(name text) returns text
language sql immutable
as $$
  select pg_catalog.reverse(pg_catalog.split_part(pg_catalog.reverse(storage.filename(name)), '.', 1))
$$;

-- What the Storage API is doing in this request ('storage.object.upload', ...),
-- for policies that tell operations apart.
create or replace function storage.operation() returns text
language sql stable
as $$
  select pg_catalog.current_setting('storage.operation', true)
$$;

alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;
alter function storage.operation() owner to supabase_storage_admin;
grant execute on function storage.foldername(text), storage.filename(text), storage.extension(text), storage.operation()
  to postgres, anon, authenticated, service_role;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
alter function storage.update_updated_at_column() owner to supabase_storage_admin;

-- Rows of storage.objects stand for files: a DELETE that is not the Storage
-- API's own (which sets storage.allow_delete_query) would orphan them, so it
-- is refused, as on hosted Supabase. Delete objects through the API.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if coalesce(pg_catalog.current_setting('storage.allow_delete_query', true), 'false') <> 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.', errcode = '42501';
  end if;
  return null;
end;
$$;
alter function storage.protect_delete() owner to supabase_storage_admin;

do $$
begin
  if not exists (select from pg_trigger where tgname = 'update_objects_updated_at' and tgrelid = 'storage.objects'::regclass) then
    create trigger update_objects_updated_at before update on storage.objects
      for each row execute function storage.update_updated_at_column();
  end if;
  if not exists (select from pg_trigger where tgname = 'protect_objects_delete' and tgrelid = 'storage.objects'::regclass) then
    create trigger protect_objects_delete before delete on storage.objects
      for each statement execute function storage.protect_delete();
  end if;
  if not exists (select from pg_trigger where tgname = 'protect_buckets_delete' and tgrelid = 'storage.buckets'::regclass) then
    create trigger protect_buckets_delete before delete on storage.buckets
      for each statement execute function storage.protect_delete();
  end if;
end
$$;

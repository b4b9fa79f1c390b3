-- The audit log: who changed what on a team's access and money.
-- Protects: a record nobody can rewrite. Rows are written only by the
-- triggers of 20261207300300_audit_log_triggers.sql (no role may insert,
-- update or delete through the API: nothing is granted), a trigger refuses
-- UPDATE, DELETE and TRUNCATE for everyone, the table's owner included
-- (rows go only with their team), and only the team's owners and admins
-- read them (RLS).

create table public.audit_log (
  id bigint generated always as identity primary key,
  team_id uuid not null references public.teams (id) on delete cascade,
  at timestamptz not null default clock_timestamp(),
  -- Who: a user (actor_id, with their display name then, kept if they are
  -- deleted later), the service role (an operator, an edge function), or
  -- the system (the auth service, workers, migrations: no caller at all).
  actor_kind text not null check (actor_kind in ('user', 'service', 'system')),
  actor_id uuid,
  actor_name text check (char_length(actor_name) <= 200),
  action text not null check (action in (
    'job.visibility_changed', 'job.shared', 'job.unshared',
    'invite.sent', 'invite.renewed', 'invite.revoked', 'invite.declined',
    'member.added', 'member.role_changed', 'member.removed',
    'credits.granted', 'credits.adjusted')),
  -- What: the job, member or invite it was about (an id and its name or
  -- email then); none for credits.
  target_type text not null check (target_type in ('job', 'member', 'invite', 'credits')),
  target_id uuid,
  target_name text check (char_length(target_name) <= 300),
  before jsonb check (before is null or (jsonb_typeof(before) = 'object' and octet_length(before::text) <= 2000)),
  after jsonb check (after is null or (jsonb_typeof(after) = 'object' and octet_length(after::text) <= 2000)),
  check ((actor_kind = 'user') = (actor_id is not null))
);
-- The team page pages through a team's activity, newest first.
create index audit_log_team_at_idx on public.audit_log (team_id, at desc, id desc);

-- Append-only, for everyone.
create function private.guard_audit_log() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'TRUNCATE' then
    raise exception 'the audit log is append-only: it cannot be truncated' using errcode = '23514';
  end if;
  -- A deleted team takes its rows along (on delete cascade).
  if tg_op = 'DELETE' and not exists (select from public.teams t where t.id = old.team_id) then
    return old;
  end if;
  raise exception 'the audit log is append-only: its rows cannot be %', case tg_op when 'DELETE' then 'deleted' else 'changed' end
    using errcode = '23514';
end;
$$;

create trigger guard_audit_log
  before update or delete on public.audit_log
  for each row execute function private.guard_audit_log();
create trigger guard_audit_log_truncate
  before truncate on public.audit_log
  for each statement execute function private.guard_audit_log();

alter table public.audit_log enable row level security;

create policy "Team owners and admins can view their team's activity" on public.audit_log
  for select to authenticated using (team_id in (select private.user_team_ids_with_role('{owner,admin}')));

revoke all on public.audit_log from public, anon, authenticated, service_role;
grant select on public.audit_log to authenticated, service_role;

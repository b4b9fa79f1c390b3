-- What goes into the audit log (20261207300200_audit_log.sql), one row per
-- change, written by triggers on the tables themselves, so every path (the
-- RPCs, edge functions, the service role, the auth service's triggers)
-- is recorded the same way, in the same transaction as the change:
--   jobs          visibility changes                     job.visibility_changed
--   job_shares    a job shared with / unshared from an email   job.shared, job.unshared
--   team_invites  invites sent, renewed (sent again, or a new role),
--                 revoked and declined                   invite.*
--   team_members  members added (not a team's first, its creator), role
--                 changes, removals (and leaving)        member.*
--   credit_ledger grants and adjustments (charges and refunds are the jobs' own history)
--                                                        credits.granted, credits.adjusted
-- An accepted invite is recorded as the member it adds (member.added).
-- Rows that go because their job or team was deleted are not "unshared" or
-- "removed": nobody changed access to something that still exists.
-- Protects: the actor is the caller the database sees (auth.uid(); else
-- 'service' for the service role, 'system' with no caller), never a value
-- a client sends.

create function private.write_audit(p_team_id uuid, p_action text, p_target_type text, p_target_id uuid,
  p_target_name text, p_before jsonb, p_after jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
begin
  insert into public.audit_log (team_id, actor_kind, actor_id, actor_name, action, target_type, target_id, target_name, before, after)
  values (
    p_team_id,
    case when uid is not null then 'user' when auth.role() = 'service_role' then 'service' else 'system' end,
    uid,
    (select left(p.display_name, 200) from public.profiles p where p.id = uid),
    p_action, p_target_type, p_target_id, left(p_target_name, 300), p_before, p_after);
end;
$$;

-- Jobs: visibility -----------------------------------------------------------------
create function private.audit_job_visibility() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.write_audit(new.team_id, 'job.visibility_changed', 'job', new.id, new.name,
    jsonb_build_object('visibility', old.visibility), jsonb_build_object('visibility', new.visibility));
  return null;
end;
$$;

create trigger audit_job_visibility
  after update of visibility on public.jobs
  for each row when (old.visibility is distinct from new.visibility)
  execute function private.audit_job_visibility();

-- Job shares ---------------------------------------------------------------------------
create function private.audit_job_share() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  job record;
begin
  select j.id, j.team_id, j.name into job from public.jobs j
  where j.id = case when tg_op = 'INSERT' then new.job_id else old.job_id end;
  if not found then
    return null; -- the job itself was deleted
  end if;
  if tg_op = 'INSERT' then
    perform private.write_audit(job.team_id, 'job.shared', 'job', job.id, job.name, null, jsonb_build_object('email', new.email));
  else
    perform private.write_audit(job.team_id, 'job.unshared', 'job', job.id, job.name, jsonb_build_object('email', old.email), null);
  end if;
  return null;
end;
$$;

create trigger audit_job_share
  after insert or delete on public.job_shares
  for each row execute function private.audit_job_share();

-- Team invites ------------------------------------------------------------------------------
create function private.audit_team_invite() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.write_audit(new.team_id, 'invite.sent', 'invite', new.id, new.email, null,
      jsonb_build_object('role', new.role, 'expires_at', new.expires_at));
  elsif new.status is distinct from old.status then
    if new.status::text in ('revoked', 'declined') then
      perform private.write_audit(new.team_id, 'invite.' || new.status::text, 'invite', new.id, new.email,
        jsonb_build_object('status', old.status, 'role', old.role), jsonb_build_object('status', new.status));
    end if;
    -- accepted: recorded as the member it adds.
  elsif new.status = 'pending' and (new.role, new.expires_at) is distinct from (old.role, old.expires_at) then
    perform private.write_audit(new.team_id, 'invite.renewed', 'invite', new.id, new.email,
      jsonb_build_object('role', old.role, 'expires_at', old.expires_at),
      jsonb_build_object('role', new.role, 'expires_at', new.expires_at));
  end if;
  return null;
end;
$$;

create trigger audit_team_invite_insert
  after insert on public.team_invites
  for each row execute function private.audit_team_invite();
create trigger audit_team_invite_update
  after update of status, role, expires_at on public.team_invites
  for each row when ((old.status, old.role, old.expires_at) is distinct from (new.status, new.role, new.expires_at))
  execute function private.audit_team_invite();

-- Team members -----------------------------------------------------------------------------
create function private.audit_team_member() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  member_name text;
begin
  if tg_op = 'DELETE' then
    if not exists (select from public.teams t where t.id = old.team_id) then
      return null; -- the team itself was deleted
    end if;
    -- Gone with their account: no profile left to name them by.
    select p.display_name into member_name from public.profiles p where p.id = old.user_id;
    perform private.write_audit(old.team_id, 'member.removed', 'member', old.user_id, member_name,
      jsonb_build_object('role', old.role), null);
    return null;
  end if;
  select p.display_name into member_name from public.profiles p where p.id = new.user_id;
  if tg_op = 'INSERT' then
    -- A team's first member is the person who created it.
    if not exists (select from public.team_members m where m.team_id = new.team_id and m.user_id <> new.user_id) then
      return null;
    end if;
    perform private.write_audit(new.team_id, 'member.added', 'member', new.user_id, member_name, null,
      jsonb_build_object('role', new.role));
  else
    perform private.write_audit(new.team_id, 'member.role_changed', 'member', new.user_id, member_name,
      jsonb_build_object('role', old.role), jsonb_build_object('role', new.role));
  end if;
  return null;
end;
$$;

create trigger audit_team_member_change
  after insert or delete on public.team_members
  for each row execute function private.audit_team_member();
create trigger audit_team_member_role
  after update of role on public.team_members
  for each row when (old.role is distinct from new.role)
  execute function private.audit_team_member();

-- Credits: grants and adjustments -------------------------------------------------------------
-- Runs after apply_credit_ledger_row (triggers fire in name order), so the
-- account already holds the new balance.
create function private.audit_credit_change() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  current_balance integer;
begin
  select a.balance into current_balance from public.credit_accounts a where a.team_id = new.team_id;
  perform private.write_audit(new.team_id, case new.reason when 'grant' then 'credits.granted' else 'credits.adjusted' end,
    'credits', null, null,
    jsonb_build_object('balance', current_balance - new.delta),
    jsonb_build_object('balance', current_balance, 'delta', new.delta, 'memo', left(new.memo, 200)));
  return null;
end;
$$;

create trigger audit_credit_change
  after insert on public.credit_ledger
  for each row when (new.reason in ('grant', 'adjustment'))
  execute function private.audit_credit_change();

revoke all on function private.write_audit(uuid, text, text, uuid, text, jsonb, jsonb), private.audit_job_visibility(),
  private.audit_job_share(), private.audit_team_invite(), private.audit_team_member(), private.audit_credit_change()
  from public, anon, authenticated, service_role;

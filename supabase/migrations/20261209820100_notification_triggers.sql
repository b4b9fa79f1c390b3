-- What writes notifications (20261209820000): triggers on the rows whose
-- change is the event, so every path (worker, RPC, function, operator SQL)
-- notifies alike.
--   job_completed / job_failed / job_timeout  to the job's submitter, when the job ends so
--   job_shared                                to the person a job is shared with, once the share names their account
--   team_invite                               to the account whose confirmed address a team invited
--   credits_low                               to a team's owners and admins, once each time the balance
--                                             crosses the team's threshold downward (default 20 credits)
-- Protects: a notification names only what its recipient may see already
-- (their own job, the job or team they were invited to, their team's
-- balance); an invite to an address tells the inviter nothing more than before.

create function private.notify_job_ended() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  what text := case new.status when 'completed' then 'completed' when 'failed' then 'failed' else 'timed out' end;
begin
  perform private.notify_person(
    new.submitted_by,
    case new.status when 'completed' then 'job_completed' when 'failed' then 'job_failed' else 'job_timeout' end,
    format('Job "%s" %s', left(new.name, 200), what),
    case when new.status = 'failed' then new.error_message end,
    format('/app/tools/%s?jobId=%s', new.tool_id, new.id),
    new.team_id);
  return null;
end;
$$;

create trigger notify_job_ended
  after update of status on public.jobs
  for each row
  when (old.status is distinct from new.status and new.status in ('completed', 'failed', 'timeout') and new.submitted_by is not null)
  execute function private.notify_job_ended();

create function private.notify_job_shared() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  j public.jobs;
begin
  select * into j from public.jobs where id = new.job_id;
  perform private.notify_person(
    new.user_id, 'job_shared',
    format('A job was shared with you: "%s"', left(j.name, 200)),
    null,
    format('/app/tools/%s?jobId=%s', j.tool_id, j.id),
    null);
  return null;
end;
$$;

create trigger notify_job_shared_added
  after insert on public.job_shares
  for each row when (new.user_id is not null)
  execute function private.notify_job_shared();

create trigger notify_job_shared_attached
  after update of user_id on public.job_shares
  for each row when (old.user_id is null and new.user_id is not null)
  execute function private.notify_job_shared();

create function private.notify_team_invite() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  invitee uuid;
  team_name text;
begin
  select u.id into invitee from auth.users u
  where lower(u.email) = new.email and u.email_confirmed_at is not null
  limit 1;
  if invitee is null then
    return null;
  end if;
  select t.name into team_name from public.teams t where t.id = new.team_id;
  perform private.notify_person(
    invitee, 'team_invite',
    format('You were invited to join the team "%s" as %s', left(team_name, 120), new.role),
    null,
    format('/app/team/invites/%s', new.id),
    null);
  return null;
end;
$$;

create trigger notify_team_invite
  after insert on public.team_invites
  for each row when (new.status = 'pending')
  execute function private.notify_team_invite();

-- A team's low-balance threshold; no row: the default (20).
create table private.credit_alert_thresholds (
  team_id uuid primary key references public.teams (id) on delete cascade,
  threshold integer not null check (threshold between 0 and 1000000)
);
alter table private.credit_alert_thresholds enable row level security;
revoke all on private.credit_alert_thresholds from public, anon, authenticated;
grant select, insert, update, delete on private.credit_alert_thresholds to service_role;

create function private.credit_alert_threshold(team_id uuid) returns integer
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((select c.threshold from private.credit_alert_thresholds c where c.team_id = credit_alert_threshold.team_id), 20);
end;
$$;
revoke all on function private.credit_alert_threshold(uuid) from public;

-- The team's threshold, for its members.
create function public.low_credit_threshold(team_id uuid) returns integer
language plpgsql stable security definer set search_path = ''
as $$
begin
  if low_credit_threshold.team_id is null or low_credit_threshold.team_id not in (select private.user_team_ids()) then
    raise exception 'team % not found', low_credit_threshold.team_id using errcode = '42704';
  end if;
  return private.credit_alert_threshold(low_credit_threshold.team_id);
end;
$$;

-- Owners and admins set when their team's low balance is announced (0: never).
create function public.set_low_credit_threshold(team_id uuid, threshold integer) returns integer
language plpgsql security definer set search_path = ''
as $$
begin
  if set_low_credit_threshold.team_id is null or set_low_credit_threshold.team_id not in (select private.user_team_ids()) then
    raise exception 'team % not found', set_low_credit_threshold.team_id using errcode = '42704';
  end if;
  if private.team_role(set_low_credit_threshold.team_id) not in ('owner', 'admin') then
    raise exception 'only the team''s owners and admins can change its low-credit alert' using errcode = '42501';
  end if;
  if threshold is null or threshold < 0 or threshold > 1000000 then
    raise exception 'the low-credit alert is a whole number of credits from 0 to 1000000, not %', coalesce(threshold::text, 'empty')
      using errcode = '22023';
  end if;
  insert into private.credit_alert_thresholds (team_id, threshold) values (set_low_credit_threshold.team_id, threshold)
  on conflict on constraint credit_alert_thresholds_pkey do update set threshold = excluded.threshold;
  return threshold;
end;
$$;
revoke all on function public.low_credit_threshold(uuid), public.set_low_credit_threshold(uuid, integer) from public, anon;
grant execute on function public.low_credit_threshold(uuid), public.set_low_credit_threshold(uuid, integer) to authenticated, service_role;

create function private.notify_credits_low() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  threshold integer := private.credit_alert_threshold(new.team_id);
  team_name text;
  person uuid;
begin
  if not (old.balance >= threshold and new.balance < threshold) then
    return null;
  end if;
  select t.name into team_name from public.teams t where t.id = new.team_id;
  for person in
    select m.user_id from public.team_members m where m.team_id = new.team_id and m.role in ('owner', 'admin')
  loop
    perform private.notify_person(
      person, 'credits_low',
      format('"%s" has %s credit%s left', left(team_name, 120), new.balance, case when new.balance = 1 then '' else 's' end),
      format('The balance fell below the team''s alert at %s credits.', threshold),
      '/app/credits',
      new.team_id);
  end loop;
  return null;
end;
$$;

create trigger notify_credits_low
  after update of balance on public.credit_accounts
  for each row when (new.balance < old.balance)
  execute function private.notify_credits_low();

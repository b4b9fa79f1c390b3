-- Link-only jobs: outside the owning team a job can be opened by its id (the
-- unguessable uuid in its link) and is never listed (DESIGN.md section 3).
-- Protects: "logged-in" and "public" jobs of other teams can no longer be
-- enumerated: the jobs select policy admits team members and invitees only,
-- so REST selects on jobs, list_team_jobs (security invoker), the job_events
-- and job_files policies (which follow jobs) and postgres_changes on these
-- tables (checked against the subscriber's RLS) return no other team's job
-- unless it was shared with the caller by email. People with the link open a
-- job through public.get_job (20261207200100), which decides with
-- private.job_access below.

drop policy "Signed-in users can view jobs shared with everyone signed in" on public.jobs;
drop policy "Anyone with the link can view public jobs" on public.jobs;

-- The one rule for who may open a job by its id, used by the job RPCs and the
-- Realtime policies of its topic: 'team' for members of the job's team (any
-- role), 'link' for others the job is shared with (visibility public: anyone;
-- authenticated: anyone signed in; invited: the people it was shared with by
-- email), null for everyone else and for ids that do not exist, alike.
-- Membership and shares are read through the helpers of the teams and
-- sharing migrations, so their checks apply here too. Never raises.
create function private.job_access(p_job_id uuid) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  job_team uuid;
  job_visibility public.job_visibility;
begin
  if p_job_id is null then
    return null;
  end if;
  select j.team_id, j.visibility into job_team, job_visibility from public.jobs j where j.id = p_job_id;
  if not found then
    return null;
  end if;
  if job_team in (select private.user_team_ids()) then
    return 'team';
  end if;
  if job_visibility = 'public'
     or (job_visibility = 'authenticated' and auth.uid() is not null)
     or (job_visibility = 'invited' and p_job_id in (select private.shared_job_ids())) then
    return 'link';
  end if;
  return null;
end;
$$;

revoke all on function private.job_access(uuid) from public;
grant execute on function private.job_access(uuid) to anon, authenticated, service_role;

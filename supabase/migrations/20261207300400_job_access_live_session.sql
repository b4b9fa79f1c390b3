-- Opening a "logged-in users" job by its link needs a live session.
-- Protects: private.job_access (20261207200000_link_only_jobs.sql) let any
-- token with a user in it open such a job, so a token whose session had
-- ended (signed out, user deleted) still did until it expired. Team and
-- invitee access already go through the membership helpers, which check the
-- session (20261207300000_live_session_check.sql); this is the one branch
-- that did not. Same signature and body otherwise.
create or replace function private.job_access(p_job_id uuid) returns text
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
     or (job_visibility = 'authenticated' and auth.uid() is not null and private.caller_session_is_live())
     or (job_visibility = 'invited' and p_job_id in (select private.shared_job_ids())) then
    return 'link';
  end if;
  return null;
end;
$$;

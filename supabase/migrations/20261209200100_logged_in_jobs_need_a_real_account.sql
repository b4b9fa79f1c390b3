-- A "logged-in users" job opens by its link only for a signed-in account
-- that is not anonymous.
-- Protects: job_visibility 'authenticated' means "anyone with an account and
-- the link". An anonymous session (signInAnonymously, when a project turns
-- it on) is an authenticated role with a user id but no account anyone
-- vouched for: anyone can mint one with a single request, which would make
-- such jobs public. The `is_anonymous` claim of the verified JWT says which
-- (as Supabase's docs advise for RLS); a token without it (the service
-- role, tokens a backend mints) is not anonymous.
-- Same signature and body as 20261207300400_job_access_live_session.sql
-- otherwise.
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
     or (job_visibility = 'authenticated' and auth.uid() is not null and private.caller_session_is_live()
         and coalesce(auth.jwt() -> 'is_anonymous' = 'true'::jsonb, false) = false)
     or (job_visibility = 'invited' and p_job_id in (select private.shared_job_ids())) then
    return 'link';
  end if;
  return null;
end;
$$;

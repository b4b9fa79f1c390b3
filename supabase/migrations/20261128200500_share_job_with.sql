-- Sharing a job with several people in one call, for the share-job edge
-- function: the visibility and every address in one transaction, through
-- public.set_job_visibility and public.share_job (so the same permission and
-- address checks apply), all or nothing.
-- Protects: emails go only to visibility "invited"; a batch has at most 50
-- addresses; sharing again changes nothing (one share per job and address).

create function public.share_job_with(job_id uuid, visibility text, emails text[] default '{}') returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := public.set_job_visibility(share_job_with.job_id, share_job_with.visibility);
  address text;
  shared public.job_shares;
  shares jsonb := '[]';
begin
  if coalesce(cardinality(share_job_with.emails), 0) > 0 then
    if job.visibility <> 'invited' then
      raise exception 'people are invited by email only with visibility "invited", not "%": leave out the emails or choose "invited"', job.visibility
        using errcode = '22023';
    end if;
    if cardinality(share_job_with.emails) > 50 then
      raise exception 'at most 50 addresses per call, not %: share with the rest in another call', cardinality(share_job_with.emails)
        using errcode = '22023';
    end if;
    foreach address in array share_job_with.emails loop
      shared := public.share_job(job.id, address);
      shares := shares || jsonb_build_array(jsonb_build_object(
        'id', shared.id, 'email', shared.email, 'user_id', shared.user_id, 'accepted_at', shared.accepted_at));
    end loop;
  end if;
  return jsonb_build_object(
    'job', jsonb_build_object('id', job.id, 'team_id', job.team_id, 'tool_id', job.tool_id, 'name', job.name, 'visibility', job.visibility),
    'sender', (select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'email', p.email) from public.profiles p where p.id = uid),
    'shares', shares);
end;
$$;

revoke all on function public.share_job_with(uuid, text, text[]) from public, anon;
grant execute on function public.share_job_with(uuid, text, text[]) to authenticated, service_role;

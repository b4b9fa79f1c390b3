-- "Shared with me": the jobs other teams shared with the caller by email
-- (visibility "invited"), newest share first, with the total on every row.
-- Protects: the only list of other teams' jobs a user gets is this one, of
-- the jobs shared with them (DESIGN.md section 3: invited users list them;
-- every other job outside one's teams is link-only). Nothing about the
-- sharing team's people is returned.

create function public.list_shared_jobs(page_size integer default 50, page_offset integer default 0)
returns table (
  id uuid,
  name text,
  tool_id text,
  tool_name text,
  status public.job_status,
  progress smallint,
  created_at timestamptz,
  finished_at timestamptz,
  shared_at timestamptz,
  total_count bigint
)
language plpgsql stable security definer set search_path = ''
as $$
declare
  uid uuid := auth.uid();
begin
  if uid is null then
    raise exception 'sign in to see the jobs shared with you' using errcode = '42501';
  end if;
  if list_shared_jobs.page_size is null or list_shared_jobs.page_size < 1 or list_shared_jobs.page_size > 200 then
    raise exception 'page_size must be from 1 to 200, not %', coalesce(list_shared_jobs.page_size::text, 'nothing') using errcode = '22023';
  end if;
  if list_shared_jobs.page_offset is null or list_shared_jobs.page_offset < 0 then
    raise exception 'page_offset must be 0 or more, not %', coalesce(list_shared_jobs.page_offset::text, 'nothing') using errcode = '22023';
  end if;
  return query
    with shared as (
      select j.id, j.name, j.tool_id, j.status, j.progress, j.created_at, j.finished_at, s.created_at as shared_at
      from public.job_shares s
      join public.jobs j on j.id = s.job_id
      where s.user_id = uid
        and j.visibility = 'invited'
        and j.id in (select private.shared_job_ids())
        and j.team_id not in (select private.user_team_ids())
    )
    select x.id, x.name, x.tool_id, t.name, x.status, x.progress, x.created_at, x.finished_at, x.shared_at,
      count(*) over ()
    from shared x
    join public.tools t on t.id = x.tool_id
    order by x.shared_at desc, x.id desc
    offset list_shared_jobs.page_offset
    limit list_shared_jobs.page_size;
end;
$$;

revoke all on function public.list_shared_jobs(integer, integer) from public, anon;
grant execute on function public.list_shared_jobs(integer, integer) to authenticated, service_role;

-- The global jobs page at scale: list_team_jobs gains a sort (any column the
-- page shows, either direction) and no longer materialises every matching
-- job to count them and pick a page, so a team with 100,000 jobs lists in
-- milliseconds. Arguments, defaults, result rows, errors and permissions
-- are as before (20261128000700_jobs_list.sql); callers that name their
-- arguments see no change.
-- Protects: nothing new. It still runs as the caller (security invoker), so
-- the jobs, tools and profiles policies decide which rows it returns. Only
-- the total of a member's own team is counted without the per-row policy
-- check (a member sees every job of the team, so the number is the same).

drop function public.list_team_jobs(uuid, text, public.job_status[], uuid, text, integer, integer, timestamptz, uuid);

-- One index serves the default order (newest first, in both directions) and
-- counts the matches without reading the table: it carries every column the
-- filters and the jobs policies look at (team, visibility, id, status, tool,
-- submitter). It replaces jobs_team_created_idx, which had the same keys.
create index jobs_team_list_idx on public.jobs (team_id, created_at desc, id desc)
  include (visibility, status, tool_id, submitted_by);
drop index public.jobs_team_created_idx;
-- A status filter (e.g. "failed") pages in order without skipping rows.
create index jobs_team_status_created_idx on public.jobs (team_id, status, created_at desc, id desc);
-- Sorting by name, A to Z or back.
create index jobs_team_name_idx on public.jobs (team_id, lower(name), created_at desc, id desc);
-- (Searching names scans the team's jobs: a trigram index would not help, as
-- RLS evaluates the policies before a non-leakproof condition like ilike.)

-- The filter part of the list's queries. Only the filters given become
-- conditions, so each query is planned for what it asks. Placeholders: $1
-- team, $2 tool, $3 statuses, $4 submitter, $5 name pattern, $6 and $7 the
-- id range of an id prefix.
create function private.job_list_conditions(has_tool boolean, has_statuses boolean, has_submitter boolean,
  has_pattern boolean, has_id_range boolean) returns text
language plpgsql immutable set search_path = ''
as $$
declare
  conditions text := 'j.team_id = $1';
begin
  if has_tool then
    conditions := conditions || ' and j.tool_id = $2';
  end if;
  if has_statuses then
    conditions := conditions || ' and j.status = any ($3)';
  end if;
  if has_submitter then
    conditions := conditions || ' and j.submitted_by = $4';
  end if;
  if has_pattern and has_id_range then
    conditions := conditions || ' and (j.name ilike $5 or j.id between $6 and $7)';
  elsif has_pattern then
    conditions := conditions || ' and j.name ilike $5';
  end if;
  return conditions;
end;
$$;

-- How many of a team's jobs match, for a member of that team: members see
-- every job of their team, so this count skips the per-row policy check
-- (at 100,000 jobs, the list's largest cost). For anyone else it returns
-- null, and the list counts through the policies.
create function private.count_team_jobs_for_member(p_team_id uuid, p_tool_id text, p_statuses public.job_status[],
  p_submitted_by uuid, p_pattern text, p_id_low uuid, p_id_high uuid) returns bigint
language plpgsql stable security definer set search_path = ''
as $$
declare
  total bigint;
begin
  if p_team_id is null or not exists (select from private.user_team_ids() t where t = p_team_id) then
    return null;
  end if;
  execute 'select count(*) from public.jobs j where '
    || private.job_list_conditions(p_tool_id is not null, p_statuses is not null, p_submitted_by is not null,
         p_pattern is not null, p_id_low is not null)
    into total
    using p_team_id, p_tool_id, p_statuses, p_submitted_by, p_pattern, p_id_low, p_id_high;
  return total;
end;
$$;

revoke all on function private.job_list_conditions(boolean, boolean, boolean, boolean, boolean),
  private.count_team_jobs_for_member(uuid, text, public.job_status[], uuid, text, uuid, uuid) from public, anon;
grant execute on function private.job_list_conditions(boolean, boolean, boolean, boolean, boolean),
  private.count_team_jobs_for_member(uuid, text, public.job_status[], uuid, text, uuid, uuid) to authenticated, service_role;

create function public.list_team_jobs(
  team_id uuid,
  tool_id text default null,
  statuses public.job_status[] default null,
  submitted_by uuid default null,
  search text default null,
  page_size integer default 50,
  page_offset integer default 0,
  before_created_at timestamptz default null,
  before_id uuid default null,
  sort_by text default 'created_at',
  sort_dir text default 'desc'
)
returns setof public.job_list_row
language plpgsql stable security invoker set search_path = ''
as $$
declare
  term text := nullif(btrim(list_team_jobs.search), '');
  pattern text;
  hex text;
  id_low uuid;
  id_high uuid;
  conditions text;
  sort_key text;
  direction text;
  ordering text;
  total bigint;
  tools_by_name text[];
  submitters_by_name uuid[];
begin
  if list_team_jobs.team_id is null then
    raise exception 'team_id is required' using errcode = '22023';
  end if;
  if list_team_jobs.page_size is null or list_team_jobs.page_size < 1 or list_team_jobs.page_size > 200 then
    raise exception 'page_size must be from 1 to 200, not %', coalesce(list_team_jobs.page_size::text, 'nothing') using errcode = '22023';
  end if;
  if list_team_jobs.page_offset is null or list_team_jobs.page_offset < 0 then
    raise exception 'page_offset must be 0 or more, not %', coalesce(list_team_jobs.page_offset::text, 'nothing') using errcode = '22023';
  end if;
  if (list_team_jobs.before_created_at is null) <> (list_team_jobs.before_id is null) then
    raise exception 'before_created_at and before_id go together (the created_at and id of the last row seen)' using errcode = '22023';
  end if;
  sort_key := case list_team_jobs.sort_by
    when 'created_at' then 'j.created_at'
    when 'name' then 'lower(j.name)'
    when 'status' then 'j.status'
    -- Tool and submitter sort by name, through arrays of ids in name order, so the
    -- sort reads only jobs and the names are joined to the one page.
    when 'tool' then 'array_position($13, j.tool_id)'
    when 'submitter' then 'array_position($14, j.submitted_by)'
    when 'duration' then '(coalesce(j.finished_at, case when j.status = ''processing'' then now() end) - j.started_at)'
    when 'credits' then 'j.credits_charged'
  end;
  if sort_key is null then
    raise exception 'sort_by must be one of created_at, name, status, tool, submitter, duration or credits, not %',
      coalesce('"' || list_team_jobs.sort_by || '"', 'nothing') using errcode = '22023';
  end if;
  direction := case lower(list_team_jobs.sort_dir) when 'asc' then 'asc' when 'desc' then 'desc' end;
  if direction is null then
    raise exception 'sort_dir must be asc or desc, not %', coalesce('"' || list_team_jobs.sort_dir || '"', 'nothing') using errcode = '22023';
  end if;
  -- Equal keys list newest first. Nullable keys (no submitter, not started) go last either way.
  ordering := case
    when list_team_jobs.sort_by = 'created_at' then format('j.created_at %s, j.id %s', direction, direction)
    when list_team_jobs.sort_by in ('submitter', 'duration') then format('%s %s nulls last, j.created_at desc, j.id desc', sort_key, direction)
    else format('%s %s, j.created_at desc, j.id desc', sort_key, direction)
  end;
  if list_team_jobs.before_id is not null and list_team_jobs.sort_by <> 'created_at' then
    raise exception 'before_created_at and before_id page through jobs sorted by created_at; with sort_by % use page_offset', list_team_jobs.sort_by
      using errcode = '22023';
  end if;

  if term is not null then
    -- Name contains the text (% and _ literal), or the job id starts with it.
    pattern := '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%';
    hex := replace(lower(term), '-', '');
    if lower(term) ~ '^[0-9a-f-]+$' and hex ~ '^[0-9a-f]{1,32}$' then
      -- uuids compare byte by byte, as their hex text does: a prefix is a range (and uses the primary key).
      id_low := rpad(hex, 32, '0')::uuid;
      id_high := rpad(hex, 32, 'f')::uuid;
    end if;
  end if;
  conditions := private.job_list_conditions(list_team_jobs.tool_id is not null, list_team_jobs.statuses is not null,
    list_team_jobs.submitted_by is not null, pattern is not null, id_low is not null);

  total := private.count_team_jobs_for_member(list_team_jobs.team_id, list_team_jobs.tool_id, list_team_jobs.statuses,
    list_team_jobs.submitted_by, pattern, id_low, id_high);
  if total is null then
    execute 'select count(*) from public.jobs j where ' || conditions
      into total
      using list_team_jobs.team_id, list_team_jobs.tool_id, list_team_jobs.statuses, list_team_jobs.submitted_by, pattern, id_low, id_high;
  end if;

  if list_team_jobs.before_id is not null then
    conditions := conditions || case direction when 'desc' then ' and (j.created_at, j.id) < ($8, $9)' else ' and (j.created_at, j.id) > ($8, $9)' end;
  end if;

  if list_team_jobs.sort_by = 'tool' then
    tools_by_name := array(select t.id from public.tools t order by lower(t.name), t.id);
  elsif list_team_jobs.sort_by = 'submitter' then
    -- The profiles the caller may see (RLS); other submitters' names are hidden, and sort last.
    submitters_by_name := array(select p.id from public.profiles p order by lower(p.display_name), p.id);
  end if;

  -- The page is picked from jobs alone; tool and submitter names join its rows only.
  return query execute format(
    'with page as (
       select j.id, j.team_id, j.name, j.tool_id, j.status, j.progress, j.progress_message, j.submitted_by,
         j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at
       from public.jobs j
       where %s
       order by %s
       offset $10 limit $11
     )
     select j.id, j.team_id, j.name, j.tool_id, t.name, j.status, j.progress, j.progress_message, j.submitted_by,
       pr.display_name, j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at,
       extract(epoch from (coalesce(j.finished_at, case when j.status = ''processing'' then now() end) - j.started_at))::double precision,
       $12::bigint
     from page j
     join public.tools t on t.id = j.tool_id
     left join public.profiles pr on pr.id = j.submitted_by
     order by %s',
    conditions, ordering, ordering)
    using list_team_jobs.team_id, list_team_jobs.tool_id, list_team_jobs.statuses, list_team_jobs.submitted_by, pattern, id_low, id_high,
      list_team_jobs.before_created_at, list_team_jobs.before_id, list_team_jobs.page_offset, list_team_jobs.page_size, total,
      tools_by_name, submitters_by_name;
end;
$$;

revoke all on function public.list_team_jobs(uuid, text, public.job_status[], uuid, text, integer, integer, timestamptz, uuid, text, text)
  from public, anon;
grant execute on function public.list_team_jobs(uuid, text, public.job_status[], uuid, text, integer, integer, timestamptz, uuid, text, text)
  to authenticated, service_role;

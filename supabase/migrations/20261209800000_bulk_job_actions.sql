-- Bulk actions on the jobs list: one call acts on a selection of a team's
-- jobs (the ids picked, or every job matching the list's filter, so 10,000
-- jobs never cross the wire as ids twice) and answers per job: done, or
-- refused with the reason. Actions: retry, cancel, delete, set_visibility;
-- bulk_retry_preview says beforehand what a bulk retry charges in total,
-- against the balance and the team's limits.
-- Protects: the same rules as the single-job RPCs, from the same homes. The
-- rules of who may act on a job (private.member_action_refusal) and of which
-- states allow an action (private.job_state_refusal), the cancel message,
-- the visibility check and the list's search terms move into small
-- functions that the single-job RPCs (require_job, retry_job,
-- retry_job_preview, cancel_job, set_job_visibility, list_team_jobs) now
-- call too. A job of another team, or no job, is refused as "not found" and
-- never acted on; a filter covers only the caller's own team. A bulk retry
-- is one transaction: every retried job is created and charged through
-- private.create_job (one ledger charge each, the quota trigger on each
-- insert), and it is refused whole, charging nothing, when the total is
-- over the balance, differs from the total the person confirmed, or would
-- cross a team limit.

-- Who may act -------------------------------------------------------------------------
-- Why a member of the job's team may not do this to it, or null when they
-- may. `manage` actions (rename, delete) are for the submitter or a team
-- owner/admin; the others for any member who is not a viewer.
create function private.member_action_refusal(p_role public.team_role, p_submitted_by uuid, p_uid uuid,
  p_action text, p_manage boolean) returns text
language sql immutable set search_path = ''
as $$
  select case
    when p_role = 'viewer' then format('team viewers can only look: they cannot %s jobs', p_action)
    when p_manage and p_role not in ('owner', 'admin') and p_submitted_by is distinct from p_uid
      then format('only the job''s submitter or a team owner or admin can %s it', p_action)
  end
$$;

-- Why a job in this status cannot be retried or cancelled, or null when it can.
create function private.job_state_refusal(p_action text, p_status public.job_status) returns text
language sql immutable set search_path = ''
as $$
  select case
    when p_action = 'retry' and p_status not in ('failed', 'timeout', 'cancelled')
      then format('only failed, timed-out or cancelled jobs can be retried; this one is %s', p_status)
    when p_action = 'cancel' and public.job_status_is_terminal(p_status)
      then format('this job is already %s and cannot be cancelled', p_status)
  end
$$;

create or replace function private.require_job(p_job_id uuid, p_uid uuid, p_action text, p_manage boolean) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  job public.jobs;
  member_role public.team_role;
  refusal text;
begin
  if p_job_id is null then
    raise exception 'job_id is required' using errcode = '22023';
  end if;
  select * into job from public.jobs j where j.id = p_job_id for update;
  if not found then
    raise exception 'job % not found', p_job_id using errcode = '42704';
  end if;
  select m.role into member_role from public.team_members m where m.team_id = job.team_id and m.user_id = p_uid;
  if member_role is null then
    if job.visibility in ('authenticated', 'public')
       or (job.visibility = 'invited' and exists (select from public.job_shares s where s.job_id = job.id and s.user_id = p_uid)) then
      raise exception 'only members of the job''s team can % it; you can view it', p_action using errcode = '42501';
    end if;
    raise exception 'job % not found', p_job_id using errcode = '42704';
  end if;
  refusal := private.member_action_refusal(member_role, job.submitted_by, p_uid, p_action, p_manage);
  if refusal is not null then
    raise exception '%', refusal using errcode = '42501';
  end if;
  return job;
end;
$$;

-- The job must be in a state that allows the action (P0001 otherwise).
create function private.require_job_state(p_job public.jobs, p_action text) returns public.jobs
language plpgsql immutable set search_path = ''
as $$
declare
  refusal text := private.job_state_refusal(p_action, p_job.status);
begin
  if refusal is not null then
    raise exception '%', refusal using errcode = 'P0001';
  end if;
  return p_job;
end;
$$;

-- Retry -------------------------------------------------------------------------------
-- The retry of one job (already checked): a new job, priced and charged as a submission.
create function private.create_retry(p_job public.jobs, p_uid uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
begin
  return private.create_job(p_job.team_id, p_uid, private.require_tool(p_job.tool_id), private.retry_job_name(p_job), p_job.input,
    p_job.settings, p_job.id, null, 'Retry of job ' || p_job.id);
end;
$$;

-- What a retry of this job costs.
create function private.retry_credits(p_job public.jobs) returns integer
language plpgsql stable security definer set search_path = ''
as $$
declare
  tool public.tools := private.require_tool(p_job.tool_id);
begin
  return (private.price_job(tool, p_job.input, p_job.settings, private.check_job_input(tool, p_job.input, p_job.settings)) ->> 'credits')::integer;
end;
$$;

create or replace function public.retry_job(job_id uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('retry');
  job public.jobs := private.require_job_state(private.require_job(retry_job.job_id, uid, 'retry', false), 'retry');
begin
  return private.create_retry(job, uid);
end;
$$;

-- What retrying would do, for the confirmation: {job_id, name, credits, balance, sufficient}.
create or replace function public.retry_job_preview(job_id uuid) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('retry');
  job public.jobs := private.require_job_state(private.require_job(retry_job_preview.job_id, uid, 'retry', false), 'retry');
  credits integer := private.retry_credits(job);
  available integer;
begin
  select a.balance into available from public.credit_accounts a where a.team_id = job.team_id;
  return jsonb_build_object('job_id', job.id, 'name', private.retry_job_name(job), 'credits', credits,
    'balance', available, 'sufficient', available >= credits);
end;
$$;

-- Cancel ------------------------------------------------------------------------------
-- The timeline entry of a cancel: who, and what became of the credits.
create function private.cancel_message(p_job public.jobs, p_who text) returns text
language plpgsql stable set search_path = ''
as $$
declare
  credits text := p_job.credits_charged || case p_job.credits_charged when 1 then ' credit' else ' credits' end;
begin
  return 'Cancelled by ' || p_who || case
    when p_job.credits_charged = 0 then ''
    when p_job.status = 'retry' then format(' while it waited to run again: its %s were refunded', credits)
    when private.job_change_refunds(p_job.status, 'cancelled') then format(' before it started: its %s were refunded', credits)
    else format(' while it ran: its %s are not refunded (the compute was spent)', credits)
  end;
end;
$$;

create function private.display_name_of(p_uid uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce((select p.display_name from public.profiles p where p.id = p_uid), 'a team member')
$$;

create or replace function public.cancel_job(job_id uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('cancel');
  job public.jobs := private.require_job_state(private.require_job(cancel_job.job_id, uid, 'cancel', false), 'cancel');
begin
  return private.set_job_status(job.id, 'cancelled', private.cancel_message(job, private.display_name_of(uid)));
end;
$$;

-- Visibility --------------------------------------------------------------------------
create function private.require_visibility(p_visibility text) returns public.job_visibility
language plpgsql immutable set search_path = ''
as $$
begin
  if p_visibility is null or p_visibility not in ('private', 'authenticated', 'invited', 'public') then
    raise exception 'visibility must be one of private, authenticated, invited or public, not %',
      coalesce('"' || p_visibility || '"', 'nothing') using errcode = '22023';
  end if;
  return p_visibility::public.job_visibility;
end;
$$;

create or replace function public.set_job_visibility(job_id uuid, visibility text) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := private.require_job(set_job_visibility.job_id, uid, 'change the visibility of', false);
  chosen public.job_visibility := private.require_visibility(set_job_visibility.visibility);
begin
  update public.jobs j set visibility = chosen where j.id = job.id returning * into job;
  return job;
end;
$$;

-- The list's search ---------------------------------------------------------------------
-- A search text as the list's conditions use it: the name contains it (% and
-- _ literal), or the job id starts with it (an id range).
create function private.job_search_terms(p_search text, out pattern text, out id_low uuid, out id_high uuid)
language plpgsql immutable set search_path = ''
as $$
declare
  term text := nullif(btrim(p_search), '');
  hex text;
begin
  if term is null then
    return;
  end if;
  pattern := '%' || replace(replace(replace(term, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  hex := replace(lower(term), '-', '');
  if lower(term) ~ '^[0-9a-f-]+$' and hex ~ '^[0-9a-f]{1,32}$' then
    -- uuids compare byte by byte, as their hex text does: a prefix is a range (and uses the primary key).
    id_low := rpad(hex, 32, '0')::uuid;
    id_high := rpad(hex, 32, 'f')::uuid;
  end if;
end;
$$;

-- The list reads its search through private.job_search_terms, as the bulk actions do.
create or replace function public.list_team_jobs(
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
  pattern text;
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

  select s.pattern, s.id_low, s.id_high into pattern, id_low, id_high from private.job_search_terms(list_team_jobs.search) s;
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
         j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at, j.credits_refunded
       from public.jobs j
       where %s
       order by %s
       offset $10 limit $11
     )
     select j.id, j.team_id, j.name, j.tool_id, t.name, j.status, j.progress, j.progress_message, j.submitted_by,
       pr.display_name, j.visibility, j.credits_charged, j.created_at, j.started_at, j.finished_at,
       extract(epoch from (coalesce(j.finished_at, case when j.status = ''processing'' then now() end) - j.started_at))::double precision,
       $12::bigint, j.credits_refunded
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

revoke all on function private.job_search_terms(text) from public, anon;
grant execute on function private.job_search_terms(text) to authenticated, service_role;

-- Bulk actions ----------------------------------------------------------------------------
-- Which team limit this many more waiting jobs with this much input would
-- cross, in words, or null. A preview, and the bulk retry's check before it
-- creates anything; the check_team_quotas trigger still guards every insert.
create function private.team_limit_crossed(p_team_id uuid, p_jobs integer, p_input_bytes bigint) returns text
language plpgsql stable security definer set search_path = ''
as $$
declare
  lim record;
  waiting integer;
  used bigint;
begin
  select l.max_waiting, l.input_bytes_per_day into lim from private.team_limits(p_team_id) l;
  select count(*) into waiting from public.jobs j where j.team_id = p_team_id and j.status in ('pending', 'queued', 'retry');
  if waiting + p_jobs > lim.max_waiting then
    return format('jobs waiting: your team has %s waiting to run and its limit is %s, so %s more would cross it',
      waiting, lim.max_waiting, p_jobs);
  end if;
  select coalesce(sum(u.bytes), 0) into used from private.team_input_usage u
  where u.team_id = p_team_id and u.day = (now() at time zone 'utc')::date;
  if used + p_input_bytes > lim.input_bytes_per_day then
    return format('input bytes per day: these jobs would bring your team''s job input today to %s and its limit is %s a day',
      private.mib(used + p_input_bytes), private.mib(lim.input_bytes_per_day));
  end if;
  return null;
end;
$$;

-- The jobs a bulk action is asked to act on, locked, each with why the caller
-- may not do it (null when they may). The selection is either ids (at most
-- 10,000; repeats count once) or the jobs list's filter
-- ({tool_id, statuses, submitted_by, search}, as list_team_jobs takes them),
-- always within p_team_id: an id of another team, or of no job, is
-- "not found"; a filter needs the caller to be a member of the team.
create function private.bulk_job_plan(p_team_id uuid, p_uid uuid, p_action text, p_job_ids uuid[], p_filter jsonb)
returns table (job_id uuid, job public.jobs, refusal text)
language plpgsql security definer set search_path = ''
as $$
declare
  max_jobs constant integer := 10000;
  verb text := case p_action when 'retry' then 'retry' when 'cancel' then 'cancel' when 'delete' then 'delete'
    when 'set_visibility' then 'change the visibility of' end;
  manage boolean := p_action = 'delete';
  member_role public.team_role;
  unknown_keys text;
  tool text;
  statuses public.job_status[];
  submitter uuid;
  terms record;
  selected integer;
begin
  if verb is null then
    raise exception 'action must be one of retry, cancel, delete or set_visibility, not %', coalesce('"' || p_action || '"', 'nothing')
      using errcode = '22023';
  end if;
  if p_team_id is null then
    raise exception 'team_id is required' using errcode = '22023';
  end if;
  if (p_job_ids is null) = (p_filter is null) then
    raise exception 'give either job_ids (the jobs picked) or filter (every job matching the list''s filter), not both or neither'
      using errcode = '22023';
  end if;
  select m.role into member_role from public.team_members m where m.team_id = p_team_id and m.user_id = p_uid;

  if p_job_ids is not null then
    if cardinality(p_job_ids) > max_jobs then
      raise exception 'at most % jobs at a time, not %: select fewer', max_jobs, cardinality(p_job_ids) using errcode = '22023';
    end if;
    -- Locked (in id order, so two bulk calls cannot deadlock) only for a member: nobody else acts on them.
    if member_role is not null then
      perform from public.jobs j where j.id = any (p_job_ids) and j.team_id = p_team_id order by j.id for update;
    end if;
    return query
      select a.id, j, case
          when j.id is null or member_role is null then 'not found'
          else coalesce(private.member_action_refusal(member_role, j.submitted_by, p_uid, verb, manage), private.job_state_refusal(p_action, j.status))
        end
      from (select distinct u.id from unnest(p_job_ids) u (id) where u.id is not null) a
      left join public.jobs j on j.id = a.id and j.team_id = p_team_id
      order by a.id;
    return;
  end if;

  if member_role is null then
    raise exception 'you are not a member of this team' using errcode = '42501';
  end if;
  if jsonb_typeof(p_filter) <> 'object' then
    raise exception 'filter must be a JSON object ({tool_id, statuses, submitted_by, search}), not %', jsonb_typeof(p_filter)
      using errcode = '22023';
  end if;
  select string_agg(k, ', ' order by k) into unknown_keys from jsonb_object_keys(p_filter) k
  where k not in ('tool_id', 'statuses', 'submitted_by', 'search');
  if unknown_keys is not null then
    raise exception 'filter takes tool_id, statuses, submitted_by and search, not %', unknown_keys using errcode = '22023';
  end if;
  tool := nullif(p_filter ->> 'tool_id', '');
  submitter := nullif(p_filter ->> 'submitted_by', '')::uuid;
  case coalesce(jsonb_typeof(p_filter -> 'statuses'), 'null')
    when 'null' then null;
    when 'array' then statuses := array(select s::public.job_status from jsonb_array_elements_text(p_filter -> 'statuses') s);
    else raise exception 'filter.statuses must be an array of job statuses' using errcode = '22023';
  end case;
  select s.pattern, s.id_low, s.id_high into terms from private.job_search_terms(p_filter ->> 'search') s;
  return query execute format(
    'select j.id, j, coalesce(private.member_action_refusal($8, j.submitted_by, $9, $10, $11), private.job_state_refusal($12, j.status))
     from public.jobs j where %s order by j.id limit %s for update',
    private.job_list_conditions(tool is not null, statuses is not null, submitter is not null, terms.pattern is not null,
      terms.id_low is not null), max_jobs + 1)
    using p_team_id, tool, statuses, submitter, terms.pattern, terms.id_low, terms.id_high, member_role, p_uid, verb, manage, p_action;
  get diagnostics selected = row_count;
  if selected > max_jobs then
    raise exception 'more than % jobs match this filter: narrow it, or act on at most % at a time', max_jobs, max_jobs using errcode = '22023';
  end if;
end;
$$;

-- What a bulk retry would do, for the confirmation: how many jobs would be
-- retried, their total price, the balance, a team limit it would cross, and
-- the jobs refused, counted by reason.
create function public.bulk_retry_preview(team_id uuid, job_ids uuid[] default null, filter jsonb default null) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('retry');
  retryable integer;
  credits integer;
  input_bytes bigint;
  available integer;
  refusals jsonb;
  crossed text;
begin
  -- The balance and limits are the team's business: a preview is for its members.
  if not exists (select from public.team_members m where m.team_id = bulk_retry_preview.team_id and m.user_id = uid) then
    raise exception 'you are not a member of this team' using errcode = '42501';
  end if;
  with plan as (select * from private.bulk_job_plan(bulk_retry_preview.team_id, uid, 'retry', bulk_retry_preview.job_ids, bulk_retry_preview.filter))
  select (select count(*) from plan p where p.refusal is null),
    (select coalesce(sum(private.retry_credits(p.job)), 0) from plan p where p.refusal is null),
    (select coalesce(sum(octet_length((p.job).input::text)), 0) from plan p where p.refusal is null),
    (select coalesce(jsonb_agg(jsonb_build_object('reason', r.reason, 'jobs', r.jobs) order by r.jobs desc, r.reason), '[]')
     from (select p.refusal as reason, count(*) as jobs from plan p where p.refusal is not null group by p.refusal) r)
  into retryable, credits, input_bytes, refusals;
  select a.balance into available from public.credit_accounts a where a.team_id = bulk_retry_preview.team_id;
  crossed := case when retryable > 0 then private.team_limit_crossed(bulk_retry_preview.team_id, retryable, input_bytes) end;
  return jsonb_build_object('jobs', retryable, 'credits', credits, 'balance', coalesce(available, 0),
    'sufficient', coalesce(available, 0) >= credits, 'limit', crossed, 'refused', refusals);
end;
$$;

-- One action on a selection of a team's jobs. Answers
-- {action, done, refused, credits, outcomes: [{job_id, outcome: done|refused, reason?, new_job_id?}]}.
-- A retry is all or nothing for the jobs that may be retried: refused whole
-- (raising, so nothing is charged) over the balance, over a team limit, or
-- when its total differs from expected_credits (the total the person
-- confirmed); jobs refused one by one do not stop the others.
create function public.bulk_job_action(team_id uuid, action text, job_ids uuid[] default null, filter jsonb default null,
  visibility text default null, expected_credits integer default null) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('act on');
  chosen public.job_visibility;
  allowed public.jobs[];
  refused jsonb;
  done jsonb;
  total integer := 0;
  input_bytes bigint;
  available integer;
  crossed text;
  job public.jobs;
  new_ids uuid[] := '{}';
  who text;
begin
  if bulk_job_action.action = 'set_visibility' then
    chosen := private.require_visibility(bulk_job_action.visibility);
  end if;
  select coalesce(array_agg(p.job order by p.job_id) filter (where p.refusal is null), '{}'),
    coalesce(jsonb_agg(jsonb_build_object('job_id', p.job_id, 'outcome', 'refused', 'reason', p.refusal) order by p.job_id)
      filter (where p.refusal is not null), '[]')
  into allowed, refused
  from private.bulk_job_plan(bulk_job_action.team_id, uid, bulk_job_action.action, bulk_job_action.job_ids, bulk_job_action.filter) p;

  case bulk_job_action.action
    when 'retry' then
      select coalesce(sum(private.retry_credits(j)), 0), coalesce(sum(octet_length(j.input::text)), 0)
      into total, input_bytes from unnest(allowed) j;
      if bulk_job_action.expected_credits is not null and bulk_job_action.expected_credits <> total then
        raise exception 'the total changed since it was shown: retrying these % jobs now costs % credits, not %; nothing was charged',
          cardinality(allowed), total, bulk_job_action.expected_credits
          using errcode = 'P0001', hint = 'Look at the new total and confirm again.';
      end if;
      select a.balance into available from public.credit_accounts a where a.team_id = bulk_job_action.team_id for update;
      if coalesce(available, 0) < total then
        raise exception 'not enough credits: retrying these % jobs costs % and the team has %; nothing was charged',
          cardinality(allowed), total, coalesce(available, 0)
          using errcode = 'P0001', hint = 'Ask a team owner to add credits, or retry fewer jobs.';
      end if;
      crossed := case when cardinality(allowed) > 0 then private.team_limit_crossed(bulk_job_action.team_id, cardinality(allowed), input_bytes) end;
      if crossed is not null then
        raise exception 'limit reached: %; nothing was charged', crossed
          using errcode = 'P0001', hint = 'Retry fewer jobs, or wait until some of your waiting jobs have started.';
      end if;
      foreach job in array allowed loop
        new_ids := array_append(new_ids, (private.create_retry(job, uid)).id);
      end loop;
      select coalesce(jsonb_agg(jsonb_build_object('job_id', o.job_id, 'outcome', 'done', 'new_job_id', o.new_id) order by o.job_id), '[]')
      into done from unnest(array(select a.id from unnest(allowed) a), new_ids) o (job_id, new_id);
    when 'cancel' then
      who := private.display_name_of(uid);
      foreach job in array allowed loop
        perform private.set_job_status(job.id, 'cancelled', private.cancel_message(job, who));
      end loop;
    when 'delete' then
      -- Running jobs are told to stop, as delete_job does.
      perform pg_notify('foldwork_job_cancel', j.id::text) from unnest(allowed) j where not public.job_status_is_terminal(j.status);
      delete from public.jobs j where j.id in (select a.id from unnest(allowed) a);
    when 'set_visibility' then
      update public.jobs j set visibility = chosen
      where j.id in (select a.id from unnest(allowed) a) and j.visibility is distinct from chosen;
  end case;
  if done is null then
    select coalesce(jsonb_agg(jsonb_build_object('job_id', a.id, 'outcome', 'done') order by a.id), '[]') into done from unnest(allowed) a;
  end if;
  return jsonb_build_object('action', bulk_job_action.action, 'done', cardinality(allowed), 'refused', jsonb_array_length(refused),
    'credits', total, 'outcomes', done || refused);
end;
$$;

revoke all on function private.member_action_refusal(public.team_role, uuid, uuid, text, boolean),
  private.job_state_refusal(text, public.job_status), private.require_job_state(public.jobs, text),
  private.create_retry(public.jobs, uuid), private.retry_credits(public.jobs), private.cancel_message(public.jobs, text),
  private.display_name_of(uuid), private.require_visibility(text), private.team_limit_crossed(uuid, integer, bigint),
  private.bulk_job_plan(uuid, uuid, text, uuid[], jsonb)
  from public, anon, authenticated;
revoke all on function public.bulk_retry_preview(uuid, uuid[], jsonb), public.bulk_job_action(uuid, text, uuid[], jsonb, text, integer)
  from public, anon;
grant execute on function public.bulk_retry_preview(uuid, uuid[], jsonb), public.bulk_job_action(uuid, text, uuid[], jsonb, text, integer)
  to authenticated, service_role;

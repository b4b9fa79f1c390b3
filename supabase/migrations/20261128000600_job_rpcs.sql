-- The job RPCs clients call: estimate, submit, cancel, retry, duplicate,
-- rename, delete, visibility, share and unshare.
-- Protects: who may do what to a job (DESIGN.md section 3: only members of
-- the job's team act on it; viewers only look; rename and delete are for the
-- submitter or a team owner/admin), the shape and size limits of inputs,
-- and that submitting charges and creates the job in one transaction.
-- Each RPC is security definer with an empty search_path and checks its
-- caller itself. Errors: 42501 not allowed, 22023 bad input, 42704 no such
-- job (or not visible), P0001 a rule of the job's state or the credits.

-- Caller and permission checks ---------------------------------------------------
create function private.require_caller(action text) returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  uid uuid := auth.uid();
begin
  if uid is null then
    raise exception 'sign in to % jobs', action using errcode = '42501';
  end if;
  return uid;
end;
$$;

-- The team to act in: the one given, else the caller's personal team.
create function private.resolve_team(p_team_id uuid, p_uid uuid) returns uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  found_team uuid;
begin
  if p_team_id is not null then
    return p_team_id;
  end if;
  select m.team_id into found_team
  from public.team_members m join public.teams t on t.id = m.team_id
  where m.user_id = p_uid
  order by (t.personal and t.created_by = p_uid) desc, m.created_at, m.team_id
  limit 1;
  if found_team is null then
    raise exception 'you are not a member of any team' using errcode = '42501';
  end if;
  return found_team;
end;
$$;

create function private.require_team_runner(p_team_id uuid, p_uid uuid) returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  member_role public.team_role;
begin
  select m.role into member_role from public.team_members m where m.team_id = p_team_id and m.user_id = p_uid;
  if member_role is null then
    raise exception 'you are not a member of this team, so you cannot run jobs in it' using errcode = '42501';
  elsif member_role = 'viewer' then
    raise exception 'team viewers can only look: ask a team owner or admin for the member role to run jobs'
      using errcode = '42501';
  end if;
end;
$$;

-- The job the caller wants to act on, locked. `manage` actions (rename,
-- delete) are for the submitter or a team owner/admin; the others for any
-- member who is not a viewer. A job the caller cannot see is "not found".
create function private.require_job(p_job_id uuid, p_uid uuid, p_action text, p_manage boolean) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  job public.jobs;
  member_role public.team_role;
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
  if member_role = 'viewer' then
    raise exception 'team viewers can only look: they cannot % jobs', p_action using errcode = '42501';
  end if;
  if p_manage and member_role not in ('owner', 'admin') and job.submitted_by is distinct from p_uid then
    raise exception 'only the job''s submitter or a team owner or admin can % it', p_action using errcode = '42501';
  end if;
  return job;
end;
$$;

-- Input checks and pricing ---------------------------------------------------------
create function private.mib(bytes bigint) returns text
language plpgsql immutable set search_path = ''
as $$
begin
  return trim_scale(round(bytes / 1048576.0, 2))::text || ' MiB';
end;
$$;

create function private.require_tool(p_tool_id text) returns public.tools
language plpgsql stable security definer set search_path = ''
as $$
declare
  tool public.tools;
begin
  if p_tool_id is null or btrim(p_tool_id) = '' then
    raise exception 'tool_id is required' using errcode = '22023';
  end if;
  select * into tool from public.tools t where t.id = p_tool_id;
  if not found then
    raise exception 'unknown tool "%"', p_tool_id using errcode = '22023';
  end if;
  if not tool.enabled then
    raise exception 'the tool "%" is not available (disabled)', tool.name using errcode = '22023';
  end if;
  return tool;
end;
$$;

-- Checks the input's envelope (deep validation is the tool's zod schema) and
-- returns the number of records.
create function private.check_job_input(tool public.tools, input jsonb, settings jsonb) returns integer
language plpgsql stable set search_path = ''
as $$
declare
  items jsonb;
  item_count integer;
  input_bytes bigint;
  bad_index bigint;
  bad_type text;
  record_name text := regexp_replace(tool.items_field, 's$', '');
begin
  if input is null or jsonb_typeof(input) <> 'object' then
    raise exception 'input must be a JSON object with a "%" array, not %', tool.items_field, coalesce(jsonb_typeof(input), 'nothing')
      using errcode = '22023';
  end if;
  input_bytes := octet_length(input::text);
  if input_bytes > tool.max_input_bytes then
    raise exception 'input is too large: % of JSON, and % accepts at most % (max_input_bytes %)',
      private.mib(input_bytes), tool.name, private.mib(tool.max_input_bytes), tool.max_input_bytes
      using errcode = '22023';
  end if;
  items := input -> tool.items_field;
  if items is null then
    raise exception 'input has no "%" array', tool.items_field using errcode = '22023';
  end if;
  if jsonb_typeof(items) <> 'array' then
    raise exception 'input.% must be an array, not %', tool.items_field, jsonb_typeof(items) using errcode = '22023';
  end if;
  item_count := jsonb_array_length(items);
  if item_count = 0 then
    raise exception 'input is empty: add at least one %', record_name using errcode = '22023';
  end if;
  if item_count > tool.max_items then
    raise exception 'input has % %s and % accepts at most % (max_items)', item_count, record_name, tool.name, tool.max_items
      using errcode = '22023';
  end if;
  select e.ordinality - 1, jsonb_typeof(e.value) into bad_index, bad_type
  from jsonb_array_elements(items) with ordinality e
  where jsonb_typeof(e.value) <> 'object'
  limit 1;
  if found then
    raise exception 'input.%[%] must be an object, not %', tool.items_field, bad_index, bad_type using errcode = '22023';
  end if;
  if settings is not null and jsonb_typeof(settings) <> 'object' then
    raise exception 'settings must be a JSON object, not %', jsonb_typeof(settings) using errcode = '22023';
  end if;
  return item_count;
end;
$$;

-- The cost of a job and how it was reached.
create function private.price_job(tool public.tools, input jsonb, settings jsonb, item_count integer) returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  credits integer;
begin
  case tool.pricing_kind
    when 'free' then
      return jsonb_build_object('credits', 0, 'breakdown', jsonb_build_object('pricing', 'free', 'items', item_count));
    when 'flat' then
      return jsonb_build_object('credits', tool.pricing_credits, 'breakdown', jsonb_build_object(
        'pricing', 'flat', 'items', item_count, 'credits_per_job', tool.pricing_credits));
    when 'per_input', 'per_structure' then
      return jsonb_build_object('credits', item_count * tool.pricing_credits, 'breakdown', jsonb_build_object(
        'pricing', tool.pricing_kind, 'items', item_count,
        'unit', coalesce(tool.pricing_unit, 'structure'), 'credits_per_unit', tool.pricing_credits));
    when 'calculator' then
      execute format('select public.%I($1, $2)', tool.pricing_fn) into credits using input, coalesce(settings, '{}');
      if credits is null or credits < 0 then
        raise exception 'pricing of % returned %, not a credit amount', tool.name, credits;
      end if;
      return jsonb_build_object('credits', credits, 'breakdown', jsonb_build_object(
        'pricing', 'calculator', 'items', item_count, 'description', tool.pricing_description));
  end case;
end;
$$;

create function private.check_job_name(name text, fallback text) returns text
language plpgsql immutable set search_path = ''
as $$
declare
  cleaned text := nullif(btrim(name), '');
begin
  if cleaned is null then
    if fallback is null then
      raise exception 'a job name cannot be empty' using errcode = '22023';
    end if;
    return left(fallback, 200);
  end if;
  if char_length(cleaned) > 200 then
    raise exception 'a job name has at most 200 characters; this one has %', char_length(cleaned) using errcode = '22023';
  end if;
  return cleaned;
end;
$$;

-- Creates a job and charges for it (the charge_job trigger), holding the
-- team's credit account so concurrent submissions are counted one by one.
create function private.create_job(p_team_id uuid, p_uid uuid, p_tool public.tools, p_name text, p_input jsonb,
  p_settings jsonb, p_retry_of uuid, p_duplicated_from uuid, p_message text) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  item_count integer := private.check_job_input(p_tool, p_input, p_settings);
  cost integer := (private.price_job(p_tool, p_input, p_settings, item_count) ->> 'credits')::integer;
  available integer;
  job public.jobs;
begin
  select a.balance into available from public.credit_accounts a where a.team_id = p_team_id for update;
  if available is null then
    raise exception 'team % has no credit account', p_team_id using errcode = '42704';
  end if;
  if available < cost then
    raise exception 'not enough credits: this job costs % and the team has %', cost, available
      using errcode = 'P0001', hint = 'Ask a team owner to add credits, or make the job smaller.';
  end if;
  perform set_config('foldwork.status_message', coalesce(p_message, ''), true);
  insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings, credits_charged, retry_of, duplicated_from)
  values (p_team_id, p_tool.id, p_uid, p_name, p_input, coalesce(p_settings, '{}'), cost, p_retry_of, p_duplicated_from)
  returning * into job;
  perform set_config('foldwork.status_message', '', true);
  return job;
end;
$$;

-- Changes a job's status with a message for its timeline.
create function private.set_job_status(p_job_id uuid, p_status public.job_status, p_message text) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  job public.jobs;
begin
  perform set_config('foldwork.status_message', coalesce(p_message, ''), true);
  update public.jobs j set status = p_status where j.id = p_job_id returning * into job;
  perform set_config('foldwork.status_message', '', true);
  return job;
end;
$$;

-- Public RPCs ---------------------------------------------------------------------------
create function public.estimate_job_cost(tool_id text, input jsonb, settings jsonb default '{}', team_id uuid default null)
returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('estimate');
  tool public.tools := private.require_tool(estimate_job_cost.tool_id);
  target_team uuid := private.resolve_team(estimate_job_cost.team_id, uid);
  member_role public.team_role;
  item_count integer;
  price jsonb;
  available integer;
begin
  select m.role into member_role from public.team_members m where m.team_id = target_team and m.user_id = uid;
  if member_role is null then
    raise exception 'you are not a member of this team' using errcode = '42501';
  end if;
  item_count := private.check_job_input(tool, estimate_job_cost.input, estimate_job_cost.settings);
  price := private.price_job(tool, estimate_job_cost.input, estimate_job_cost.settings, item_count);
  select a.balance into available from public.credit_accounts a where a.team_id = target_team;
  return jsonb_build_object(
    'tool_id', tool.id,
    'team_id', target_team,
    'credits', (price ->> 'credits')::integer,
    'balance', available,
    'sufficient', available >= (price ->> 'credits')::integer,
    'can_run', member_role <> 'viewer',
    'breakdown', price -> 'breakdown');
end;
$$;

create function public.submit_job(tool_id text, name text, input jsonb, settings jsonb default '{}', team_id uuid default null)
returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('submit');
  target_team uuid := private.resolve_team(submit_job.team_id, uid);
  tool public.tools;
begin
  perform private.require_team_runner(target_team, uid);
  tool := private.require_tool(submit_job.tool_id);
  return private.create_job(target_team, uid, tool, private.check_job_name(submit_job.name, tool.name),
    submit_job.input, submit_job.settings, null, null, 'Submitted');
end;
$$;

create function public.cancel_job(job_id uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('cancel');
  job public.jobs := private.require_job(cancel_job.job_id, uid, 'cancel', false);
begin
  if public.job_status_is_terminal(job.status) then
    raise exception 'this job is already % and cannot be cancelled', job.status using errcode = 'P0001';
  end if;
  return private.set_job_status(job.id, 'cancelled',
    'Cancelled by ' || coalesce((select p.display_name from public.profiles p where p.id = uid), 'a team member'));
end;
$$;

create function public.retry_job(job_id uuid) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('retry');
  job public.jobs := private.require_job(retry_job.job_id, uid, 'retry', false);
begin
  if job.status not in ('failed', 'timeout', 'cancelled') then
    raise exception 'only failed, timed-out or cancelled jobs can be retried; this one is %', job.status using errcode = 'P0001';
  end if;
  return private.create_job(job.team_id, uid, private.require_tool(job.tool_id), job.name, job.input, job.settings,
    job.id, null, 'Retry of job ' || job.id);
end;
$$;

create function public.duplicate_job(job_id uuid, name text default null, settings jsonb default null) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('duplicate');
  job public.jobs := private.require_job(duplicate_job.job_id, uid, 'duplicate', false);
begin
  if job.status <> 'completed' then
    raise exception 'only completed jobs can be duplicated; this one is %', job.status using errcode = 'P0001';
  end if;
  return private.create_job(job.team_id, uid, private.require_tool(job.tool_id),
    private.check_job_name(duplicate_job.name, job.name || ' (copy)'), job.input,
    coalesce(duplicate_job.settings, job.settings), null, job.id, 'Duplicate of job ' || job.id);
end;
$$;

create function public.rename_job(job_id uuid, name text) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('rename');
  job public.jobs := private.require_job(rename_job.job_id, uid, 'rename', true);
  new_name text := private.check_job_name(rename_job.name, null);
begin
  update public.jobs j set name = new_name where j.id = job.id returning * into job;
  return job;
end;
$$;

-- Permanent: the job with its files, shares and events. Its credit ledger
-- rows stay, with job_id cleared. A running job is told to stop.
create function public.delete_job(job_id uuid) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('delete');
  job public.jobs := private.require_job(delete_job.job_id, uid, 'delete', true);
begin
  if not public.job_status_is_terminal(job.status) then
    perform pg_notify('foldwork_job_cancel', job.id::text);
  end if;
  delete from public.jobs j where j.id = job.id;
  return true;
end;
$$;

create function public.set_job_visibility(job_id uuid, visibility text) returns public.jobs
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := private.require_job(set_job_visibility.job_id, uid, 'change the visibility of', false);
begin
  if set_job_visibility.visibility is null
     or set_job_visibility.visibility not in ('private', 'authenticated', 'invited', 'public') then
    raise exception 'visibility must be one of private, authenticated, invited or public, not %',
      coalesce('"' || set_job_visibility.visibility || '"', 'nothing') using errcode = '22023';
  end if;
  update public.jobs j set visibility = set_job_visibility.visibility::public.job_visibility
  where j.id = job.id returning * into job;
  return job;
end;
$$;

-- Shares with an email; attached at once when it belongs to a confirmed
-- account, otherwise pending until it does.
create function public.share_job(job_id uuid, email text) returns public.job_shares
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := private.require_job(share_job.job_id, uid, 'share', false);
  address text := lower(btrim(share_job.email));
  account uuid;
  new_share public.job_shares;
begin
  if address is null or address !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(address) > 255 then
    raise exception 'not an email address: %', coalesce('"' || share_job.email || '"', 'nothing') using errcode = '22023';
  end if;
  select p.id into account
  from public.profiles p join auth.users u on u.id = p.id
  where p.email = address and u.email_confirmed_at is not null;
  insert into public.job_shares (job_id, email, user_id, invited_by, accepted_at)
  values (job.id, address, account, uid, case when account is not null then now() end)
  on conflict on constraint job_shares_job_id_email_key do update set invited_by = excluded.invited_by
  returning * into new_share;
  return new_share;
end;
$$;

create function public.unshare_job(job_id uuid, email text) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := private.require_caller('share');
  job public.jobs := private.require_job(unshare_job.job_id, uid, 'share', false);
begin
  delete from public.job_shares s where s.job_id = job.id and s.email = lower(btrim(unshare_job.email));
  return found;
end;
$$;

create index profiles_email_idx on public.profiles (email);

revoke all on function
  public.estimate_job_cost(text, jsonb, jsonb, uuid), public.submit_job(text, text, jsonb, jsonb, uuid),
  public.cancel_job(uuid), public.retry_job(uuid), public.duplicate_job(uuid, text, jsonb), public.rename_job(uuid, text),
  public.delete_job(uuid), public.set_job_visibility(uuid, text), public.share_job(uuid, text), public.unshare_job(uuid, text)
  from public, anon;
grant execute on function
  public.estimate_job_cost(text, jsonb, jsonb, uuid), public.submit_job(text, text, jsonb, jsonb, uuid),
  public.cancel_job(uuid), public.retry_job(uuid), public.duplicate_job(uuid, text, jsonb), public.rename_job(uuid, text),
  public.delete_job(uuid), public.set_job_visibility(uuid, text), public.share_job(uuid, text), public.unshare_job(uuid, text)
  to authenticated, service_role;

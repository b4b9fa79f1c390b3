-- How much Storage each team uses, and how much it may: every object under
-- "<team_id>/" in the job-files bucket counts (its jobs' inputs and outputs,
-- and its members' uploads not yet submitted or expired), and so do file
-- bytes still kept in job rows until the fleet moves them.
-- Protects: a team cannot upload past its quota (the upload policy of
-- 20261208400400 asks private.team_storage_allows); operators set the
-- default quota, a team's own and how long unsubmitted uploads live here
-- (private tables no client can reach); a team's use is shown to its own
-- members only.

create table private.storage_settings (
  singleton boolean primary key default true check (singleton),
  -- 10 GiB per team unless private.team_storage_quotas says otherwise.
  team_quota_bytes bigint not null default 10737418240 check (team_quota_bytes >= 0),
  -- Uploads never submitted are removed by the fleet after this long.
  upload_ttl_seconds integer not null default 86400 check (upload_ttl_seconds between 60 and 2592000)
);
insert into private.storage_settings default values;

create table private.team_storage_quotas (
  team_id uuid primary key references public.teams (id) on delete cascade,
  quota_bytes bigint not null check (quota_bytes >= 0),
  reason text not null check (char_length(btrim(reason)) between 1 and 500),
  set_at timestamptz not null default now()
);

alter table private.storage_settings enable row level security;
alter table private.team_storage_quotas enable row level security;
revoke all on private.storage_settings, private.team_storage_quotas from public, anon, authenticated;

create function private.team_storage_quota(p_team_id uuid) returns bigint
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((select q.quota_bytes from private.team_storage_quotas q where q.team_id = p_team_id),
                  (select s.team_quota_bytes from private.storage_settings s));
end;
$$;

-- Bytes of the team's objects (by the size Storage recorded) and of file
-- rows still holding their bytes, split by what they are.
create function private.team_storage_counts(p_team_id uuid)
returns table (job_file_bytes bigint, upload_bytes bigint, objects bigint)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select coalesce(sum(s.size) filter (where not s.upload), 0)::bigint
             + coalesce((select sum(f.size_bytes) from public.job_files f join public.jobs j on j.id = f.job_id
                         where j.team_id = p_team_id and f.content is not null), 0)::bigint,
           coalesce(sum(s.size) filter (where s.upload), 0)::bigint,
           count(*)::bigint
    from (select coalesce((o.metadata ->> 'size')::bigint, 0) as size, split_part(o.name, '/', 2) = 'uploads' as upload
          from storage.objects o
          -- "<team>/" <= name < "<team>0" ('0' follows '/'): a range the name_prefix_search index serves.
          where o.bucket_id = 'job-files'
            and o.name operator(pg_catalog.~>=~) (p_team_id::text || '/')
            and o.name operator(pg_catalog.~<~) (p_team_id::text || '0')) s;
end;
$$;

-- Whether `incoming` more bytes fit the team's quota.
create function private.team_storage_allows(p_team_id uuid, incoming bigint) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
declare
  used bigint;
begin
  select c.job_file_bytes + c.upload_bytes into used from private.team_storage_counts(p_team_id) c;
  return used + greatest(coalesce(incoming, 0), 0) <= private.team_storage_quota(p_team_id);
end;
$$;

-- {used_bytes, quota_bytes, job_file_bytes, upload_bytes, objects} for a
-- member of the team (any role); 42501 for anyone else.
create function public.team_storage_use(team_id uuid) returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  counts record;
begin
  if team_storage_use.team_id is null or private.team_role(team_storage_use.team_id) is null then
    raise exception 'only members of a team can see its storage use' using errcode = '42501';
  end if;
  select * into counts from private.team_storage_counts(team_storage_use.team_id);
  return jsonb_build_object(
    'used_bytes', counts.job_file_bytes + counts.upload_bytes,
    'quota_bytes', private.team_storage_quota(team_storage_use.team_id),
    'job_file_bytes', counts.job_file_bytes,
    'upload_bytes', counts.upload_bytes,
    'objects', counts.objects);
end;
$$;

revoke all on function private.team_storage_quota(uuid), private.team_storage_counts(uuid),
  private.team_storage_allows(uuid, bigint), public.team_storage_use(uuid) from public;
-- The upload policy on storage.objects asks whether an upload fits.
grant execute on function private.team_storage_allows(uuid, bigint) to authenticated, service_role;
grant execute on function public.team_storage_use(uuid) to authenticated, service_role;

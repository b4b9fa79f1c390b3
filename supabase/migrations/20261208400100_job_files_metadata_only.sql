-- public.job_files keeps each file's metadata (name, kind, media type, size,
-- SHA-256 and where its bytes are in the job-files Storage bucket) and no
-- bytes. Rows written before this change keep their bytea `content` until
-- the worker fleet moves it to Storage (worker/storage/legacy-files.ts: SQL
-- cannot call the Storage API, so a hosted project is migrated by its
-- workers); new rows never carry bytes.
-- Protects: every file row says where its bytes are, in exactly one place
-- (Storage or, until moved, the row); its size is the size of those bytes
-- (counted by the database for rows with content); a checksum is a SHA-256
-- in hex; a Storage path is a plain key (no empty, "." or ".." segment, no
-- leading slash), since the worker fleet writes and deletes by it.

alter table public.job_files alter column size_bytes drop expression;
alter table public.job_files alter column size_bytes set not null;
alter table public.job_files add constraint job_files_size_bytes_check check (size_bytes >= 0);
alter table public.job_files alter column content drop not null;
alter table public.job_files
  add column sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  add column storage_path text check (
    char_length(storage_path) between 3 and 1024
    and storage_path !~ '(^|/)\.{0,2}(/|$)'
    and storage_path !~ '[\\[:cntrl:]]');
alter table public.job_files add constraint job_files_bytes_in_one_place
  check ((content is null) <> (storage_path is null));

-- Reads of an object by path (the storage.objects policies) and the
-- fleet's clean-up look a file row up by its path.
create index job_files_storage_path_idx on public.job_files (storage_path) where storage_path is not null;
-- The fleet moves what is left in the database, oldest first.
create index job_files_content_left_idx on public.job_files (created_at) where content is not null;

-- The size of bytes kept in the row is theirs, whatever the writer said.
create function private.job_file_size_from_content() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.content is not null then
    new.size_bytes := octet_length(new.content);
  end if;
  return new;
end;
$$;

create trigger job_file_size_from_content
  before insert or update of content, size_bytes on public.job_files
  for each row execute function private.job_file_size_from_content();

revoke all on function private.job_file_size_from_content() from public;

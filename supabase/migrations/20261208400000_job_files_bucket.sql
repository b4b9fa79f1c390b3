-- The private Storage bucket that holds every job's input and output files,
-- at "<team_id>/<job_id>/<input|output>/<name>" (and members' uploads not yet
-- submitted at "<team_id>/uploads/<user_id>/<upload id>/<name>").
-- Protects: the bucket exists wherever the schema does (a hosted project gets
-- it from `supabase db push`, as it gets the policies on storage.objects
-- that decide who reads and writes it), and it is private: nothing in it is
-- served by the public object URL, whoever asks. Its size limit is the
-- project's (Storage's global file_size_limit), so it is left unset here;
-- supabase/config.toml declares the same bucket for `supabase seed buckets`
-- and the local stack.

insert into storage.buckets (id, name, public)
values ('job-files', 'job-files', false)
on conflict (id) do update set public = false;

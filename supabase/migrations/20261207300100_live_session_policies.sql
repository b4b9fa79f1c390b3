-- Tokens of ended sessions get nothing from the policies that do not go
-- through a membership helper either.
-- Protects: the rows a signed-in user may read without being a member of
-- anything: their own profile (and changing its display name) and the
-- worker fleet. Each of these tables gets one restrictive policy calling
-- private.caller_session_is_live() (20261207300000_live_session_check.sql),
-- the same cached check the membership helpers make, evaluated once per
-- statement: a token whose session ended sees none of these rows and
-- changes none. Tokens without a session_id (anon and service_role keys)
-- are not affected. Every other table's policies go through the membership
-- helpers (jobs too, since 20261207200000_link_only_jobs.sql), so they need
-- none: a restrictive policy on jobs cost the jobs list about 10% for nothing.

create policy "Only live sessions can read or change profiles" on public.profiles
  as restrictive for all to authenticated
  using ((select private.caller_session_is_live()))
  with check ((select private.caller_session_is_live()));

create policy "Only live sessions can view the worker fleet" on public.workers
  as restrictive for select to authenticated
  using ((select private.caller_session_is_live()));

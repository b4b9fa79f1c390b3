-- Demo data for local runs (fresh databases only): a confirmed login
-- demo@foldwork.dev / foldwork-demo, its personal team with credits, and a
-- few jobs in different states. Jobs are submitted through submit_job as the
-- demo user, so they are priced and charged like real ones; a worker's part
-- (status changes, results) is then played by the superuser.

-- The demo login, as GoTrue stores an email sign-up.
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change, email_change_token_current,
  email_change_confirm_status, phone_change, phone_change_token, reauthentication_token,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, last_sign_in_at, is_sso_user, is_anonymous)
values (
  '00000000-0000-0000-0000-000000000000', 'c0ffee00-0000-4000-8000-000000000001', 'authenticated', 'authenticated',
  'demo@foldwork.dev', extensions.crypt('foldwork-demo', extensions.gen_salt('bf', 10)), now() - interval '30 days',
  '', '', '', '', '', 0, '', '', '',
  '{"provider": "email", "providers": ["email"]}', '{"display_name": "Demo Scientist", "email_verified": true}',
  now() - interval '30 days', now() - interval '30 days', now() - interval '1 day', false, false);

insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values (
  'c0ffee00-0000-4000-8000-000000000002', 'c0ffee00-0000-4000-8000-000000000001', 'c0ffee00-0000-4000-8000-000000000001',
  '{"sub": "c0ffee00-0000-4000-8000-000000000001", "email": "demo@foldwork.dev", "email_verified": true, "phone_verified": false}',
  'email', now() - interval '1 day', now() - interval '30 days', now() - interval '30 days');

-- The sign-up trigger made the personal team ("<name>'s workspace") with 100 credits; top it up.
insert into public.credit_ledger (team_id, delta, reason, memo)
select t.id, 900, 'adjustment', 'Demo credits'
from public.teams t where t.personal and t.created_by = 'c0ffee00-0000-4000-8000-000000000001';

-- Submit as the demo user.
select set_config('role', 'authenticated', true),
       set_config('request.jwt.claims', '{"sub": "c0ffee00-0000-4000-8000-000000000001", "role": "authenticated", "email": "demo@foldwork.dev"}', true);

create temporary table demo_jobs (label text primary key, id uuid not null) on commit drop;
grant all on demo_jobs to authenticated;

insert into demo_jobs (label, id)
select 'properties', j.id from public.submit_job('protein-properties', 'Lysozyme and ubiquitin',
  '{"sequences": [
     {"id": "LYSC_HUMAN", "sequence": "KVFERCELARTLKRLGMDGYRGISLANWMCLAKWESGYNTRATNYNAGDRSTDYGIFQINSRYWCNDGKTPGAVNACHLSCSALLQDNIADAVACAKRVVRDPQGIRAWVAWRNRCQNRDVRQYVQGCGV"},
     {"id": "UBIQ_HUMAN", "sequence": "MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG"}]}',
  '{}') j;

insert into demo_jobs (label, id)
select 'alignment', j.id from public.submit_job('pairwise-alignment', 'Globin family against HBA',
  '{"query": {"id": "HBA_HUMAN", "sequence": "MVLSPADKTNVKAAWGKVGAHAGEYGAEALERMFLSFPTTKTYFPHFDLSHGSAQVKGHGKKVADALTNAVAHVDDMPNALSALSDLHAHKLRVDPVNFKLLSHCLLVTLAAHLPAEFTPAVHASLDKFLASVSTVLTSKYR"},
    "targets": [
     {"id": "HBB_HUMAN", "sequence": "MVHLTPEEKSAVTALWGKVNVDEVGGEALGRLLVVYPWTQRFFESFGDLSTPDAVMGNPKVKAHGKKVLGAFSDGLAHLDNLKGTFATLSELHCDKLHVDPENFRLLGNVLVCVLAHHFGKEFTPPVQAAYQKVVAGVANALAHKYH"},
     {"id": "MYG_HUMAN", "sequence": "MGLSDGEWQLVLNVWGKVEADIPGHGQEVLIRLFKGHPETLEKFDKFKHLKSEDEMKASEDLKKHGATVLTALGGILKKKGHHEAEIKPLAQSHATKHKIPVKYLEFISECIIQVLQSKHPGDFGADAQGAMNKALELFRKDMASNYKELGFQG"}]}',
  '{"mode": "global"}') j;

insert into demo_jobs (label, id)
select 'molecules', j.id from public.submit_job('molecule-properties', 'Aspirin, caffeine, ibuprofen',
  '{"molecules": [
     {"id": "aspirin", "smiles": "CC(=O)OC1=CC=CC=C1C(=O)O"},
     {"id": "caffeine", "smiles": "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"},
     {"id": "ibuprofen", "smiles": "CC(C)CC1=CC=C(C=C1)C(C)C(=O)O"}]}',
  '{}') j;

insert into demo_jobs (label, id)
select 'bad-smiles', j.id from public.submit_job('molecule-properties', 'Screening batch 7',
  '{"molecules": [{"id": "ok", "smiles": "c1ccccc1O"}, {"id": "typo", "smiles": "C1CC(=O"}]}',
  '{}') j;

insert into demo_jobs (label, id)
select 'orfs', j.id from public.submit_job('sequence-tools', 'ORF scan of pUC19 fragment',
  '{"sequences": [{"id": "frag1", "sequence": "ATGACCATGATTACGCCAAGCTTGCATGCCTGCAGGTCGACTCTAGAGGATCCCCGGGTACCGAGCTCGAATTCACTGGCCGTCGTTTTACAACGTCGTGACTGGGAAAACCCTGGCGTTACCCAACTTAATCGCCTTGCAGCACATCCCCCTTTCGCCAGCTGGCGTAATAGCGAAGAGGCCCGCACCGATCGCCCTTCCCAACAGTTGCGCAGCCTGAATGGCGAATGGCGC"}]}',
  '{"operation": "orfs", "geneticCode": 11}') j;

insert into demo_jobs (label, id)
select 'cancelled', j.id from public.submit_job('protein-properties', 'Old draft run',
  '{"sequences": [{"id": "draft", "sequence": "MKTAYIAKQRQISFVKSHFSRQ"}]}', '{}') j;

select public.cancel_job(id) from demo_jobs where label = 'cancelled';
select public.set_job_visibility(id, 'authenticated') from demo_jobs where label = 'alignment';

-- The worker's part.
reset role;
select set_config('request.jwt.claims', '', true);

update public.jobs set status = 'queued' where id in (select id from demo_jobs where label <> 'orfs' and label <> 'cancelled');
update public.jobs set status = 'processing', progress = 5, progress_message = 'Started'
where id in (select id from demo_jobs where label in ('properties', 'alignment', 'molecules', 'bad-smiles'));
update public.jobs set progress = 40, progress_message = 'Molecule 2 of 3'
where id = (select id from demo_jobs where label = 'molecules');
update public.jobs set status = 'failed', error_code = 'invalid_input',
  error_message = 'molecule "typo": SMILES "C1CC(=O" has an unclosed ring (1) and an unclosed branch'
where id = (select id from demo_jobs where label = 'bad-smiles');
-- Placeholder results: the tools' own result shapes replace these once the tools run.
update public.jobs set status = 'completed', progress_message = 'Done',
  result = '{"rows": [{"id": "LYSC_HUMAN", "length": 130}, {"id": "UBIQ_HUMAN", "length": 76}]}'
where id = (select id from demo_jobs where label = 'properties');
update public.jobs set status = 'completed', progress_message = 'Done',
  result = '{"rows": [{"target": "HBB_HUMAN"}, {"target": "MYG_HUMAN"}]}'
where id = (select id from demo_jobs where label = 'alignment');
insert into public.job_files (job_id, kind, name, media_type, content)
select id, 'output', 'properties.csv', 'text/csv', convert_to(E'id,length\nLYSC_HUMAN,130\nUBIQ_HUMAN,76\n', 'utf8')
from demo_jobs where label = 'properties';

-- Spread the history over the last days (the database stamps "now" otherwise).
set local session_replication_role = replica;
with ages (label, age) as (values
  ('properties', interval '3 days'), ('alignment', interval '2 days'), ('bad-smiles', interval '1 day'),
  ('cancelled', interval '20 hours'), ('molecules', interval '3 minutes'), ('orfs', interval '1 minute'))
update public.jobs j set
  created_at = j.created_at - a.age,
  queued_at = j.queued_at - a.age + interval '2 seconds',
  started_at = j.started_at - a.age + interval '4 seconds',
  finished_at = j.finished_at - a.age + case when d.label = 'alignment' then interval '38 seconds' else interval '11 seconds' end,
  updated_at = j.updated_at - a.age + interval '11 seconds'
from demo_jobs d join ages a using (label)
where j.id = d.id;
with ages (label, age) as (values
  ('properties', interval '3 days'), ('alignment', interval '2 days'), ('bad-smiles', interval '1 day'),
  ('cancelled', interval '20 hours'), ('molecules', interval '3 minutes'), ('orfs', interval '1 minute'))
update public.job_events e set at = e.at - a.age + (e.id - first.id) * interval '3 seconds'
from demo_jobs d join ages a using (label),
  lateral (select min(x.id) as id from public.job_events x where x.job_id = d.id) first
where e.job_id = d.id;
set local session_replication_role = origin;

-- Issue 18: a 10,000,000-exam county for the reading-queue benchmark, generated inside MariaDB
-- (INSERT … SELECT from the SEQUENCE engine) because bench/reading_queue.ts's row-by-row
-- generator needs hours for 10M rows on this machine. Same shapes as that generator
-- (40 clinics, 60 radiologists, 15 exam items, DR:CT:MR 4:3:2, routine:emergency:special
-- 4:2:1, five years of history, oldest first), but the live queue does not grow with history:
-- a county has a few thousand exams waiting whatever its archive holds, so the newest
-- 5,000 are in the reading queue, the 2,000 before them are registered without images, and
-- everything older is signed (3 % amended).
--
-- Run against a database freshly migrated with the app's migrations:
--   mysql -uroot -h127.0.0.1 -e "CREATE DATABASE imaging_bench_scale CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
--   DB_CONNECTION=mysql DB_DATABASE=imaging_bench_scale NODE_ENV=production node ace.js migration:run --force
--   mysql -uroot -h127.0.0.1 imaging_bench_scale < bench/reading_queue_10m.sql
-- then time it with BENCH_DB=imaging_bench_scale BENCH_REUSE=1 node --import ts-node-maintained/register/esm bench/reading_queue.ts
--
-- Pseudo-random values are CRC32 of (row, column): deterministic, so every run builds the same county.
-- Inserting into empty tables with unique and foreign-key checks off lets InnoDB (MariaDB >= 10.7)
-- build the secondary indexes by sorting instead of row by row.

SET SESSION unique_checks = 0, foreign_key_checks = 0;
SET @exams = 10000000, @queued = 5000, @waiting = 2000, @patients = 3000000;
SET @now = UTC_TIMESTAMP(), @span = 5 * 365 * 86400;

INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at)
SELECT 1, 'LEAD', '清河县人民医院', 'lead_hospital', '二级甲等', 1, @now, @now
UNION ALL
SELECT seq + 1, CONCAT('M', LPAD(seq, 2, '0')), CONCAT('第', seq, '卫生院'), 'member_clinic', '一级', 1, @now, @now
FROM seq_1_to_40;

INSERT INTO users (id, institution_id, username, full_name, password, role, title, status, failed_login_count, created_at, updated_at)
SELECT seq, 1, CONCAT('rad', seq), CONCAT('医师', seq), '!', 'radiologist',
       ELT(seq % 3 + 1, 'junior', 'intermediate', 'senior'), 'active', 0, @now, @now
FROM seq_1_to_60
UNION ALL
SELECT 60 + seq, seq + 1, CONCAT('clinic', seq), CONCAT('护士', seq), '!', 'clinic_staff', NULL, 'active', 0, @now, @now
FROM seq_1_to_40;

INSERT INTO exam_items (id, catalogue, seq, modality, body_part, method, name, source_name, is_contrast, active, created_at, updated_at)
SELECT seq, 'local', seq, m, p, IF(m = 'DR', '摄影', '平扫'),
       CONCAT(m, ' ', p, ' ', IF(m = 'DR', '摄影', '平扫')), CONCAT(p, IF(m = 'DR', '摄影', '平扫')), 0, 1, @now, @now
FROM (
  SELECT seq, ELT((seq - 1) DIV 5 + 1, 'DR', 'CT', 'MR') AS m,
         ELT(seq, '胸部', '腰椎', '膝关节', '腕关节', '颈椎', '头部', '胸部', '上腹部', '腰椎', '鼻窦',
                  '头颅', '腰椎', '膝关节', '颈椎', '肩关节') AS p
  FROM seq_1_to_15
) items;

SELECT NOW() AS 'patients…';
INSERT INTO patients (id, name, sex, birth_date, created_at, updated_at)
SELECT seq,
       CONCAT(SUBSTRING('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗', CRC32(CONCAT(seq, ':s')) % 20 + 1, 1),
              ELT(CRC32(CONCAT(seq, ':g')) % 10 + 1, '秀英', '建国', '志强', '丽', '敏', '静', '伟', '芳', '军', '桂兰')),
       IF(CRC32(CONCAT(seq, ':x')) % 2 = 0, 'M', 'F'),
       DATE('1940-01-01') + INTERVAL CRC32(CONCAT(seq, ':b')) % 27000 DAY,
       @now, @now
FROM seq_1_to_3000000;

SELECT NOW() AS 'exams…';
INSERT INTO exams (id, accession_number, patient_id, institution_id, modality, priority, status,
                   clinical_history, purpose, requesting_doctor, registered_by_id, registered_at,
                   images_received_at, instance_count, created_at, updated_at, due_at,
                   in_reading_queue, claimed_by_id, claimed_at, report_signed_at)
SELECT id, CAST(26000000000 + id AS CHAR), patient, clinic, modality, priority, status,
       '咳嗽一周，发热两天', '排除肺炎', '刘医生', 60 + clinic - 1, registered,
       IF(status = 'registered', NULL, received), IF(status = 'registered', 0, 20),
       registered, registered,
       IF(status = 'registered', NULL, received + INTERVAL limit_min MINUTE),
       status IN ('images_received', 'in_progress', 'pending_review'),
       IF(status IN ('in_progress', 'pending_review'), claimer, NULL),
       IF(status IN ('in_progress', 'pending_review'), received + INTERVAL 10 MINUTE, NULL),
       IF(status IN ('signed', 'amended'), received + INTERVAL (CRC32(CONCAT(id, ':t')) % (limit_min * 60)) SECOND, NULL)
FROM (
  SELECT id, patient, clinic, modality, priority, registered, received, claimer,
         CASE
           WHEN from_end < @queued THEN ELT(1 + (r_status >= 0.6) + (r_status >= 0.85),
                                            'images_received', 'in_progress', 'pending_review')
           WHEN from_end < @queued + @waiting THEN 'registered'
           WHEN r_status < 0.03 THEN 'amended'
           ELSE 'signed'
         END AS status,
         CASE priority WHEN 'emergency' THEN IF(modality = 'DR', 30, 120)
                       WHEN 'routine' THEN 1440 ELSE 2880 END AS limit_min
  FROM (
    SELECT seq AS id,
           @exams - seq AS from_end,
           1 + CRC32(CONCAT(seq, ':p')) % @patients AS patient,
           2 + CRC32(CONCAT(seq, ':c')) % 40 AS clinic,
           ELT(1 + CRC32(CONCAT(seq, ':m')) % 9, 'DR', 'DR', 'DR', 'DR', 'CT', 'CT', 'CT', 'MR', 'MR') AS modality,
           ELT(1 + CRC32(CONCAT(seq, ':q')) % 7, 'routine', 'routine', 'routine', 'routine',
               'emergency', 'emergency', 'special') AS priority,
           @now - INTERVAL @span SECOND + INTERVAL FLOOR(seq / @exams * @span) SECOND
             - INTERVAL CRC32(CONCAT(seq, ':r')) % 600 SECOND AS registered,
           @now - INTERVAL @span SECOND + INTERVAL FLOOR(seq / @exams * @span) SECOND
             - INTERVAL CRC32(CONCAT(seq, ':r')) % 600 SECOND
             + INTERVAL 300 + CRC32(CONCAT(seq, ':i')) % 2400 SECOND AS received,
           1 + CRC32(CONCAT(seq, ':w')) % 60 AS claimer,
           CRC32(CONCAT(seq, ':z')) / 4294967296 AS r_status
    FROM seq_1_to_10000000
  ) raw
) exam;

SELECT NOW() AS 'exam items of every exam…';
INSERT INTO exam_exam_items (exam_id, exam_item_id)
SELECT id, CASE modality WHEN 'DR' THEN 1 WHEN 'CT' THEN 6 ELSE 11 END + CRC32(CONCAT(id, ':e')) % 5
FROM exams ORDER BY id;

-- The working report of every exam being written or reviewed (the queue shows its state).
INSERT INTO report_versions (exam_id, version_no, status, findings, impression, technique, author_id,
                             last_modified_by_id, revision, created_at, updated_at)
SELECT id, 1, IF(status = 'pending_review', 'pending_review', 'draft'), '右肺下叶斑片影。', '右肺下叶炎症。',
       '横断位平扫', claimed_by_id, claimed_by_id, 1, @now, @now
FROM exams WHERE in_reading_queue = 1 AND claimed_by_id IS NOT NULL;

SET SESSION unique_checks = 1, foreign_key_checks = 1;
SELECT NOW() AS 'analysing…';
ANALYZE TABLE exams, exam_exam_items, patients, report_versions, users, institutions;
SELECT COUNT(*) AS exams, SUM(in_reading_queue) AS queued FROM exams;

-- sqlite3 in WAL mode (run by tests/boot/test_interpreters.py, also on Linux): the -wal and
-- -shm files (a shared mapping of the index, fcntl locks), a checkpoint, and the data back.
PRAGMA journal_mode=WAL;
CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);
BEGIN;
INSERT INTO t(b) VALUES ('x'), ('y'), ('z');
COMMIT;
SELECT count(*), group_concat(b) FROM t;
PRAGMA wal_checkpoint(PASSIVE);
INSERT INTO t(b) VALUES ('w');
PRAGMA wal_checkpoint(TRUNCATE);
SELECT count(*), group_concat(b) FROM t;
PRAGMA journal_mode;

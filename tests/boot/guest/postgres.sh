#!/bin/sh
# Debian's PostgreSQL 15 as its packaging runs it, as the unprivileged user "postgres" (uid 100,
# setpriv from util-linux): initdb, a query in single-user mode, then the server on a Unix socket
# in /tmp, a psql session against it, and a fast shutdown. Each step's output is the test's.
set -e
B=/usr/lib/postgresql/15/bin
mkdir -p /tmp/pg
chown 100:100 /tmp/pg
as_postgres() { /usr/bin/setpriv --reuid=100 --regid=100 --clear-groups "$@"; }
as_postgres $B/initdb -D /tmp/pg/data -U postgres --locale=C -A trust > /tmp/initdb.log 2>&1 ||
    { cat /tmp/initdb.log; exit 1; }
grep '^selecting dynamic shared memory' /tmp/initdb.log
echo "select 6*7 as answer;" | as_postgres $B/postgres --single -D /tmp/pg/data postgres 2>/dev/null | grep 'answer = '
as_postgres $B/pg_ctl -D /tmp/pg/data -l /tmp/pg/log -o "-k /tmp -c listen_addresses=''" -w start > /dev/null
as_postgres $B/psql -h /tmp -U postgres -At -P pager=off \
    -c "create table t(a int); insert into t values (1),(2),(3); select sum(a), current_user from t;"
as_postgres $B/psql -h /tmp -U postgres -At -P pager=off -c "select count(*) from pg_stat_activity where backend_type = 'client backend';"
as_postgres $B/pg_ctl -D /tmp/pg/data -w -m fast stop > /dev/null
grep -c 'database system is shut down' /tmp/pg/log
